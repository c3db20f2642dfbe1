/** `{{name}}` placeholders: finding them, filling them, and what can go wrong with them. */

export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

export interface Placeholder {
  /** What is between the braces, trimmed (`{{ product }}` -> `product`). */
  name: string;
  /** Offsets of the whole `{{...}}` in the template. */
  start: number;
  end: number;
}

export interface FilledText {
  text: string;
  /** Placeholders whose name is not a defined variable. */
  undefinedVars: Placeholder[];
  /** Placeholders that are not a variable name at all (`{{ my var }}`, `{{}}`). */
  malformed: Placeholder[];
  /** Offset of a `{{` or `}}` that belongs to no placeholder (an unclosed brace), if any. */
  strayBrace: number | undefined;
  /** True when the template had at least one placeholder. */
  hadPlaceholders: boolean;
}

export function findPlaceholders(template: string): Placeholder[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => ({
    name: (match[1] ?? '').trim(),
    start: match.index,
    end: match.index + match[0].length,
  }));
}

function strayBraceOffset(template: string, placeholders: Placeholder[]): number | undefined {
  let masked = template;
  for (const { start, end } of placeholders) {
    masked = masked.slice(0, start) + ' '.repeat(end - start) + masked.slice(end);
  }
  const offsets = [masked.indexOf('{{'), masked.indexOf('}}')].filter((offset) => offset >= 0);
  return offsets.length > 0 ? Math.min(...offsets) : undefined;
}

/** Replaces every `{{name}}` by its value. Values are inserted as they are: never filled again. */
export function fillVars(template: string, vars: ReadonlyMap<string, string>): FilledText {
  const placeholders = findPlaceholders(template);
  const undefinedVars: Placeholder[] = [];
  const malformed: Placeholder[] = [];
  let text = '';
  let last = 0;
  for (const placeholder of placeholders) {
    text += template.slice(last, placeholder.start);
    last = placeholder.end;
    const value = vars.get(placeholder.name);
    if (!VAR_NAME.test(placeholder.name)) malformed.push(placeholder);
    else if (value === undefined) undefinedVars.push(placeholder);
    else {
      text += value;
      continue;
    }
    text += template.slice(placeholder.start, placeholder.end);
  }
  text += template.slice(last);
  return {
    text,
    undefinedVars,
    malformed,
    strayBrace: strayBraceOffset(template, placeholders),
    hadPlaceholders: placeholders.length > 0,
  };
}
