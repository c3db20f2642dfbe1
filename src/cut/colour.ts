/** Colours a storyboard may write, normalised to the one form the finishing stage takes: `#rrggbb`. */

const NAMED: Record<string, string> = { black: '#000000', white: '#ffffff' };

/** `#rrggbb` for `#rgb`, `#rrggbb` (any case), `black` or `white`; undefined for anything else. */
export function parseColour(written: string): string | undefined {
  const text = written.trim().toLowerCase();
  if (NAMED[text]) return NAMED[text];
  if (/^#[0-9a-f]{6}$/.test(text)) return text;
  if (/^#[0-9a-f]{3}$/.test(text)) return `#${[...text.slice(1)].map((c) => c + c).join('')}`;
  return undefined;
}
