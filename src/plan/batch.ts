/**
 * A batch's plans from storyboards already loaded: which variants a command asks for, every problem
 * of every variant at once, and the checks of options that name scenes. Pure: the shell reads the
 * files (run/load-plans.ts) and hands each loaded storyboard here.
 */
import { formatProblem, type Problem, UsageError } from '../errors.js';
import type { LoadedStoryboard } from '../storyboard/load.js';
import { suggestionHint } from '../storyboard/suggest.js';
import { DEFAULT_VARIANT, planVariant, variantNames } from './planner.js';
import type { Plan, PriceTable } from './types.js';

/** The variants a command renders in every file; empty `variants` means `default` (unless allVariants). */
export interface VariantSelection {
  variants: string[];
  allVariants: boolean;
}

export function checkVariantSelection(selection: VariantSelection): void {
  if (selection.allVariants && selection.variants.length > 0) {
    throw new UsageError('use either --variant NAME (one or more) or --all-variants, not both');
  }
}

/** The plans of the selected variants of one storyboard, and the problems of those that are invalid. */
export function planSelected(
  loaded: LoadedStoryboard,
  selection: VariantSelection,
  prices: PriceTable,
): { plans: Plan[]; problems: Problem[] } {
  const plans: Plan[] = [];
  const problems: Problem[] = [];
  for (const variant of selectedVariants(loaded, selection)) {
    const result = planVariant(loaded, variant, { prices });
    if (result.ok) plans.push(result.plan);
    else problems.push(...result.problems);
  }
  return { plans, problems };
}

/** Two storyboards of one command must not render into the same folder of the output. */
export function checkFolderClash(folders: Map<string, string>, loaded: LoadedStoryboard, file: string): void {
  const clash = folders.get(loaded.name);
  if (clash !== undefined) {
    throw new UsageError(
      `${clash} and ${file} would both render into the output folder's "${loaded.name}/": rename one, or render them with different --out folders`,
    );
  }
  folders.set(loaded.name, file);
}

/** A variant of a rendered storyboard that this command does not render, and why it is invalid. */
export interface InvalidOtherVariant {
  file: string;
  variant: string;
  problems: Problem[];
}

/** The variants of `loaded` that none of `plans` renders, when they are invalid. */
export function invalidVariantsOf(
  loaded: LoadedStoryboard,
  file: string,
  plans: readonly Plan[],
  prices: PriceTable,
): InvalidOtherVariant[] {
  const invalid: InvalidOtherVariant[] = [];
  const rendered = new Set(plans.filter((plan) => plan.storyboard === loaded.name).map((p) => p.variant));
  for (const variant of variantNames(loaded).filter((name) => !rendered.has(name))) {
    const result = planVariant(loaded, variant, { prices });
    if (!result.ok) invalid.push({ file, variant, problems: result.problems });
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

function selectedVariants(loaded: LoadedStoryboard, selection: VariantSelection): string[] {
  if (selection.allVariants) return variantNames(loaded);
  return selection.variants.length > 0 ? [...new Set(selection.variants)] : [DEFAULT_VARIANT];
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
