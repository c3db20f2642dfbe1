/**
 * Derives the storyboard's TypeScript types from its JSON Schema, so the shape is written once.
 * `npm run gen:types` rewrites src/storyboard/storyboard.generated.ts; a test fails when the
 * committed file differs from a fresh generation.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const schemaPath = path.join(repoRoot, 'schemas', 'storyboard.schema.json');
export const generatedPath = path.join(repoRoot, 'src', 'storyboard', 'storyboard.generated.ts');

const banner = `/* Generated from schemas/storyboard.schema.json by scripts/gen-types.ts (npm run gen:types).
 * Do not edit by hand: change the schema and regenerate. */`;

export async function generateStoryboardTypes(): Promise<string> {
  const schema = JSON.parse(await readFile(schemaPath, 'utf8')) as JSONSchema;
  return compile(schema, 'Storyboard', {
    bannerComment: banner,
    additionalProperties: false,
    cwd: path.dirname(schemaPath),
    format: true,
    style: { singleQuote: true, printWidth: 110 },
    strictIndexSignatures: true,
    unreachableDefinitions: false,
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeFile(generatedPath, await generateStoryboardTypes());
  console.log(`wrote ${path.relative(repoRoot, generatedPath)}`);
}
