/** `{{vars}}` in finishing texts (supers, captions, the end card), checked as prompts are. */
import type { Problem } from '../errors.js';
import type { Sourced } from '../plan/resolve.js';
import { fillVars } from '../plan/vars.js';
import type { DocPath, SourceLocator } from '../storyboard/locate.js';
import { closestMatch } from '../storyboard/suggest.js';

/** Characters a super, caption or card text may have: more is a paragraph, not a super. */
export const MAX_TEXT_CHARS = 500;

export interface TextContext {
  locator: SourceLocator;
  vars: ReadonlyMap<string, Sourced<string>>;
}

/** The text with its variables filled, or undefined with the reasons appended to `problems`. */
export function fillText(
  template: string,
  at: DocPath,
  label: string,
  context: TextContext,
  problems: Problem[],
): string | undefined {
  const { locator, vars } = context;
  const values = new Map([...vars].map(([name, sourced]) => [name, sourced.value]));
  const filled = fillVars(template, values);
  const before = problems.length;
  for (const placeholder of filled.undefinedVars) {
    const match = closestMatch(placeholder.name, vars.keys());
    const hint = match ? `did you mean '${match}'?` : 'define it under `vars:`';
    problems.push(
      locator.problem(at, `undefined variable {{${placeholder.name}}}`, { offset: placeholder.start, hint }),
    );
  }
  for (const placeholder of filled.malformed) {
    const written = template.slice(placeholder.start, placeholder.end);
    problems.push(
      locator.problem(at, `'${written}' is not a variable`, {
        offset: placeholder.start,
        hint: "a variable name is letters, digits and '_', like {{product}}",
      }),
    );
  }
  if (filled.strayBrace !== undefined) {
    problems.push(
      locator.problem(at, "unmatched '{{' or '}}'", {
        offset: filled.strayBrace,
        hint: 'write a variable as {{name}}; braces cannot appear otherwise',
      }),
    );
  }
  if (problems.length > before) return undefined;
  const text = filled.text.trim();
  const after = filled.hadPlaceholders ? ' after filling {{vars}}' : '';
  if (text === '') {
    problems.push(locator.problem(at, `${label} is empty${after}`, { hint: 'write the text, or remove it' }));
    return undefined;
  }
  const length = [...text].length;
  if (length > MAX_TEXT_CHARS) {
    problems.push(
      locator.problem(
        at,
        `${label} is ${length} characters${after}; at most ${MAX_TEXT_CHARS} fit on screen`,
        {
          hint: 'shorten it, or split it into several supers',
        },
      ),
    );
    return undefined;
  }
  return text;
}
