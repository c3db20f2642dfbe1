/**
 * Checks of the storyboard as a whole and of one variant's own section: ids that name files,
 * variants that name scenes, variables whose values would leave braces in a prompt.
 */
import type { Problem } from '../errors.js';
import type { LoadedStoryboard } from '../storyboard/load.js';
import { suggestionHint } from '../storyboard/suggest.js';
import { DEFAULT_VARIANT, declaredVariant, type Sourced, variantPath } from './resolve.js';

/** Names Windows reserves for devices: a clip or folder named so cannot be created there. */
const RESERVED_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/** Problems that concern every variant: duplicate or reserved scene ids, a variant named 'default'. */
export function storyboardProblems({ storyboard, locator }: LoadedStoryboard): Problem[] {
  const problems: Problem[] = [];
  const firstLine = new Map<string, number>();
  storyboard.scenes.forEach((scene, index) => {
    const at = ['scenes', index, 'id'];
    const first = firstLine.get(scene.id);
    if (first !== undefined) {
      problems.push(
        locator.problem(at, `scene id '${scene.id}' is already used on line ${first}`, {
          hint: 'ids name the clip files; give each scene its own',
        }),
      );
    } else firstLine.set(scene.id, locator.position(at).line);
    if (RESERVED_NAMES.test(scene.id)) {
      problems.push(
        locator.problem(at, `scene id '${scene.id}' is a reserved device name on Windows`, {
          hint: 'ids name the clip files; choose another',
        }),
      );
    }
  });
  for (const name of Object.keys(storyboard.variants ?? {})) {
    if (name === DEFAULT_VARIANT || RESERVED_NAMES.test(name)) {
      const why =
        name === DEFAULT_VARIANT ? 'is the base storyboard itself' : 'is a reserved device name on Windows';
      problems.push(
        locator.problem(variantPath(name), `variant name '${name}' ${why}`, {
          key: true,
          hint: 'rename this variant',
        }),
      );
    }
  }
  return problems;
}

/** Problems in a declared variant's own section: patches and `only` naming scenes that do not exist. */
export function variantProblems({ storyboard, locator }: LoadedStoryboard, variant: string): Problem[] {
  const declared = declaredVariant(storyboard, variant);
  if (!declared) return [];
  const problems: Problem[] = [];
  const ids = storyboard.scenes.map((scene) => scene.id);
  const unknownScene = (id: string) => `no scene has the id '${id}'`;
  for (const id of Object.keys(declared.scenes ?? {})) {
    if (!ids.includes(id)) {
      problems.push(
        locator.problem([...variantPath(variant), 'scenes', id], unknownScene(id), {
          key: true,
          hint: suggestionHint(id, ids, 'a scene id'),
        }),
      );
    }
  }
  const listed = new Set<string>();
  const known: string[] = [];
  (declared.only ?? []).forEach((id, index) => {
    const at = [...variantPath(variant), 'only', index];
    if (!ids.includes(id)) {
      problems.push(locator.problem(at, unknownScene(id), { hint: suggestionHint(id, ids, 'a scene id') }));
    } else if (listed.has(id)) {
      problems.push(locator.problem(at, `'${id}' is listed twice`, { hint: 'list each scene once' }));
    } else known.push(id);
    listed.add(id);
  });
  const inStoryOrder = [...known].sort((a, b) => ids.indexOf(a) - ids.indexOf(b));
  if (known.join() !== inStoryOrder.join()) {
    // A variant is a cut of the same film; reordering scenes is not something it can do silently.
    problems.push(
      locator.problem([...variantPath(variant), 'only'], 'only lists scenes out of the storyboard order', {
        hint: `the film keeps the storyboard's order; write [${inStoryOrder.join(', ')}]`,
      }),
    );
  }
  return problems;
}

/** A variable's value is inserted as it is, never filled again: braces in it would reach Kling. */
export function varValueProblems(
  { locator }: LoadedStoryboard,
  vars: ReadonlyMap<string, Sourced<string>>,
): Problem[] {
  const problems: Problem[] = [];
  for (const [name, { value, at }] of vars) {
    if (at && (value.includes('{{') || value.includes('}}'))) {
      problems.push(
        locator.problem(at, `variable '${name}' contains '{{' or '}}'`, {
          hint: 'variables are not filled inside variables; write the text out',
        }),
      );
    }
  }
  return problems;
}
