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
  // The extradata hash lets join tell whether two H.264 streams can share one track.
  return [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    '-show_data_hash',
    'sha256',
    file,
  ];
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

/**
 * The concat demuxer's list file. Inside single quotes nothing is special except the quote itself,
 * which closes the string, is escaped, and reopens it: `it's` -> `'it'\''s'`.
 */
export function concatList(files: readonly string[]): string {
  return files.map((file) => `file '${file.replaceAll("'", "'\\''")}'\n`).join('');
}

export interface SilentTrack {
  /** A clip without sound. */
  input: string;
  output: string;
  /** The clip's duration: the silence lasts exactly as long. */
  durationSec: number;
  /** The sound clips' AAC track, matched so that the join can copy every packet. */
  sampleRate: number;
  channels: number;
}

/**
 * The clip's video packets copied as they are, plus an AAC LC track of silence with the sample rate
 * and channels of the film's other clips: the clip can then join them by stream copy.
 */
export function silentTrackArgs(track: SilentTrack): string[] {
  const layout = track.channels === 1 ? 'mono' : track.channels === 2 ? 'stereo' : `${track.channels}c`;
  return [
    ...QUIET,
    '-i',
    track.input,
    '-f',
    'lavfi',
    '-t',
    String(track.durationSec),
    '-i',
    filter('anullsrc', { channel_layout: layout, sample_rate: track.sampleRate }),
    '-map',
    '0:v:0',
    '-map',
    '1:a:0',
    '-c:v',
    'copy',
    '-c:a',
    'aac',
    '-profile:a',
    'aac_low',
    '-ar',
    String(track.sampleRate),
    '-ac',
    String(track.channels),
    '-map_metadata',
    '-1',
    ...DETERMINISTIC_OUTPUT,
    '-f',
    'mp4',
    '-y',
    track.output,
  ];
}

/** Joins clips that share every codec parameter by copying their packets: no frame is re-encoded. */
export function concatCopyArgs(listFile: string, output: string): string[] {
  return [
    ...QUIET,
    '-f',
    'concat',
    // Absolute paths and names with any characters are ours to allow; we wrote the list.
    '-safe',
    '0',
    // Copy packets byte for byte: join only copies clips whose H.264 setup (SPS/PPS) is identical, so
    // there is nothing to convert, and by default the demuxer repeats that setup in each clip's first frame.
    '-auto_convert',
    '0',
    '-i',
    listFile,
    '-map',
    '0:v',
    '-map',
    '0:a?',
    '-c',
    'copy',
    '-map_metadata',
    '-1',
    ...DETERMINISTIC_OUTPUT,
    ...WEB_FRIENDLY_MP4,
    '-y',
    output,
  ];
}

export interface NormaliseInput {
  file: string;
  hasAudio: boolean;
  durationSec: number;
}

export interface NormaliseRecipe {
  clips: readonly NormaliseInput[];
  width: number;
  height: number;
  fps: number;
  output: string;
}

/**
 * Joins clips that differ (size, frame rate, audio or codec setup) by re-encoding them to one format:
 * each picture scaled to fit and padded (letterbox, never cropped), one frame rate, yuv420p, and a
 * silent track for clips without sound so the film has audio throughout.
 */
export function normaliseJoinArgs(recipe: NormaliseRecipe): string[] {
  const chains: string[] = [];
  const concatInputs: string[] = [];
  recipe.clips.forEach((clip, index) => {
    chains.push(`[${index}:v:0]${normalisedVideo(recipe)}[v${index}]`);
    const audioSource = clip.hasAudio
      ? `[${index}:a:0]`
      : `${filter('anullsrc', { channel_layout: 'stereo', sample_rate: AUDIO_SAMPLE_RATE })},${filter('atrim', { duration: clip.durationSec })},`;
    chains.push(`${audioSource}${normalisedAudio()}[a${index}]`);
    concatInputs.push(`[v${index}][a${index}]`);
  });
  chains.push(`${concatInputs.join('')}concat=n=${recipe.clips.length}:v=1:a=1[v][a]`);
  return [
    ...QUIET,
    ...recipe.clips.flatMap((clip) => ['-i', clip.file]),
    '-filter_complex',
    chains.join(';'),
    '-map',
    '[v]',
    '-map',
    '[a]',
    '-c:v',
    'libx264',
    // The film is what people watch: better than the placeholders' ultrafast, still quick.
    '-preset',
    'veryfast',
    '-crf',
    '18',
    '-pix_fmt',
    'yuv420p',
    '-r',
    String(recipe.fps),
    ...aacEncoding(),
    '-map_metadata',
    '-1',
    ...DETERMINISTIC_OUTPUT,
    ...WEB_FRIENDLY_MP4,
    '-y',
    recipe.output,
  ];
}

function normalisedVideo({ width, height, fps }: NormaliseRecipe): string {
  return [
    filter('scale', { w: width, h: height, force_original_aspect_ratio: 'decrease' }),
    filter('pad', { w: width, h: height, x: '(ow-iw)/2', y: '(oh-ih)/2', color: 'black' }),
    filter('setsar', { sar: 1 }),
    filter('fps', { fps }),
    filter('format', { pix_fmts: 'yuv420p' }),
  ].join(',');
}

function normalisedAudio(): string {
  return filter('aformat', {
    sample_fmts: 'fltp',
    sample_rates: AUDIO_SAMPLE_RATE,
    channel_layouts: 'stereo',
  });
}
