/**
 * A tiny HTML builder where every interpolated value is escaped unless it is already `Html`.
 * Prompts, titles and error messages are user input: escaping by default means forgetting to escape
 * one cannot open a hole, and only markup we build ourselves is ever inserted as-is.
 */

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character]!);
}

/** `html\`<p>${prompt}</p>\`` escapes `prompt`; nested `html` fragments and arrays of them pass through. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0]!;
  values.forEach((value, index) => {
    out += render(value) + strings[index + 1]!;
  });
  return new Html(out);
}

function render(value: Interpolation): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  // `false`/`null`/`undefined` render nothing so `${condition && html`...`}` reads naturally.
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * A relative URL for an attribute: each path segment percent-encoded, so a file name can neither
 * break out of the attribute nor become a `javascript:` URL.
 */
export function relativeUrl(relativePath: string): string {
  return relativePath
    .split(/[\\/]/)
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}
