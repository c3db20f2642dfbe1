/**
 * The planner: a pure function from a parsed storyboard and a variant name to the exact requests a
 * render will send, or to every problem that stops it. No disk, no network, no clock.
 */
import { buildCut, type CutScene } from '../cut/build.js';
import { type Problem, StoryboardError } from '../errors.js';
import type { LoadedStoryboard } from '../storyboard/load.js';
import { formatPath } from '../storyboard/locate.js';
import { suggestionHint } from '../storyboard/suggest.js';
import { jobKey } from './job-key.js';
import { MAX_PROMPT_CHARS } from './limits.js';
import { DEFAULT_PRICES, estimateCost, roundUsd } from './prices.js';
import { DEFAULT_VARIANT, declaredVariant, resolveScene, resolveVars } from './resolve.js';
import { planScene } from './scene-checks.js';
import { storyboardProblems, variantProblems, varValueProblems } from './structure-checks.js';
import { KLING_MODEL_ID, type Plan, type PlannedJob, type PriceTable } from './types.js';

export { DEFAULT_VARIANT } from './resolve.js';

export interface PlanOptions {
  /** Defaults to DEFAULT_PRICES. */
  prices?: PriceTable;
  /** Characters allowed in a prompt; defaults to MAX_PROMPT_CHARS. */
  promptLimit?: number;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; problems: Problem[] };

/** 'default' first, then the declared variants in file order. */
export function variantNames({ storyboard }: LoadedStoryboard): string[] {
  const declared = Object.keys(storyboard.variants ?? {}).filter((name) => name !== DEFAULT_VARIANT);
  return [DEFAULT_VARIANT, ...declared];
}

/** `01-street.mp4`; three digits once a film has 100 scenes, so names sort in film order. */
export function clipName(index: number, sceneCount: number, scene: string): string {
  const width = sceneCount >= 100 ? 3 : 2;
  return `${String(index + 1).padStart(width, '0')}-${scene}.mp4`;
}

function unknownVariant(loaded: LoadedStoryboard, variant: string): Problem {
  const names = variantNames(loaded);
  const hint = suggestionHint(variant, names, 'a variant of this storyboard');
  const message = `no variant named '${variant}'`;
  return { file: loaded.file, line: 0, col: 0, path: '', message, ...(hint ? { hint } : {}) };
}

function byPosition(a: Problem, b: Problem): number {
  return a.line - b.line || a.col - b.col;
}

/** The scenes a variant keeps, as indexes into `scenes`, in storyboard order. */
function keptScenes(loaded: LoadedStoryboard, variant: string): number[] {
  const only = declaredVariant(loaded.storyboard, variant)?.only;
  const indexes = loaded.storyboard.scenes.map((_, index) => index);
  if (!only) return indexes;
  return indexes.filter((index) => only.includes(loaded.storyboard.scenes[index]!.id));
}

export function planVariant(
  loaded: LoadedStoryboard,
  variant: string,
  options: PlanOptions = {},
): PlanResult {
  if (!variantNames(loaded).includes(variant))
    return { ok: false, problems: [unknownVariant(loaded, variant)] };
  const { storyboard, locator } = loaded;
  const prices = options.prices ?? DEFAULT_PRICES;
  const vars = resolveVars(storyboard, variant);
  const problems = [
    ...storyboardProblems(loaded),
    ...variantProblems(loaded, variant),
    ...varValueProblems(loaded, vars),
  ];
  const context = { locator, vars, promptLimit: options.promptLimit ?? MAX_PROMPT_CHARS };
  const kept = keptScenes(loaded, variant);
  const jobs: PlannedJob[] = [];
  const cutScenes: CutScene[] = [];
  for (const sceneIndex of kept) {
    const scene = resolveScene(storyboard, variant, sceneIndex);
    const planned = planScene(scene, context, problems);
    cutScenes.push({ sceneIndex, job: undefined });
    if (!planned) continue;
    const index = jobs.length;
    jobs.push({
      scene: scene.id,
      index,
      clipName: clipName(index, kept.length, scene.id),
      model: KLING_MODEL_ID,
      payload: planned.payload,
      duration: planned.payload.duration,
      take: scene.take.value,
      key: jobKey(KLING_MODEL_ID, planned.payload, scene.take.value),
      cost: estimateCost(planned.payload, prices),
      shots: planned.shots,
    });
    cutScenes.at(-1)!.job = jobs.at(-1);
  }
  // Finishing is planned from the jobs but never feeds back into them: no finishing key can change
  // a job key (the key is the hash of the Kling payload alone).
  const { cut, problems: cutProblems } = buildCut({ loaded, variant, vars, scenes: cutScenes });
  problems.push(...cutProblems);
  if (problems.length > 0) return { ok: false, problems: problems.sort(byPosition) };
  return {
    ok: true,
    plan: {
      file: loaded.file,
      storyboard: loaded.name,
      title: storyboard.title ?? loaded.name,
      variant,
      variants: variantNames(loaded),
      jobs,
      totalDuration: jobs.reduce((total, job) => total + job.duration, 0),
      totalCost: roundUsd(jobs.reduce((total, job) => total + job.cost, 0)),
      cut: cut!,
    },
  };
}

/** planVariant, throwing StoryboardError (exit code 2) instead of returning problems. */
export function planOrThrow(loaded: LoadedStoryboard, variant: string, options: PlanOptions = {}): Plan {
  const result = planVariant(loaded, variant, options);
  if (!result.ok) throw new StoryboardError(result.problems);
  return result.plan;
}

export interface AllVariantsResult {
  plans: Plan[];
  /** Each problem once; those that only a declared variant brings about say which variant. */
  problems: Problem[];
}

/** Plans every variant (what `validate` checks). */
export function planAllVariants(loaded: LoadedStoryboard, options: PlanOptions = {}): AllVariantsResult {
  const plans: Plan[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const variant of variantNames(loaded)) {
    const result = planVariant(loaded, variant, options);
    if (result.ok) {
      plans.push(result.plan);
      continue;
    }
    const ownSection = formatPath(['variants', variant]);
    for (const problem of result.problems) {
      const id = `${problem.line}:${problem.col}:${problem.path}:${problem.message}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const inOwnSection = problem.path === ownSection || problem.path.startsWith(`${ownSection}.`);
      const needsContext = variant !== DEFAULT_VARIANT && !inOwnSection;
      problems.push(
        needsContext ? { ...problem, message: `in variant '${variant}': ${problem.message}` } : problem,
      );
    }
  }
  return { plans, problems: problems.sort(byPosition) };
}
