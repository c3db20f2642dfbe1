/**
 * The build's precompiled schema validators (ajv standalone code in dist/, made by
 * src/storyboard/precompile.ts) say exactly what the compiled ones say, and are used only while the
 * schema is the one they were made from.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSchemaText, precompiledValidator, schemasDir } from '../../src/storyboard/schema-file.js';
import { schemaProblems } from '../../src/storyboard/schema-problems.js';
import { parseYamlMapping } from '../../src/storyboard/yaml-source.js';
import { repoRoot } from '../helpers/cli.js';
import { corpusDir, invalidCases } from '../invalid/corpus.js';

const schemaText = readFileSync(path.join(schemasDir, 'storyboard.schema.json'), 'utf8');
const builtFile = path.join(repoRoot, 'dist', 'storyboard', 'validators', 'storyboard.schema.cjs');

describe('the precompiled storyboard validator', () => {
  it('is built, and finds the same problems as the compiled one in every invalid storyboard', () => {
    const built = precompiledValidator(builtFile, schemaText);
    expect(built).toBeTypeOf('function');
    const compiled = compileSchemaText(schemaText);
    let checked = 0;
    for (const { file } of invalidCases()) {
      const text = readFileSync(path.join(corpusDir, file), 'latin1');
      let parsed: ReturnType<typeof parseYamlMapping>;
      try {
        parsed = parseYamlMapping(text, file, { noun: 'storyboard', firstLine: 'version: 1' });
      } catch {
        continue; // refused before the schema (not YAML, not a mapping): nothing to compare
      }
      const expected = schemaProblems(compiled, parsed.data, parsed.locator);
      expect(schemaProblems(built!, parsed.data, parsed.locator), file).toEqual(expected);
      checked += expected.length > 0 ? 1 : 0;
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('is not used once the schema has changed since the build (it is compiled instead)', () => {
    const changed = schemaText.replace('"version"', '"version" ');
    expect(changed).not.toBe(schemaText);
    expect(precompiledValidator(builtFile, changed)).toBeUndefined();
    expect(precompiledValidator(path.join(repoRoot, 'dist', 'nothing-here.cjs'), schemaText)).toBeUndefined();
  });
});
