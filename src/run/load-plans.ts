/**
 * Every storyboard and variant of a command, checked and planned before anything else happens: any
 * problem in any file stops the command (exit 2) with every problem listed, nothing sent or written.
 */
import { formatProblem, type Problem, StoryboardError, UsageError } from '../errors.js';
import { DEFAULT_VARIANT, planVariant, variantNames } from '../plan/planner.js';
import type { Plan, PriceTable } from '../plan/types.js';
import { type LoadedStoryboard, loadStoryboard } from '../storyboard/load.js';
import { suggestionHint } from '../storyboard/suggest.js';

export interface PlanRequest {
  files: string[];
  /** Variants to render in every file; empty means `default` (unless allVariants). */
  variants: string[];
  allVariants: boolean;
  prices: PriceTable;
  cwd: string;
}

export async function loadPlans(request: PlanRequest): Promise<Plan[]> {
  if (request.allVariants && request.variants.length > 0) {
    throw new UsageError('use either --variant NAME (one or more) or --all-variants, not both');
  }
  const problems: Problem[] = [];
  const plans: Plan[] = [];
  const folders = new Map<string, string>();
  for (const file of request.files) {
    let loaded: LoadedStoryboard;
    try {
      loaded = await loadStoryboard(file, { cwd: request.cwd });
    } catch (error) {
      if (!(error instanceof StoryboardError)) throw error;
      problems.push(...error.problems);
      continue;
    }
    const clash = folders.get(loaded.name);
    if (clash !== undefined) {
      throw new UsageError(
        `${clash} and ${file} would both render into the output folder's "${loaded.name}/": rename one, or render them with different --out folders`,
      );
    }
    folders.set(loaded.name, file);
    for (const variant of selectedVariants(loaded, request)) {
      const result = planVariant(loaded, variant, { prices: request.prices });
      if (result.ok) plans.push(result.plan);
      else problems.push(...result.problems);
    }
  }
  if (problems.length > 0) throw new StoryboardError(problems);
  return plans;
}

/** A variant of a rendered storyboard that this command does not render, and why it is invalid. */
export interface InvalidOtherVariant {
  file: string;
  variant: string;
  problems: Problem[];
}

/**
 * The variants of the storyboards in `plans` that are not rendered now, when they are invalid. A
 * render checks everything it will send and refuses on any problem; a problem of another variant
 * costs nothing now and should not block it (one bad market must not stop every job of a CI
 * matrix), but it is said before anything is spent, so it is not discovered only by the job that
 * renders it. `validate` still rejects the file.
 */
export async function invalidOtherVariants(
  request: PlanRequest,
  plans: readonly Plan[],
): Promise<InvalidOtherVariant[]> {
  const invalid: InvalidOtherVariant[] = [];
  for (const file of request.files) {
    const loaded = await loadStoryboard(file, { cwd: request.cwd });
    const rendered = new Set(plans.filter((plan) => plan.storyboard === loaded.name).map((p) => p.variant));
    for (const variant of variantNames(loaded).filter((name) => !rendered.has(name))) {
      const result = planVariant(loaded, variant, { prices: request.prices });
      if (!result.ok) invalid.push({ file, variant, problems: result.problems });
    }
  }
  return invalid;
}

export function describeInvalidVariant({ variant, problems }: InvalidOtherVariant): string {
  const shown = problems.slice(0, 3).map(formatProblem);
  const more = problems.length > shown.length ? `\n  (and ${problems.length - shown.length} more)` : '';
  return (
    `variant '${variant}' is invalid and was not rendered; this render checked only what it sends ` +
    `(run storyreel validate to see every problem):\n  ${shown.join('\n  ')}${more}`
  );
}

function selectedVariants(loaded: LoadedStoryboard, request: PlanRequest): string[] {
  if (request.allVariants) return variantNames(loaded);
  return request.variants.length > 0 ? [...new Set(request.variants)] : [DEFAULT_VARIANT];
}

/** Every --rerender SCENE must name a scene of the batch; a typo would silently re-render nothing. */
export function checkRerender(plans: Plan[], scenes: readonly string[]): void {
  checkSceneIds(plans, scenes, '--rerender');
}

/** Every scene an option names (`--rerender`, `--scene`) must be one of the batch, with a hint otherwise. */
export function checkSceneIds(plans: Plan[], scenes: readonly string[], option: string): void {
  const known = [...new Set(plans.flatMap((plan) => plan.jobs.map((job) => job.scene)))];
  for (const scene of scenes) {
    if (known.includes(scene)) continue;
    const hint = suggestionHint(scene, known, 'a scene of this batch');
    throw new UsageError(
      `${option} ${scene}: no scene with that id in this render${hint ? ` (${hint})` : ''}`,
    );
  }
}
