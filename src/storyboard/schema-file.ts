/** The JSON Schemas in schemas/, found from both src/ (tests, tsx) and dist/ (the shipped CLI). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import { compileSchema } from './schema-problems.js';

export const schemasDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas');

const compiled = new Map<string, ValidateFunction>();

/** Compiles `schemas/<name>` once per process. */
export function schemaValidator(name: string): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const schema = JSON.parse(readFileSync(path.join(schemasDir, name), 'utf8')) as AnySchemaObject;
    validate = compileSchema(schema);
    compiled.set(name, validate);
  }
  return validate;
}
