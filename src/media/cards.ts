/**
 * The look of a placeholder clip, as pure data: how long each shot's card lasts, its colour, tone and
 * the wrapped lines of text it shows. synth.ts turns this into files and an ffmpeg run.
 */

export interface CardShot {
  prompt: string;
  duration: number;
}

/** The scene a clip is for, as the film numbers it (1-based): drawn on every card of the clip. */
export interface CardScene {
  id: string;
  number: number;
}

export interface CardLayout {
  durationSec: number;
  background: string;
  toneHz: number;
  header: string;
  body: string;
  /** The body's font size and line spacing: as large as lets the whole prompt fit. */
  bodySize: number;
  bodyLineSpacing: number;
  footer?: string;
}

export interface TextMetrics {
  width: number;
  height: number;
  headerSize: number;
  /** The largest body size; a long prompt gets a smaller one, down to minBodySize. */
  bodySize: number;
  minBodySize: number;
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
  return {
    width,
    height,
    headerSize,
    minBodySize: Math.max(6, Math.round(base / 48)),
    ...bodyMetrics(width, height, bodySize),
  };
}

function bodyMetrics(width: number, height: number, bodySize: number) {
  const bodyLineSpacing = Math.round(bodySize * 0.25);
  return {
    bodySize,
    bodyLineSpacing,
    charsPerLine: Math.max(8, Math.floor((width * 0.88) / (bodySize * 0.58))),
    maxBodyLines: Math.max(1, Math.floor((height * 0.6) / (bodySize + bodyLineSpacing))),
  };
}

/**
 * The prompt wrapped at the largest body size at which all of it fits: a long prompt is shown whole
 * in smaller type rather than cut. Only past the smallest size does it end with an ellipsis.
 */
export function fitBody(
  text: string,
  metrics: TextMetrics,
): { body: string; bodySize: number; bodyLineSpacing: number } {
  for (let size = metrics.bodySize; size >= metrics.minBodySize; size -= 1) {
    const fit = bodyMetrics(metrics.width, metrics.height, size);
    const lines = wrapLines(text, fit.charsPerLine);
    if (lines.length <= fit.maxBodyLines || size === metrics.minBodySize) {
      return {
        body: wrapText(text, fit.charsPerLine, fit.maxBodyLines),
        bodySize: fit.bodySize,
        bodyLineSpacing: fit.bodyLineSpacing,
      };
    }
  }
  return { body: '', bodySize: metrics.bodySize, bodyLineSpacing: metrics.bodyLineSpacing };
}

/**
 * One card per shot. The cards always fill exactly `durationSec`: shots running past it are cut, and
 * the last card stretches when the shots are shorter (the clip's length is what the film relies on).
 *
 * Colour is the scene's: every card of a clip shares its hue (neighbouring scenes get different
 * ones), and a scene's shots alternate two shades of it, so a cut inside a scene still shows.
 */
export function layoutCards(
  durationSec: number,
  shots: readonly CardShot[],
  metrics: TextMetrics,
  options: { title?: string; scene?: CardScene } = {},
): CardLayout[] {
  const timed = fitToDuration(
    durationSec,
    shots.length > 0 ? shots : [{ prompt: '', duration: durationSec }],
  );
  const hue = sceneColour(options.scene, shots);
  const where = options.scene ? `Scene ${options.scene.number} · ${options.scene.id} · ` : '';
  return timed.map(({ shot, durationSec: cardSec }, index) => ({
    durationSec: cardSec,
    background: index % 2 === 0 ? hue : shade(hue, 0.72),
    toneHz: TONES_HZ[index % TONES_HZ.length]!,
    header: `${where}Shot ${index + 1}/${timed.length} · ${formatSeconds(cardSec)} s`,
    ...fitBody(shot.prompt, metrics),
    ...(options.title ? { footer: options.title } : {}),
  }));
}

/** By scene number when known (neighbours always differ); else by the prompts (stable per clip). */
function sceneColour(scene: CardScene | undefined, shots: readonly CardShot[]): string {
  const index = scene
    ? scene.number - 1
    : [...shots.map((shot) => shot.prompt).join('|')].reduce(
        (hash, character) => (hash * 31 + character.codePointAt(0)!) % 1_000_003,
        7,
      );
  return BACKGROUNDS[((index % BACKGROUNDS.length) + BACKGROUNDS.length) % BACKGROUNDS.length]!;
}

/** `0xRRGGBB` with each channel scaled by `factor`. */
function shade(colour: string, factor: number): string {
  const value = Number.parseInt(colour.slice(2), 16);
  const channels = [16, 8, 0].map((shift) => Math.round(((value >> shift) & 0xff) * factor));
  return `0x${channels.map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;
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
  const lines = wrapLines(text, charsPerLine);
  if (lines.length <= maxLines) return lines.join('\n');
  const kept = lines.slice(0, maxLines);
  const lastLine = [...kept[maxLines - 1]!];
  kept[maxLines - 1] = `${lastLine.slice(0, Math.max(0, charsPerLine - 1)).join('')}…`;
  return kept.join('\n');
}

function wrapLines(text: string, charsPerLine: number): string[] {
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
  return lines;
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
