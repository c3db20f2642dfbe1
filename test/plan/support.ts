/** Small helpers for planner tests: storyboards are written as YAML, as users write them. */
import { type Problem, StoryboardError } from '../../src/errors.js';
import { type PlanOptions, planVariant } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/types.js';
import { type LoadedStoryboard, parseStoryboard } from '../../src/storyboard/load.js';

export function load(yaml: string, file = 'board.yaml'): LoadedStoryboard {
  return parseStoryboard(yaml, file);
}

export function planOf(yaml: string, variant = 'default', options: PlanOptions = {}): Plan {
  const result = planVariant(load(yaml), variant, options);
  if (!result.ok)
    throw new Error(`expected a plan, got:\n${result.problems.map((p) => p.message).join('\n')}`);
  return result.plan;
}

/** Every problem of planning `variant`, or of parsing when the YAML itself is refused. */
export function problemsOf(yaml: string, variant = 'default', options: PlanOptions = {}): Problem[] {
  let loaded: LoadedStoryboard;
  try {
    loaded = load(yaml);
  } catch (error) {
    if (error instanceof StoryboardError) return error.problems;
    throw error;
  }
  const result = planVariant(loaded, variant, options);
  return result.ok ? [] : result.problems;
}

/** A one-scene storyboard around the given scene lines (indented as a list item's fields). */
export function oneScene(fields: string, head = ''): string {
  return `version: 1\n${head}scenes:\n  - id: street\n${fields}`;
}
