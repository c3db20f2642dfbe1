/**
 * The look of a placeholder clip, as pure data: how long each shot's card lasts, its colour, tone and
 * the wrapped lines of text it shows. synth.ts turns this into files and an ffmpeg run.
 */

export interface CardShot {
  prompt: string;
  duration: number;
}

export interface CardLayout {
  durationSec: number;
  background: string;
  toneHz: number;
  header: string;
  body: string;
  footer?: string;
}

export interface TextMetrics {
  headerSize: number;
  bodySize: number;
  bodyLineSpacing: number;
  charsPerLine: number;
  maxBodyLines: number;
}

/** Dark, clearly different backgrounds so a cut between shots is obvious; white text reads on all. */
const BACKGROUNDS = [
  '0x1f3a5f',
  '0x6b2d5c',
  '0x2d6a4f',
  '0x8a4b08',
  '0x4a4e69',
  '0x7f1d1d',
  '0x155e75',
  '0x5b3f8c',
];
/** A pentatonic scale: consecutive shots get different, never dissonant, tones. */
const TONES_HZ = [330, 392, 440, 523, 587, 659];

/** Font sizes and wrapping that fit the frame: DejaVu Sans averages about 0.55 em per character. */
export function textMetrics(width: number, height: number): TextMetrics {
  const base = Math.min(width, height);
  const bodySize = Math.max(8, Math.round(base / 16));
  const headerSize = Math.max(8, Math.round(base / 24));
  const bodyLineSpacing = Math.round(bodySize * 0.25);
  return {
    headerSize,
    bodySize,
    bodyLineSpacing,
    charsPerLine: Math.max(8, Math.floor((width * 0.88) / (bodySize * 0.58))),
    maxBodyLines: Math.max(1, Math.floor((height * 0.6) / (bodySize + bodyLineSpacing))),
  };
}

/**
 * One card per shot. The cards always fill exactly `durationSec`: shots running past it are cut, and
 * the last card stretches when the shots are shorter (the clip's length is what the film relies on).
 */
export function layoutCards(
  durationSec: number,
  shots: readonly CardShot[],
  metrics: TextMetrics,
  title?: string,
): CardLayout[] {
  const timed = fitToDuration(
    durationSec,
    shots.length > 0 ? shots : [{ prompt: '', duration: durationSec }],
  );
  return timed.map(({ shot, durationSec: cardSec }, index) => ({
    durationSec: cardSec,
    background: BACKGROUNDS[index % BACKGROUNDS.length]!,
    toneHz: TONES_HZ[index % TONES_HZ.length]!,
    header: `Shot ${index + 1}/${timed.length} · ${formatSeconds(cardSec)} s`,
    body: wrapText(shot.prompt, metrics.charsPerLine, metrics.maxBodyLines),
    ...(title ? { footer: title } : {}),
  }));
}

function fitToDuration(durationSec: number, shots: readonly CardShot[]) {
  const timed: { shot: CardShot; durationSec: number }[] = [];
  let start = 0;
  for (const shot of shots) {
    const end = Math.min(durationSec, start + Math.max(0, shot.duration));
    if (end > start) timed.push({ shot, durationSec: end - start });
    start = end;
  }
  if (timed.length === 0) return [{ shot: shots[0]!, durationSec }];
  const last = timed[timed.length - 1]!;
  last.durationSec += durationSec - start;
  return timed;
}

function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1);
}

/** Greedy word wrap; words longer than a line are split; text beyond `maxLines` ends with an ellipsis. */
export function wrapText(text: string, charsPerLine: number, maxLines: number): string {
  const words = text
    .split(/\s+/u)
    .filter(Boolean)
    .flatMap((word) => splitLongWord(word, charsPerLine));
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if ([...candidate].length <= charsPerLine) {
      line = candidate;
      continue;
    }
    lines.push(line);
    line = word;
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines.join('\n');
  const kept = lines.slice(0, maxLines);
  const lastLine = [...kept[maxLines - 1]!];
  kept[maxLines - 1] = `${lastLine.slice(0, Math.max(0, charsPerLine - 1)).join('')}…`;
  return kept.join('\n');
}

function splitLongWord(word: string, charsPerLine: number): string[] {
  const characters = [...word];
  if (characters.length <= charsPerLine) return [word];
  const parts: string[] = [];
  for (let index = 0; index < characters.length; index += charsPerLine) {
    parts.push(characters.slice(index, index + charsPerLine).join(''));
  }
  return parts;
}
