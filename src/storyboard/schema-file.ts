/**
 * The JSON Schemas in schemas/, found from both src/ (tests, tsx) and dist/ (the shipped CLI), and
 * their validators: the build's precompiled one (see precompile.ts) while it matches the schema,
 * else compiled here (ajv loaded only then).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import { newAjv } from './schema-problems.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const schemasDir = path.resolve(here, '../../schemas');
export const validatorsDir = path.join(here, 'validators');
const require = createRequire(import.meta.url);

const compiled = new Map<string, ValidateFunction>();

/** The validator of `schemas/<name>`, once per process. */
export function schemaValidator(name: string): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const text = readFileSync(path.join(schemasDir, name), 'utf8');
    validate = precompiledValidator(validatorFile(name), text) ?? compileSchemaText(text);
    compiled.set(name, validate);
  }
  return validate;
}

export function compileSchemaText(text: string, options: { source?: boolean } = {}): ValidateFunction {
  const { Ajv } = require('ajv') as typeof import('ajv');
  return newAjv(Ajv, options).compile(JSON.parse(text) as AnySchemaObject);
}

export function schemaHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function validatorFile(name: string): string {
  return path.join(validatorsDir, `${name.replace(/\.json$/, '')}.cjs`);
}

/** The build's validator in `file` for this schema text, or undefined (none, or made from another text). */
export function precompiledValidator(file: string, text: string): ValidateFunction | undefined {
  let loaded: (ValidateFunction & { schemaHash?: string }) | undefined;
  try {
    loaded = require(file) as ValidateFunction & { schemaHash?: string };
  } catch {
    return undefined;
  }
  return loaded.schemaHash === schemaHash(text) ? loaded : undefined;
}
