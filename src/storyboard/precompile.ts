/**
 * `node dist/storyboard/precompile.js` (run by `npm run build`): writes each schema's validator as
 * ajv standalone code into dist/storyboard/validators/, so that a CLI call loads it instead of
 * importing ajv and compiling the schema (85 ms on a quiet machine, 250-380 ms on a busy one, against
 * 15-30 ms to load the generated module). Each file carries the hash of the schema it was made from:
 * schemaValidator() uses it only while the schema is unchanged, and compiles otherwise.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { schemaHash, schemasDir, validatorFile, validatorsDir } from './schema-file.js';
import { newAjv } from './schema-problems.js';

/** The schemas read through schemaValidator() (the mock server's input schema is not one). */
export const PRECOMPILED_SCHEMAS = ['storyboard.schema.json', 'prices.schema.json'];

/** The standalone module for one schema: `module.exports = validate`, with `validate.schemaHash`. */
export function standaloneValidator(text: string): string {
  const ajv = newAjv(Ajv, { source: true });
  const validate = ajv.compile(JSON.parse(text) as AnySchemaObject);
  const code = standaloneModule.default(ajv, validate);
  return `${code}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(text))};\n`;
}

export function precompileSchemas(): string[] {
  mkdirSync(validatorsDir, { recursive: true });
  return PRECOMPILED_SCHEMAS.map((name) => {
    const file = validatorFile(name);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, standaloneValidator(readFileSync(path.join(schemasDir, name), 'utf8')));
    // A CLI started during a build never loads half a file.
    renameSync(temporary, file);
    return file;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const file of precompileSchemas()) process.stdout.write(`wrote ${path.relative('.', file)}\n`);
}
