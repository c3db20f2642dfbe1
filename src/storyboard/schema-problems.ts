/**
 * Turns ajv's errors into Problems a person can act on: at the offending key or value, in plain
 * words, with a suggestion where one helps, and one problem per mistake.
 */
import type { Ajv, AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import type { Problem } from '../errors.js';
import { type DocPath, formatPath, type SourceLocator } from './locate.js';
import { closestMatch, suggestionHint } from './suggest.js';

/**
 * Annotation keywords our schemas use for friendlier messages (ajv's strict mode must know them):
 * `patternHint` explains a pattern; `fixHint` says how to write a valid value of a wrong type or range.
 */
const ANNOTATIONS = ['patternHint', 'fixHint'];

/** Explanations for keys people put in the wrong place. */
const MISPLACED_KEY_HINTS: Record<string, string> = {
  shot_type: 'shot_type is set per scene; multi_prompt implies customize',
  id: "a variant's scene patch cannot change the scene's id",
  '<<': 'YAML merge keys are not supported; write the keys out or use a variant',
};

/**
 * The one ajv configuration of our schemas; `source` keeps the code for standalone output. The class
 * is passed in so that this module does not load ajv: a precompiled validator does without it.
 */
export function newAjv(AjvClass: typeof Ajv, options: { source?: boolean } = {}): Ajv {
  const ajv = new AjvClass({
    allErrors: true,
    verbose: true,
    strict: true,
    code: { source: options.source ?? false },
  });
  ajv.addVocabulary(ANNOTATIONS);
  return ajv;
}

export function schemaProblems(validate: ValidateFunction, data: unknown, locator: SourceLocator): Problem[] {
  if (validate(data)) return [];
  const seen = new Set<string>();
  const problems: Problem[] = [];
  const errors = withOneErrorPerAnyOf(withoutMissingKeysExplainedByTypos(validate.errors ?? []));
  for (const error of errors) {
    const problem = toProblem(error, data, locator);
    if (!problem) continue;
    const id = `${problem.line}:${problem.col}:${problem.path}:${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(problem);
  }
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

/**
 * `promt: ...` is both an unknown key and a missing `prompt`; one mistake deserves one message, and
 * the unknown key's "did you mean 'prompt'?" says everything.
 */
function withoutMissingKeysExplainedByTypos(errors: ErrorObject[]): ErrorObject[] {
  const guessed = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'additionalProperties') continue;
    const allowed = Object.keys((error.parentSchema as AnySchemaObject | undefined)?.properties ?? {});
    const match = closestMatch(String(error.params.additionalProperty), allowed);
    if (match) guessed.add(`${error.instancePath}/${match}`);
  }
  return errors.filter(
    (error) =>
      !(error.keyword === 'required' && guessed.has(`${error.instancePath}/${error.params.missingProperty}`)),
  );
}

/**
 * `music: { ... } | false` fails both branches at once; one mistake deserves one message. Errors
 * inside the mapping (a wrong key or value) say everything for a mapping; anything else gets one
 * 'anyOf' problem (see toProblem) instead of one per branch.
 */
function withOneErrorPerAnyOf(errors: ErrorObject[]): ErrorObject[] {
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  if (anyOfAt.size === 0) return errors;
  return errors.filter((error) => {
    if (!anyOfAt.has(error.instancePath)) return true;
    const isObject = error.data !== null && typeof error.data === 'object' && !Array.isArray(error.data);
    if (error.keyword === 'anyOf') return !isObject;
    return error.keyword !== 'type' && error.keyword !== 'const';
  });
}

function decodePointer(pointer: string, data: unknown): (string | number)[] {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(current) ? Number(part) : part;
    path.push(segment);
    current = (current as Record<string | number, unknown> | undefined)?.[segment];
  }
  return path;
}

function describeValue(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text '${value}'`;
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  return `${typeof value} ${String(value)}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
};

function isSeconds(schema: AnySchemaObject | undefined): boolean {
  return schema?.title === 'Seconds';
}

function toProblem(error: ErrorObject, data: unknown, locator: SourceLocator): Problem | undefined {
  const path = decodePointer(error.instancePath, data);
  const schema = error.parentSchema as AnySchemaObject | undefined;
  const params = error.params as Record<string, unknown>;
  const value = error.data;
  switch (error.keyword) {
    case 'propertyNames':
      return undefined; // its inner error (pattern, maxLength) says what is wrong, at the key
    case 'additionalProperties':
      return unknownKey(locator, path, String(params.additionalProperty), schema);
    case 'required':
      return missingKey(locator, path, String(params.missingProperty));
    case 'type':
      return wrongType(locator, path, String(params.type), value, schema);
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof value === 'string' ? suggestionHint(value, allowed) : undefined;
      const shown = typeof value === 'string' ? `'${value}'` : describeValue(value);
      const message = `${shown} is not allowed; use one of: ${allowed.join(', ')}`;
      return locator.problem(path, message, { hint: hint?.startsWith('did') ? hint : undefined });
    }
    case 'const':
      return path.join('.') === 'version'
        ? locator.problem(path, `unsupported format version ${JSON.stringify(value)}`, {
            hint: 'this storyreel reads `version: 1`',
          })
        : locator.problem(path, `must be ${JSON.stringify(params.allowedValue)}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return outOfRange(locator, path, value, schema);
    case 'anyOf':
      return locator.problem(
        path,
        `must be a mapping (key: value lines) or false, not ${describeValue(value)}`,
        {
          hint: 'false removes it from this variant',
        },
      );
    case 'minItems':
      return locator.problem(path, 'must not be empty', {
        hint: path.at(-1) === 'scenes' ? 'a storyboard needs at least one scene' : undefined,
      });
    case 'maxItems':
      return locator.problem(
        path,
        `has ${(value as unknown[]).length} items; at most ${params.limit} are allowed`,
      );
    case 'pattern':
    case 'maxLength':
      return badName(locator, path, error, value, schema);
    default:
      return locator.problem(path, error.message ?? 'is not valid');
  }
}

function unknownKey(locator: SourceLocator, path: DocPath, key: string, schema?: AnySchemaObject): Problem {
  const allowed = Object.keys((schema?.properties as object | undefined) ?? {});
  const match = closestMatch(key, allowed);
  const hint = match
    ? `did you mean '${match}'?`
    : (MISPLACED_KEY_HINTS[key] ?? (allowed.length ? `allowed keys: ${allowed.join(', ')}` : undefined));
  return {
    ...locator.problem([...path, key], `unknown key '${key}'`, { key: true, hint }),
    path: formatPath(path),
  };
}

function missingKey(locator: SourceLocator, path: DocPath, key: string): Problem {
  const hints: Record<string, string> = {
    version: 'add `version: 1` as the first line',
    duration: 'give each segment its length in seconds, 3 to 15',
    scenes: 'list the scenes under `scenes:`',
  };
  return locator.problem(path, `missing required key '${key}'`, { hint: hints[key] });
}

function wrongType(
  locator: SourceLocator,
  path: DocPath,
  expected: string,
  value: unknown,
  schema?: AnySchemaObject,
): Problem {
  if (value === null) {
    return locator.problem(path, `has no value; expected ${TYPE_NAMES[expected] ?? expected}`);
  }
  const fixHint = schema?.fixHint as string | undefined;
  if (expected === 'integer' && typeof value === 'number') {
    const unit = isSeconds(schema) ? ' of seconds' : '';
    return locator.problem(path, `must be a whole number${unit}, not ${value}`, { hint: fixHint });
  }
  let hint = fixHint;
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    const written = locator.sourceText(path) ?? String(value);
    hint = `put it in quotes: "${written}"`;
  }
  const message = `must be ${TYPE_NAMES[expected] ?? expected}, not ${describeValue(value)}`;
  return locator.problem(path, message, { hint });
}

function outOfRange(
  locator: SourceLocator,
  path: DocPath,
  value: unknown,
  schema?: AnySchemaObject,
): Problem {
  const unit = isSeconds(schema) ? ' seconds' : '';
  const { minimum, maximum } = schema ?? {};
  const range =
    minimum !== undefined && maximum !== undefined
      ? `from ${minimum} to ${maximum}`
      : minimum !== undefined
        ? `at least ${minimum}`
        : `at most ${maximum}`;
  return locator.problem(path, `must be ${range}${unit}, not ${String(value)}`, {
    hint: schema?.fixHint as string | undefined,
  });
}

function nameNoun(container: string | number | undefined): string {
  if (container === 'variants') return 'variant name';
  if (container === 'vars') return 'variable name';
  if (container === 'id') return 'scene id';
  return 'name';
}

function badName(
  locator: SourceLocator,
  path: DocPath,
  error: ErrorObject,
  value: unknown,
  schema?: AnySchemaObject,
): Problem {
  const isKey = error.propertyName !== undefined;
  const name = isKey ? error.propertyName! : String(value);
  const target = isKey ? [...path, name] : path;
  const noun = nameNoun(isKey ? path.at(-1) : path.at(-1));
  const message =
    error.keyword === 'maxLength'
      ? `${noun} '${name}' is longer than ${(error.params as { limit: number }).limit} characters`
      : `${noun} '${name}' is not valid`;
  const hint = error.keyword === 'pattern' ? (schema?.patternHint as string | undefined) : undefined;
  return {
    ...locator.problem(target, message, { key: isKey, hint }),
    path: formatPath(isKey ? path : target),
  };
}
