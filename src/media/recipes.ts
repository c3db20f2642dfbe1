/**
 * Every ffmpeg / ffprobe argument list storyreel uses, built by pure functions (no I/O) so each
 * recipe can be read and tested on its own. run.ts executes them.
 */
import { filter } from './filtergraph.js';

/** Flags that keep the same inputs producing the same bytes (no encoder version, no timestamps). */
const DETERMINISTIC_OUTPUT = ['-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact'];
const WEB_FRIENDLY_MP4 = ['-movflags', '+faststart', '-f', 'mp4'];
const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error'];

export const AUDIO_SAMPLE_RATE = 48_000;
export const AUDIO_CHANNELS = 2;

/** ffprobe's JSON description of a file: container plus every stream. */
export function probeArgs(file: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file];
}

/** Counts the packets of the first video stream (used to prove a join copied instead of re-encoding). */
export function countVideoPacketsArgs(file: string): string[] {
  return [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-print_format',
    'json',
    file,
  ];
}

export interface CardText {
  /** A UTF-8 text file drawn as-is: `textfile=` avoids escaping user prompts inside the graph. */
  file: string;
  fontSize: number;
  lineSpacing: number;
  /** drawtext position expressions, in terms of w, h, text_w, text_h. */
  x: string;
  y: string;
}

export interface SynthCard {
  durationSec: number;
  /** `0xRRGGBB`. */
  background: string;
  toneHz: number;
  texts: CardText[];
}

export interface SynthesisRecipe {
  output: string;
  width: number;
  height: number;
  fps: number;
  durationSec: number;
  sound: boolean;
  /** Absent when no font was found: the cards are then plain colours. */
  fontFile?: string;
  cards: SynthCard[];
}

/** A placeholder clip: one coloured card per shot with its text, a quiet tone per shot when sound is on. */
export function synthesisArgs(recipe: SynthesisRecipe): string[] {
  const chains: string[] = [];
  const concatInputs: string[] = [];
  recipe.cards.forEach((card, index) => {
    chains.push(`${cardVideoChain(recipe, card)}[v${index}]`);
    concatInputs.push(`[v${index}]`);
    if (recipe.sound) {
      chains.push(`${cardAudioChain(card)}[a${index}]`);
      concatInputs.push(`[a${index}]`);
    }
  });
  const audio = recipe.sound ? 1 : 0;
  chains.push(
    `${concatInputs.join('')}concat=n=${recipe.cards.length}:v=1:a=${audio}[v]${recipe.sound ? '[a]' : ''}`,
  );
  return [
    ...QUIET,
    '-filter_complex',
    chains.join(';'),
    '-map',
    '[v]',
    ...(recipe.sound ? ['-map', '[a]'] : []),
    ...h264Encoding(recipe.fps),
    ...(recipe.sound ? aacEncoding() : ['-an']),
    '-t',
    String(recipe.durationSec),
    '-map_metadata',
    '-1',
    ...DETERMINISTIC_OUTPUT,
    ...WEB_FRIENDLY_MP4,
    '-y',
    recipe.output,
  ];
}

function cardVideoChain(recipe: SynthesisRecipe, card: SynthCard): string {
  const source = filter('color', {
    c: card.background,
    s: `${recipe.width}x${recipe.height}`,
    r: recipe.fps,
    d: card.durationSec,
  });
  const { fontFile } = recipe;
  if (!fontFile) return source;
  const texts = card.texts.map((text) =>
    filter('drawtext', {
      fontfile: fontFile,
      textfile: text.file,
      // `none`: a prompt's `%{...}` must be shown, not expanded.
      expansion: 'none',
      fontcolor: 'white',
      fontsize: text.fontSize,
      line_spacing: text.lineSpacing,
      x: text.x,
      y: text.y,
    }),
  );
  return [source, ...texts].join(',');
}

function cardAudioChain(card: SynthCard): string {
  return [
    filter('sine', { frequency: card.toneHz, sample_rate: AUDIO_SAMPLE_RATE, duration: card.durationSec }),
    filter('volume', { volume: 0.05 }),
    filter('aformat', { sample_fmts: 'fltp', sample_rates: AUDIO_SAMPLE_RATE, channel_layouts: 'stereo' }),
  ].join(',');
}

function h264Encoding(fps: number): string[] {
  return [
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-r',
    String(fps),
    // A fixed thread count: x264's output depends on it, and byte-identical clips need identical settings.
    '-threads',
    '2',
    // A keyframe every two seconds keeps a joined film seekable.
    '-g',
    String(fps * 2),
  ];
}

function aacEncoding(): string[] {
  return ['-c:a', 'aac', '-b:a', '128k', '-ar', String(AUDIO_SAMPLE_RATE), '-ac', String(AUDIO_CHANNELS)];
}
