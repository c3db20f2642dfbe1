/**
 * Every storyboard and variant of a command, read, checked and planned before anything else happens:
 * any problem in any file stops the command (exit 2) with every problem listed, nothing sent or
 * written. This is the shell's half (it reads the files); the planning is plan/batch.ts.
 */
import { type Problem, StoryboardError } from '../errors.js';
import {
  checkFolderClash,
  checkVariantSelection,
  type InvalidOtherVariant,
  invalidVariantsOf,
  planSelected,
  type VariantSelection,
} from '../plan/batch.js';
import type { Plan, PriceTable } from '../plan/types.js';
import { type LoadedStoryboard, loadStoryboard } from '../storyboard/load.js';

export interface PlanRequest extends VariantSelection {
  files: string[];
  prices: PriceTable;
  cwd: string;
}

export async function loadPlans(request: PlanRequest): Promise<Plan[]> {
  checkVariantSelection(request);
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
    checkFolderClash(folders, loaded, file);
    const planned = planSelected(loaded, request, request.prices);
    plans.push(...planned.plans);
    problems.push(...planned.problems);
  }
  if (problems.length > 0) throw new StoryboardError(problems);
  return plans;
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
    invalid.push(...invalidVariantsOf(loaded, file, plans, request.prices));
  }
  return invalid;
}
