/**
 * The loader and planner under generated input: whatever text a user (or a broken editor) produces,
 * `parseStoryboard` + `planVariant` either give plans whose every payload the API accepts, or
 * problems that each say where and what. Nothing else may come out of them: no other exception.
 *
 * Shared by planner.property.test.ts (CI, bounded) and scripts/soak.ts (many more runs).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { StoryboardError } from '../../src/errors.js';
import { MAX_PROMPT_CHARS, MAX_SHOT_PROMPT_CHARS } from '../../src/plan/limits.js';
import { planAllVariants, planVariant, variantNames } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/types.js';
import { type LoadedStoryboard, parseStoryboard } from '../../src/storyboard/load.js';
import { repoRoot } from '../helpers/cli.js';

export const STORYBOARD_FILE = 'story.yaml';

let inputValidator: ValidateFunction | undefined;

/** The seed's input schema, compiled on its own here (not through the code under test). */
function kling(): ValidateFunction {
  if (!inputValidator) {
    const file = path.join(repoRoot, 'schemas', 'kling-3.0-standard-text-to-video.input.schema.json');
    const schema = JSON.parse(readFileSync(file, 'utf8')) as AnySchemaObject;
    inputValidator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return inputValidator;
}

/** A broken promise, with the input that broke it. */
export class PropertyViolation extends Error {
  override name = 'PropertyViolation';
}

export type Verdict =
  | { kind: 'planned'; variants: number; jobs: number; refusedVariants: number }
  | { kind: 'refused'; problems: number };

function fail(message: string, detail?: unknown): never {
  throw new PropertyViolation(detail === undefined ? message : `${message}: ${JSON.stringify(detail)}`);
}

function lineCount(text: string): number {
  return text.split('\n').length;
}

/** Each problem names the file, says something, and points into the text (or at the whole file). */
function checkProblems(problems: StoryboardError['problems'], text: string, file: string): void {
  if (problems.length === 0) fail('refused with no problem at all');
  const lines = text.split('\n');
  for (const problem of problems) {
    if (problem.file !== file) fail('problem names another file', problem);
    if (typeof problem.message !== 'string' || problem.message.trim() === '') fail('empty message', problem);
    if (/\[object Object\]|undefined:|NaN:/.test(problem.message)) fail('garbled message', problem);
    if (!Number.isInteger(problem.line) || !Number.isInteger(problem.col))
      fail('non-integer position', problem);
    if (problem.line === 0) {
      if (problem.col !== 0) fail('file-level problem with a column', problem);
      // A problem about one value must say where that value is.
      if (problem.path !== '') fail('problem at a path has no line', problem);
      continue;
    }
    if (problem.line < 1 || problem.line > lineCount(text)) fail('line outside the file', problem);
    const lineText = lines[problem.line - 1] ?? '';
    if (problem.col < 1 || problem.col > lineText.length + 1) fail('column outside its line', problem);
  }
}

/** Every payload is what the API accepts, and what the planner's own rules promise. */
function checkPlan(plan: Plan, loaded: LoadedStoryboard): number {
  const validate = kling();
  const clipNames = new Set<string>();
  let total = 0;
  for (const job of plan.jobs) {
    if (!validate(job.payload)) fail('payload breaks the input schema', { job, errors: validate.errors });
    const { payload } = job;
    const shots = payload.multi_prompt;
    if (payload.shot_type === 'customize') {
      if (shots.length < 2) fail('customize with fewer than 2 segments', payload);
      const sum = shots.reduce((s, shot) => s + shot.duration, 0);
      if (sum !== payload.duration) fail('segments do not add up to the duration', payload);
    } else if (shots.length !== 0) fail('intelligent scene sent with segments', payload);
    if ([...payload.prompt].length > MAX_PROMPT_CHARS) fail('prompt over the limit', payload);
    if ([...payload.negative_prompt].length > MAX_PROMPT_CHARS)
      fail('negative prompt over the limit', payload);
    if (payload.prompt.trim() === '') fail('empty prompt sent', payload);
    for (const shot of shots) {
      if ([...shot.prompt].length > MAX_SHOT_PROMPT_CHARS) fail('shot prompt over the limit', payload);
      if (shot.prompt.trim() === '') fail('empty shot prompt sent', payload);
    }
    for (const text of [payload.prompt, payload.negative_prompt, ...shots.map((s) => s.prompt)]) {
      if (text.includes('{{') || text.includes('}}')) fail('an unfilled placeholder is sent', payload);
    }
    if (job.duration !== payload.duration) fail('job duration differs from its payload', job);
    if (!/^[0-9a-f]{64}$/.test(job.key)) fail('job key is not a sha256', job);
    if (clipNames.has(job.clipName)) fail('two clips share a file name', job);
    clipNames.add(job.clipName);
    if (!loaded.storyboard.scenes.some((scene) => scene.id === job.scene)) fail('job of no scene', job);
    total += job.duration;
  }
  if (plan.jobs.length === 0) fail('a plan without jobs', plan);
  if (plan.totalDuration !== total) fail('totalDuration is not the sum of the jobs', plan);
  return plan.jobs.length;
}

/**
 * Runs the loader and the planner on `text` and checks every promise; throws PropertyViolation (or
 * whatever escaped the code under test) when one is broken.
 */
export function checkStoryboardText(text: string, file = STORYBOARD_FILE): Verdict {
  let loaded: LoadedStoryboard;
  try {
    loaded = parseStoryboard(text, file);
  } catch (error) {
    if (!(error instanceof StoryboardError)) throw error;
    checkProblems(error.problems, text, file);
    return { kind: 'refused', problems: error.problems.length };
  }
  let jobs = 0;
  let refusedVariants = 0;
  const names = variantNames(loaded);
  for (const variant of [...names, 'no-such-variant-x']) {
    const first = planVariant(loaded, variant);
    if (!first.ok) {
      checkProblems(first.problems, text, file);
      if (names.includes(variant)) refusedVariants += 1;
      continue;
    }
    if (!names.includes(variant)) fail(`an undeclared variant '${variant}' was planned`);
    jobs += checkPlan(first.plan, loaded);
    // Pure: the same input plans to the same requests (job keys are what "never pay twice" rests on).
    const again = planVariant(loaded, variant);
    if (!again.ok || JSON.stringify(again.plan) !== JSON.stringify(first.plan))
      fail('planning is not deterministic');
  }
  const all = planAllVariants(loaded);
  if (all.plans.length !== names.length - refusedVariants) fail('planAllVariants disagrees with planVariant');
  if (all.problems.length > 0 !== refusedVariants > 0) fail('planAllVariants problems disagree');
  if (all.problems.length > 0) checkProblems(all.problems, text, file);
  if (refusedVariants === names.length) {
    return { kind: 'refused', problems: all.problems.length };
  }
  return { kind: 'planned', variants: names.length - refusedVariants, jobs, refusedVariants };
}

/** Inputs per property: RELIABILITY_PROPERTY_RUNS, else `ciDefault`. */
export function propertyRuns(ciDefault: number): number {
  const asked = Number(process.env.RELIABILITY_PROPERTY_RUNS);
  return Number.isInteger(asked) && asked > 0 ? asked : ciDefault;
}

export interface Tally {
  inputs: number;
  planned: number;
  refused: number;
  /** Requests the accepted storyboards planned, each checked against the seed's input schema. */
  payloads: number;
}

/** Checks `runs` generated texts; fast-check shrinks and reports the first that breaks a promise. */
export function exploreProperty(arbitrary: fc.Arbitrary<string>, runs: number, seed?: number): Tally {
  const tally: Tally = { inputs: 0, planned: 0, refused: 0, payloads: 0 };
  const envSeed = process.env.RELIABILITY_SEED ? Number(process.env.RELIABILITY_SEED) : undefined;
  const chosenSeed = seed ?? envSeed;
  fc.assert(
    fc.property(arbitrary, (text) => {
      const verdict = checkStoryboardText(text);
      tally.inputs += 1;
      tally[verdict.kind] += 1;
      if (verdict.kind === 'planned') tally.payloads += verdict.jobs;
    }),
    { numRuns: runs, ...(chosenSeed !== undefined ? { seed: chosenSeed } : {}) },
  );
  return tally;
}
