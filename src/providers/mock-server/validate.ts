/**
 * What the mock refuses, the way a FastAPI-style server would: a 422 with a `detail` array of
 * `{loc, msg, type}`. Checks the seed's input schema plus the rule a schema cannot express
 * (multi_prompt durations sum to the duration).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import { schemasDir } from '../../storyboard/schema-file.js';

export const INPUT_SCHEMA_FILE = 'kling-3.0-standard-text-to-video.input.schema.json';

export interface ValidationDetail {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

let compiled: ValidateFunction | undefined;

function inputValidator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(
      readFileSync(path.join(schemasDir, INPUT_SCHEMA_FILE), 'utf8'),
    ) as AnySchemaObject;
    compiled = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return compiled;
}

/** Every problem with a submitted body; empty when the body is acceptable. */
export function validateInput(body: unknown): ValidationDetail[] {
  const validate = inputValidator();
  if (!validate(body)) {
    return (validate.errors ?? []).map((error) => {
      const loc: Array<string | number> = [
        'body',
        ...error.instancePath
          .split('/')
          .filter(Boolean)
          .map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
      ];
      const extra = error.params as { additionalProperty?: string; missingProperty?: string };
      if (extra.additionalProperty) loc.push(extra.additionalProperty);
      if (extra.missingProperty) loc.push(extra.missingProperty);
      return { loc, msg: error.message ?? 'is invalid', type: `value_error.${error.keyword}` };
    });
  }
  return sumProblems(body as { duration?: number; multi_prompt?: Array<{ duration: number }> });
}

function sumProblems(body: {
  duration?: number;
  multi_prompt?: Array<{ duration: number }>;
}): ValidationDetail[] {
  const segments = body.multi_prompt ?? [];
  if (segments.length === 0) return [];
  const duration = body.duration ?? 5;
  const sum = segments.reduce((total, segment) => total + segment.duration, 0);
  if (sum === duration) return [];
  return [
    {
      loc: ['body', 'multi_prompt'],
      msg: `the multi_prompt durations sum to ${sum} s but duration is ${duration} s; they must be equal`,
      type: 'value_error.multi_prompt_duration_sum',
    },
  ];
}
