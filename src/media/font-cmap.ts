/**
 * Which characters a TrueType/OpenType font has glyphs for, read from its `cmap` table (formats 4
 * and 12, the ones fonts for text carry). Pure: takes the file's bytes. Used to refuse a super in
 * Japanese or Arabic before anything is spent when the chosen font would draw empty boxes.
 */

export type HasGlyph = (codePoint: number) => boolean;

interface Subtable {
  platform: number;
  encoding: number;
  offset: number;
}

function fontStart(font: Buffer): number {
  return font.toString('latin1', 0, 4) === 'ttcf' ? font.readUInt32BE(12) : 0;
}

function tableOffset(font: Buffer, tag: string): number | undefined {
  const start = fontStart(font);
  const tables = font.readUInt16BE(start + 4);
  for (let i = 0; i < tables; i++) {
    const record = start + 12 + i * 16;
    if (font.toString('latin1', record, record + 4) === tag) return font.readUInt32BE(record + 8);
  }
  return undefined;
}

type GlyphIndex = (codePoint: number) => number;

function format4(font: Buffer, at: number): GlyphIndex {
  const segments = font.readUInt16BE(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let s = 0; s < segments; s++) {
      if (cp > font.readUInt16BE(ends + s * 2)) continue;
      const first = font.readUInt16BE(starts + s * 2);
      if (cp < first) return 0;
      const delta = font.readUInt16BE(deltas + s * 2);
      const rangeAt = rangeOffsets + s * 2;
      const rangeOffset = font.readUInt16BE(rangeAt);
      if (rangeOffset === 0) return (cp + delta) & 0xffff;
      const glyph = font.readUInt16BE(rangeAt + rangeOffset + 2 * (cp - first));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

function format12(font: Buffer, at: number): GlyphIndex {
  const groups = font.readUInt32BE(at + 12);
  return (cp) => {
    for (let g = 0; g < groups; g++) {
      const group = at + 16 + g * 12;
      const first = font.readUInt32BE(group);
      if (cp >= first && cp <= font.readUInt32BE(group + 4)) return font.readUInt32BE(group + 8) + cp - first;
    }
    return 0;
  };
}

function glyphIndex(font: Buffer): GlyphIndex | undefined {
  try {
    const cmap = tableOffset(font, 'cmap');
    if (cmap === undefined) return undefined;
    const count = font.readUInt16BE(cmap + 2);
    const subtables: Subtable[] = [];
    for (let i = 0; i < count; i++) {
      const record = cmap + 4 + i * 8;
      subtables.push({
        platform: font.readUInt16BE(record),
        encoding: font.readUInt16BE(record + 2),
        offset: cmap + font.readUInt32BE(record + 4),
      });
    }
    const byFormat = (format: number) =>
      subtables.find((s) => (s.platform === 0 || s.platform === 3) && font.readUInt16BE(s.offset) === format);
    const wide = byFormat(12);
    if (wide) return format12(font, wide.offset);
    const basic = byFormat(4);
    return basic ? format4(font, basic.offset) : undefined;
  } catch {
    return undefined; // a truncated table: ffmpeg's own load will say more than we can
  }
}

/** The font's coverage, or undefined when it has no cmap this reader knows (then nothing is refused). */
export function fontCoverage(font: Buffer): HasGlyph | undefined {
  const index = glyphIndex(font);
  return index ? (cp) => index(cp) !== 0 : undefined;
}

/**
 * Width of a line of text in pixels at `size` px, from the glyphs' advance widths (hmtx), without
 * kerning or shaping: close enough to decide whether a super fits (within a few per cent).
 * Undefined when the font lacks the tables.
 */
export function textWidth(font: Buffer, text: string, size: number): number | undefined {
  const index = glyphIndex(font);
  const head = tableOffset(font, 'head');
  const hhea = tableOffset(font, 'hhea');
  const hmtx = tableOffset(font, 'hmtx');
  if (!index || head === undefined || hhea === undefined || hmtx === undefined) return undefined;
  try {
    const unitsPerEm = font.readUInt16BE(head + 18);
    const metrics = font.readUInt16BE(hhea + 34);
    let units = 0;
    for (const char of text) {
      const glyph = Math.min(index(char.codePointAt(0)!), metrics - 1);
      units += font.readUInt16BE(hmtx + glyph * 4);
    }
    return (units * size) / unitsPerEm;
  } catch {
    return undefined;
  }
}

/** The characters of `text` the font cannot draw (whitespace and controls aside), each once. */
export function missingGlyphs(text: string, hasGlyph: HasGlyph): string[] {
  const missing = new Set<string>();
  for (const char of text) {
    if (/\s|\p{Cc}|\p{Cf}/u.test(char)) continue;
    if (!hasGlyph(char.codePointAt(0)!)) missing.add(char);
  }
  return [...missing];
}
