/**
 * Escaping for values placed inside an ffmpeg filtergraph. ffmpeg parses a graph twice: once as a
 * graph (where `[ ] , ; ' \` are special) and once per filter option (where `: ' \` are special),
 * so a value has to be escaped for the option level first, then for the graph level.
 * https://ffmpeg.org/ffmpeg-filters.html#Notes-on-filtergraph-escaping
 */

/** Escapes a value (a file path, a colour, free text) to sit after `option=` in a filtergraph. */
export function filterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (character) => `\\${character}`);
  return optionLevel.replace(/[\\'[\],;]/g, (character) => `\\${character}`);
}

/** `name=key1=value1:key2=value2`, each value escaped. Numbers and simple expressions pass through. */
export function filter(name: string, options: Record<string, string | number | undefined>): string {
  const rendered = Object.entries(options)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? String(value) : filterValue(value)}`);
  return rendered.length > 0 ? `${name}=${rendered.join(':')}` : name;
}
