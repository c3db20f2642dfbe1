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

function cmapOffset(font: Buffer): number | undefined {
  const start = fontStart(font);
  const tables = font.readUInt16BE(start + 4);
  for (let i = 0; i < tables; i++) {
    const record = start + 12 + i * 16;
    if (font.toString('latin1', record, record + 4) === 'cmap') return font.readUInt32BE(record + 8);
  }
  return undefined;
}

function format4(font: Buffer, at: number): HasGlyph {
  const segments = font.readUInt16BE(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  return (cp) => {
    if (cp > 0xffff) return false;
    for (let s = 0; s < segments; s++) {
      if (cp > font.readUInt16BE(ends + s * 2)) continue;
      const first = font.readUInt16BE(starts + s * 2);
      if (cp < first) return false;
      const delta = font.readUInt16BE(deltas + s * 2);
      const rangeAt = rangeOffsets + s * 2;
      const rangeOffset = font.readUInt16BE(rangeAt);
      if (rangeOffset === 0) return ((cp + delta) & 0xffff) !== 0;
      const glyph = font.readUInt16BE(rangeAt + rangeOffset + 2 * (cp - first));
      return glyph !== 0 && ((glyph + delta) & 0xffff) !== 0;
    }
    return false;
  };
}

function format12(font: Buffer, at: number): HasGlyph {
  const groups = font.readUInt32BE(at + 12);
  return (cp) => {
    for (let g = 0; g < groups; g++) {
      const group = at + 16 + g * 12;
      if (cp >= font.readUInt32BE(group) && cp <= font.readUInt32BE(group + 4)) return true;
    }
    return false;
  };
}

/** The font's coverage, or undefined when it has no cmap this reader knows (then nothing is refused). */
export function fontCoverage(font: Buffer): HasGlyph | undefined {
  try {
    const cmap = cmapOffset(font);
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

/** The characters of `text` the font cannot draw (whitespace and controls aside), each once. */
export function missingGlyphs(text: string, hasGlyph: HasGlyph): string[] {
  const missing = new Set<string>();
  for (const char of text) {
    if (/\s|\p{Cc}|\p{Cf}/u.test(char)) continue;
    if (!hasGlyph(char.codePointAt(0)!)) missing.add(char);
  }
  return [...missing];
}
