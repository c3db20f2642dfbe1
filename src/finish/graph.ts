/**
 * The finishing compiler: a Cut (src/cut/types.ts) becomes ONE ffmpeg filtergraph for the film, plus
 * an audio-only graph that measures loudness first (then a gain, with a true-peak limiter when the
 * gain would push the peaks over the ceiling). Pure: no disk, no clock; the
 * shell (finish.ts) writes the texts and the graph to files and runs ffmpeg.
 *
 * Built for the bundled 2018 ffmpeg (4.1-era: no xfade, no tpad, no apad=pad_dur), on what works there
 * (../shared/docs/toolchain.md):
 * - the picture is ONE concat of pieces in film order: each scene (and the end card) as it is, except
 *   that where a crossfade joins two of them, the outgoing one's last frames and the incoming one's
 *   first frames become a piece of their own: the incoming head fading in through its alpha, overlaid
 *   on the outgoing tail (two streams of the same length, so `overlay` loses nothing). Only those
 *   frames are composited; every other frame goes from the decoder to the encoder untouched (an
 *   earlier version laid every clip on a full-length canvas: 1.2x the CPU and up to 1.1 GB of frames
 *   queued in the overlays). A dip fades to and from black on the clips themselves.
 * - clips are consumed in film order, so ffmpeg decodes one clip at a time (and a crossfade's two).
 * - everything is counted in frames (24 fps) and audio samples (48 kHz: 2000 a frame), never in
 *   seconds written as decimals, so the film is exactly the cut's length.
 * - text from a storyboard never enters the graph: drawtext reads it from a file (`textfile=`), with
 *   `expansion=none`, so quotes, colons, backslashes, `%{...}`, `;` and `[` are drawn as typed.
 */
import { FRAME_SIZES, superFontSize, titleSafe, wrapWords } from '../cut/layout.js';
import type { Cut, CutSegment, CutTransition, SuperPosition } from '../cut/types.js';
import { filter } from '../media/filtergraph.js';

export const SAMPLE_RATE = 48_000;
/** The true peak the level aims under: 0.5 dB below the -1 dBTP ceiling, for what AAC encoding adds. */
export const TRUE_PEAK_TARGET = -1.5;
/**
 * The limiter's lookahead and recovery, ms: 5 ms catches a click before it passes (with the 4x
 * oversampling, its inter-sample peaks too), 50 ms recovers without audible pumping on speech.
 */
const LIMITER_ATTACK_MS = 5;
const LIMITER_RELEASE_MS = 50;
/** Oversampling for the limiter: what a true-peak meter reads (ITU-R BS.1770: 4x at 48 kHz). */
const OVERSAMPLED_RATE = 4 * 48_000;

export interface FinishClip {
  file: string;
  hasAudio: boolean;
  /** The clip's picture size: a clip of the film's size is not scaled. */
  width: number;
  height: number;
}

/** A text drawn on the picture: its file name (inside FinishInputs.textDir) and its exact content. */
export interface FinishText {
  name: string;
  content: string;
}

export interface FinishInputs {
  /** One per cut segment, in order. */
  clips: FinishClip[];
  /** The film's picture size (the clips' size). */
  width: number;
  height: number;
  /** The font file for supers, burned captions and the end card text. */
  fontFile: string;
  /** The folder the shell writes the texts into (their paths appear in the graph, escaped). */
  textDir: string;
}

/**
 * How the film's mix is brought to `cut.loudness`: a gain (`volume`), and when that gain would put
 * the true peak over the ceiling, a true-peak limiter after it (alimiter on the sound oversampled
 * 4x, its auto-level off). The 2018 ffmpeg's loudnorm, the other way, fell short of loud targets on
 * peaky mixes (a click track asked for -14 LUFS stayed at -17.8); the limited gain is found by
 * measuring instead (finish.ts).
 */
export interface Level {
  gainDb: number;
  limit?: boolean;
}

/** The loudness of the mix as metered (ebur128, before any level change). */
export interface MixLoudness {
  integrated: number;
  truePeak: number;
}

/**
 * The gain that brings a mix metered at `measured` to `target` with its true peak under the ceiling.
 * Undefined when the peaks need a limiter. Silence stays silent.
 */
export function gainFor(target: number, measured: MixLoudness): Level | undefined {
  if (!(measured.integrated > -70)) return { gainDb: 0 };
  const gain = target - measured.integrated;
  if (measured.truePeak + gain > TRUE_PEAK_TARGET) return undefined;
  return { gainDb: Math.round(gain * 100) / 100 };
}

export interface FinishRecipe {
  /** Texts to write into textDir before running. */
  texts: FinishText[];
  /** The film's graph (for -filter_complex_script) and the arguments around it. */
  graph: string;
  args(graphFile: string, output: string): string[];
  frames: number;
  samples: number;
}

export interface MeasureRecipe {
  graph: string;
  args(graphFile: string): string[];
}

const QUIET = ['-hide_banner', '-nostdin', '-nostats'];
const DETERMINISTIC = ['-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact'];

/** Frames and samples of seconds that are whole frames already (the cut guarantees it). */
function frames(cut: Cut, seconds: number): number {
  return Math.round(seconds * cut.fps);
}

function samplesPerFrame(cut: Cut): number {
  return SAMPLE_RATE / cut.fps;
}

interface Scale {
  factor: number;
  safe: { x: number; y: number; width: number; height: number };
}

/** The title-safe area and font sizes of the aspect, scaled to the clips' actual size. */
function scaleFor(cut: Cut, inputs: FinishInputs): Scale {
  const reference = FRAME_SIZES[cut.aspectRatio];
  const factor = inputs.height / reference.height;
  const safe = titleSafe(cut.aspectRatio);
  return {
    factor,
    safe: {
      x: Math.round(safe.x * factor),
      y: Math.round(safe.y * factor),
      width: Math.round(safe.width * factor),
      height: Math.round(safe.height * factor),
    },
  };
}

/** Where a transition leaves frames of its neighbours: a dip is half out, half in (by frames). */
function dipParts(cut: Cut, t: CutTransition, before: CutSegment): { out: number; in: number } {
  const total = frames(cut, t.duration);
  const boundary = frames(cut, before.filmStart + before.shownDuration);
  const out = boundary - frames(cut, t.filmStart);
  return { out, in: total - out };
}

function incoming(cut: Cut, item: number): CutTransition | undefined {
  return cut.transitions.find((t) => t.after === item - 1);
}

function outgoing(cut: Cut, item: number): CutTransition | undefined {
  return cut.transitions.find((t) => t.after === item);
}

// ---------------------------------------------------------------- picture

/** Fades a video stream gets from the dips on its two sides (crossfades are pieces: crossfadePieces). */
function videoFades(cut: Cut, item: number, shownFrames: number): string[] {
  const fades: string[] = [];
  const into = incoming(cut, item);
  if (into?.kind === 'dip') {
    const parts = dipParts(cut, into, cut.segments[into.after]!);
    if (parts.in > 0) fades.push(filter('fade', { t: 'in', s: 0, n: parts.in }));
  }
  const out = item < cut.segments.length ? outgoing(cut, item) : undefined;
  if (out?.kind === 'dip') {
    const parts = dipParts(cut, out, cut.segments[item]!);
    if (parts.out > 0) fades.push(filter('fade', { t: 'out', s: shownFrames - parts.out, n: parts.out }));
  }
  return fades;
}

/** A scene's picture: exactly its shown frames, at the film's size, from time 0, dips applied. */
function segmentVideo(cut: Cut, inputs: FinishInputs, k: number): string {
  const segment = cut.segments[k]!;
  const first = frames(cut, segment.trimStart);
  const shown = frames(cut, segment.shownDuration);
  const { width, height } = inputs;
  const clip = inputs.clips[k]!;
  // A clip of another size is fitted inside the frame (letterboxed); one of the film's size is not
  // touched (no scaler, no copy).
  const resize =
    clip.width === width && clip.height === height
      ? []
      : [
          filter('scale', { w: width, h: height, force_original_aspect_ratio: 'decrease' }),
          filter('pad', { w: width, h: height, x: '(ow-iw)/2', y: '(oh-ih)/2', color: 'black' }),
        ];
  return `${[
    `[${k}:v]${filter('setpts', { expr: 'PTS-STARTPTS' })}`,
    filter('fps', { fps: cut.fps }),
    filter('trim', { start_frame: first, end_frame: first + shown }),
    filter('setpts', { expr: 'PTS-STARTPTS' }),
    ...resize,
    filter('setsar', { sar: 1 }),
    'format=yuv420p',
    ...videoFades(cut, k, shown),
  ].join(',')}[v${k}]`;
}

interface DrawText {
  file: string;
  size: number;
  y: string;
  x?: string;
  box?: boolean;
  from?: number;
  to?: number;
}

function drawtext(inputs: FinishInputs, text: DrawText): string {
  return filter('drawtext', {
    fontfile: inputs.fontFile,
    textfile: `${inputs.textDir}/${text.file}`,
    // `none`: a super's `%{pts}` is text to show, not an expansion to run.
    expansion: 'none',
    fontsize: text.size,
    fontcolor: 'white',
    line_spacing: Math.round(text.size * 0.2),
    borderw: Math.max(1, Math.round(text.size / 24)),
    bordercolor: 'black@0.6',
    ...(text.box ? { box: 1, boxcolor: 'black@0.5', boxborderw: Math.round(text.size / 4) } : {}),
    x: text.x ?? '(w-text_w)/2',
    y: text.y,
    // Frame numbers, not seconds: a super is on from its first frame up to (not including) its last.
    ...(text.from !== undefined ? { enable: `gte(n,${text.from})*lt(n,${text.to})` } : {}),
  });
}

function superY(position: SuperPosition, scale: Scale, height: number): string {
  const bottom = scale.safe.y + scale.safe.height;
  switch (position) {
    case 'top':
      return String(scale.safe.y);
    case 'center':
      return '(h-text_h)/2';
    case 'lower-third':
      return `min(${Math.round((height * 2) / 3)},${bottom}-text_h)`;
    default:
      return `${bottom}-text_h`;
  }
}

function lines(text: string, wrapAt: number | undefined): string {
  const paragraphs = text.split(/\r?\n/);
  return paragraphs
    .map((p) => (wrapAt ? wrapWords(p, wrapAt).join('\n') : p))
    .join('\n')
    .trimEnd();
}

function endCardVideo(cut: Cut, inputs: FinishInputs, scale: Scale, texts: FinishText[]): string[] {
  const card = cut.endCard!;
  const cardFrames = frames(cut, card.duration);
  const { width, height } = inputs;
  const chains: string[] = [];
  const bg = `0x${card.background.replace('#', '')}`;
  let stream = `${filter('color', { c: bg, s: `${width}x${height}`, r: cut.fps, d: cardFrames / cut.fps + 1 })},${filter('trim', { end_frame: cardFrames })},${filter('setsar', { sar: 1 })},format=yuv420p`;
  const imageInput = cut.segments.length + (cut.music ? 1 : 0);
  if (card.image) {
    chains.push(`${stream}[card0]`);
    const maxW = scale.safe.width;
    const maxH = Math.round(height * (card.text ? 0.45 : 0.6));
    chains.push(
      `[${imageInput}:v]${filter('scale', { w: `min(${maxW},iw)`, h: `min(${maxH},ih)`, force_original_aspect_ratio: 'decrease' })},format=rgba[logo]`,
    );
    const y = card.text ? `${Math.round(height * 0.42)}-h/2` : '(H-h)/2';
    chains.push(`[card0][logo]${filter('overlay', { x: '(W-w)/2', y, eof_action: 'repeat' })}[card1]`);
    stream = '[card1]format=yuv420p';
  }
  if (card.text) {
    texts.push({ name: 'end-card.txt', content: lines(card.text, card.wrapAt) });
    const size = Math.round(superFontSize(cut.aspectRatio) * scale.factor);
    const y = card.image ? `${Math.round(height * 0.72)}-text_h/2` : '(h-text_h)/2';
    stream += `,${drawtext(inputs, { file: 'end-card.txt', size, y })}`;
  }
  const item = cut.segments.length;
  const fades = videoFades(cut, item, cardFrames);
  chains.push(`${[stream, ...fades].join(',')}[vcard]`);
  return chains;
}

/** Frames of the crossfade on a side of item `item` (0 when none). */
function crossfadeFrames(cut: Cut, t: CutTransition | undefined): number {
  return t?.kind === 'crossfade' ? frames(cut, t.duration) : 0;
}

/**
 * The film's picture as pieces to concat, in order: each item whole where no crossfade touches it;
 * otherwise its head (the incoming crossfade's frames), body and tail (the outgoing one's), and for
 * each crossfade one piece: the incoming head fading in through its alpha over the outgoing tail.
 */
function pictureInPieces(cut: Cut, items: { label: string; frames: number }[], chains: string[]): string[] {
  const pieces: string[] = [];
  const rebase = filter('setpts', { expr: 'PTS-STARTPTS' });
  items.forEach(({ label, frames: shown }, k) => {
    const into = crossfadeFrames(cut, incoming(cut, k));
    const out = k < cut.segments.length ? crossfadeFrames(cut, outgoing(cut, k)) : 0;
    if (into === 0 && out === 0) {
      pieces.push(label);
      return;
    }
    const body = shown - into - out;
    const parts = [into > 0 ? 'head' : '', body > 0 ? 'body' : '', out > 0 ? 'tail' : ''].filter(Boolean);
    chains.push(`[${label}]split=${parts.length}${parts.map((part) => `[${label}${part}0]`).join('')}`);
    if (into > 0) {
      chains.push(
        `[${label}head0]${filter('trim', { end_frame: into })},${rebase},format=yuva420p,${filter('fade', { t: 'in', s: 0, n: into, alpha: 1 })}[${label}head]`,
      );
      chains.push(
        `[${items[k - 1]!.label}tail][${label}head]${filter('overlay', { eof_action: 'pass' })},format=yuv420p[x${label}]`,
      );
      pieces.push(`x${label}`);
    }
    if (body > 0) {
      chains.push(
        `[${label}body0]${filter('trim', { start_frame: into, end_frame: into + body })},${rebase}[${label}body]`,
      );
      pieces.push(`${label}body`);
    }
    if (out > 0) {
      chains.push(`[${label}tail0]${filter('trim', { start_frame: shown - out })},${rebase}[${label}tail]`);
    }
  });
  return pieces;
}

function videoGraph(cut: Cut, inputs: FinishInputs, texts: FinishText[]): string[] {
  const scale = scaleFor(cut, inputs);
  const { height } = inputs;
  const chains: string[] = [];
  const items = cut.segments.map((segment, k) => {
    chains.push(segmentVideo(cut, inputs, k));
    return { label: `v${k}`, frames: frames(cut, segment.shownDuration) };
  });
  if (cut.endCard) {
    chains.push(...endCardVideo(cut, inputs, scale, texts));
    items.push({ label: 'vcard', frames: frames(cut, cut.endCard.duration) });
  }
  const pieces = pictureInPieces(cut, items, chains);
  const below = 'picture';
  chains.push(
    `${pieces.map((piece) => `[${piece}]`).join('')}${filter('concat', { n: pieces.length, v: 1, a: 0 })}[${below}]`,
  );
  const draws: string[] = [];
  const superSize = Math.round(superFontSize(cut.aspectRatio) * scale.factor);
  cut.overlays.forEach((overlay, k) => {
    const file = `super-${k + 1}.txt`;
    texts.push({ name: file, content: lines(overlay.text, overlay.wrapAt) });
    const from = frames(cut, overlay.filmStart);
    draws.push(
      drawtext(inputs, {
        file,
        size: superSize,
        y: superY(overlay.position, scale, height),
        from,
        to: from + frames(cut, overlay.duration),
      }),
    );
  });
  if (cut.captionMode === 'burn' || cut.captionMode === 'both') {
    const size = Math.round(superSize * 0.75);
    // Roughly 0.55 em a character in DejaVu Sans: wrap to the title-safe width.
    const perLine = Math.max(8, Math.floor(scale.safe.width / (size * 0.55)));
    cut.captions.forEach((caption, k) => {
      const file = `caption-${k + 1}.txt`;
      texts.push({ name: file, content: lines(caption.text, perLine) });
      const from = frames(cut, caption.filmStart);
      draws.push(
        drawtext(inputs, {
          file,
          size,
          y: `${scale.safe.y + scale.safe.height}-text_h`,
          box: true,
          from,
          to: from + frames(cut, caption.duration),
        }),
      );
    });
  }
  chains.push(`[${below}]${[...draws, 'format=yuv420p'].join(',')}[vout]`);
  return chains;
}

// ---------------------------------------------------------------- sound

const STEREO = filter('aformat', {
  sample_fmts: 'fltp',
  sample_rates: SAMPLE_RATE,
  channel_layouts: 'stereo',
});

function silence(samples: number): string {
  return `${filter('anullsrc', { r: SAMPLE_RATE, cl: 'stereo' })},${filter('atrim', { end_sample: samples })},${STEREO}`;
}

function audioFades(cut: Cut, item: number, samples: number): string[] {
  const perFrame = samplesPerFrame(cut);
  const fades: string[] = [];
  const into = incoming(cut, item);
  if (into?.kind === 'dip') {
    const parts = dipParts(cut, into, cut.segments[into.after]!);
    if (parts.in > 0) fades.push(filter('afade', { t: 'in', ss: 0, ns: parts.in * perFrame }));
  }
  const out = item < cut.segments.length ? outgoing(cut, item) : undefined;
  if (out?.kind === 'dip') {
    const parts = dipParts(cut, out, cut.segments[item]!);
    const ns = parts.out * perFrame;
    if (ns > 0) fades.push(filter('afade', { t: 'out', ss: samples - ns, ns }));
  }
  return fades;
}

/** A segment's sound, exactly its shown length: the clip's (padded if short) or silence. */
function segmentAudio(cut: Cut, clip: FinishClip, k: number): string {
  const segment = cut.segments[k]!;
  const perFrame = samplesPerFrame(cut);
  const start = frames(cut, segment.trimStart) * perFrame;
  const samples = frames(cut, segment.shownDuration) * perFrame;
  const source = clip.hasAudio
    ? [
        `[${k}:a]${filter('aresample', { out_sample_rate: SAMPLE_RATE })}`,
        STEREO,
        filter('asetpts', { expr: 'PTS-STARTPTS' }),
        filter('atrim', { start_sample: start, end_sample: start + samples }),
        filter('asetpts', { expr: 'PTS-STARTPTS' }),
        // A clip whose sound ends early is padded with silence: the film keeps its length.
        'apad',
        filter('atrim', { end_sample: samples }),
      ].join(',')
    : silence(samples);
  return [source, ...audioFades(cut, k, samples)].join(',');
}

/** Samples of the crossfade into item `item` (0 when none). */
function crossfadeSamples(cut: Cut, t: CutTransition | undefined): number {
  return t?.kind === 'crossfade' ? frames(cut, t.duration) * samplesPerFrame(cut) : 0;
}

/**
 * The clips' sound (and the end card's silence) laid end to end, crossfaded where the picture is.
 * A crossfade is built from pieces (the outgoing tail faded out plus the incoming head faded in,
 * summed) and everything is joined by ONE concat: a chain of `acrossfade`s under a music bed made
 * the bundled 2018 ffmpeg crash (SIGSEGV) from twelve scenes on.
 */
function dialogue(cut: Cut, inputs: FinishInputs, chains: string[]): string {
  const perFrame = samplesPerFrame(cut);
  const items: { label: string; samples: number }[] = cut.segments.map((segment, k) => {
    const samples = frames(cut, segment.shownDuration) * perFrame;
    chains.push(`${segmentAudio(cut, inputs.clips[k]!, k)}[a${k}]`);
    return { label: `a${k}`, samples };
  });
  if (cut.endCard) {
    const samples = frames(cut, cut.endCard.duration) * perFrame;
    chains.push(`${[silence(samples), ...audioFades(cut, cut.segments.length, samples)].join(',')}[acard]`);
    items.push({ label: 'acard', samples });
  }
  const pieces: string[] = [];
  items.forEach(({ label, samples }, k) => {
    const into = crossfadeSamples(cut, incoming(cut, k));
    const out = k < cut.segments.length ? crossfadeSamples(cut, outgoing(cut, k)) : 0;
    if (into === 0 && out === 0) {
      pieces.push(label);
      return;
    }
    const body = samples - into - out;
    const parts = [into > 0 ? 'head' : '', body > 0 ? 'body' : '', out > 0 ? 'tail' : ''].filter(Boolean);
    chains.push(`[${label}]asplit=${parts.length}${parts.map((part) => `[${label}${part}0]`).join('')}`);
    const rebase = filter('asetpts', { expr: 'PTS-STARTPTS' });
    if (into > 0) {
      chains.push(
        `[${label}head0]${filter('atrim', { end_sample: into })},${filter('afade', { t: 'in', ss: 0, ns: into })}[${label}head]`,
      );
      // The previous item's tail and this head, summed (amerge + pan: no level change).
      chains.push(
        `[${items[k - 1]!.label}tail][${label}head]amerge=inputs=2,pan=stereo|c0=c0+c2|c1=c1+c3,${STEREO}[x${k}]`,
      );
      pieces.push(`x${k}`);
    }
    if (body > 0) {
      chains.push(
        `[${label}body0]${filter('atrim', { start_sample: into, end_sample: into + body })},${rebase}[${label}body]`,
      );
      pieces.push(`${label}body`);
    }
    if (out > 0) {
      chains.push(
        `[${label}tail0]${filter('atrim', { start_sample: samples - out })},${rebase},${filter('afade', { t: 'out', ss: 0, ns: out })}[${label}tail]`,
      );
    }
  });
  const total = frames(cut, cut.duration) * perFrame;
  chains.push(
    `${pieces.map((piece) => `[${piece}]`).join('')}concat=n=${pieces.length}:v=0:a=1,${STEREO},apad,${filter('atrim', { end_sample: total })}[dia]`,
  );
  return 'dia';
}

/** The clips' sound with the music bed under it (ducked while they sound), before loudness. */
function mixedSound(cut: Cut, inputs: FinishInputs, chains: string[]): string {
  const dia = dialogue(cut, inputs, chains);
  if (!cut.music) return dia;
  const music = cut.music;
  const total = frames(cut, cut.duration) * samplesPerFrame(cut);
  const fade = frames(cut, music.fadeOut) * samplesPerFrame(cut);
  const bed = [
    `[${cut.segments.length}:a]${filter('aresample', { out_sample_rate: SAMPLE_RATE })}`,
    STEREO,
    filter('asetpts', { expr: 'PTS-STARTPTS' }),
    'apad',
    filter('atrim', { end_sample: total }),
    filter('volume', { volume: `${music.volumeDb}dB` }),
    ...(fade > 0 ? [filter('afade', { t: 'out', ss: total - fade, ns: fade })] : []),
  ].join(',');
  chains.push(`${bed}[bed]`);
  if (music.duck) {
    chains.push(`[${dia}]asplit=2[dia1][dia2]`);
    // The clips' sound keys the compressor: the bed drops while someone speaks, returns after.
    chains.push(
      `[bed][dia1]${filter('sidechaincompress', { threshold: 0.02, ratio: 8, attack: 20, release: 400 })}[ducked]`,
    );
    chains.push(
      `[ducked][dia2]${filter('amix', { inputs: 2, duration: 'first', dropout_transition: 0 })}[mix]`,
    );
  } else {
    chains.push(
      `[bed][${dia}]${filter('amix', { inputs: 2, duration: 'first', dropout_transition: 0 })}[mix]`,
    );
  }
  return 'mix';
}

function levelFilters(level: Level): string[] {
  const gain = level.gainDb === 0 ? [] : [filter('volume', { volume: `${level.gainDb}dB` })];
  if (!level.limit) return gain;
  return [
    ...gain,
    filter('aresample', { out_sample_rate: OVERSAMPLED_RATE }),
    filter('alimiter', {
      limit: (10 ** (TRUE_PEAK_TARGET / 20)).toFixed(4),
      attack: LIMITER_ATTACK_MS,
      release: LIMITER_RELEASE_MS,
      level: 'false',
    }),
    filter('aresample', { out_sample_rate: SAMPLE_RATE }),
  ];
}

/**
 * The film's sound: the mix, then its level. `meter`: a measuring pass instead, that meters the mix
 * (with `level` applied, when a limited gain is being found).
 */
function soundGraph(cut: Cut, inputs: FinishInputs, level: Level | undefined, meter = false): string[] {
  const chains: string[] = [];
  const mix = mixedSound(cut, inputs, chains);
  const levelled = cut.loudness !== undefined && level ? levelFilters(level) : [];
  if (meter) {
    const ebur128 = filter('ebur128', { peak: 'true', framelog: 'verbose' });
    chains.push(`[${mix}]${[...levelled, ebur128].join(',')}[aout]`);
    return chains;
  }
  const total = frames(cut, cut.duration) * samplesPerFrame(cut);
  // The film's exact number of samples, whatever the filters above did at the edges.
  chains.push(
    `[${mix}]${[...levelled, STEREO, 'apad', filter('atrim', { end_sample: total })].join(',')}[aout]`,
  );
  return chains;
}

// ---------------------------------------------------------------- inputs and recipes

function inputArgs(cut: Cut, inputs: FinishInputs, withImage: boolean): string[] {
  const args = inputs.clips.flatMap((clip) => ['-i', clip.file]);
  // A bed shorter than the film loops; the graph cuts it to the film's length.
  if (cut.music) args.push('-stream_loop', '-1', '-i', cut.music.file);
  if (withImage && cut.endCard?.image) args.push('-i', cut.endCard.image);
  return args;
}

/** A measuring pass: the film's sound alone (no picture is decoded), metered, with `level` if given. */
export function measureRecipe(cut: Cut, inputs: FinishInputs, level?: Level): MeasureRecipe {
  const graph = soundGraph(cut, inputs, level, true).join(';\n');
  return {
    graph,
    args: (graphFile) => [
      ...QUIET,
      '-loglevel',
      'info',
      ...inputArgs(cut, inputs, false),
      '-filter_complex_script',
      graphFile,
      '-map',
      '[aout]',
      '-f',
      'null',
      '-',
    ],
  };
}

/** The film in one pass: picture, supers, end card, sound, loudness (measured values from pass one). */
export function finishRecipe(cut: Cut, inputs: FinishInputs, level: Level | undefined): FinishRecipe {
  if (inputs.clips.length !== cut.segments.length) {
    throw new Error(`finishRecipe: ${inputs.clips.length} clips for ${cut.segments.length} segments`);
  }
  const texts: FinishText[] = [];
  const graph = [...videoGraph(cut, inputs, texts), ...soundGraph(cut, inputs, level)].join(';\n');
  const total = frames(cut, cut.duration);
  return {
    texts,
    graph,
    frames: total,
    samples: total * samplesPerFrame(cut),
    args: (graphFile, output) => [
      ...QUIET,
      '-loglevel',
      'error',
      ...inputArgs(cut, inputs, true),
      '-filter_complex_script',
      graphFile,
      '-map',
      '[vout]',
      '-map',
      '[aout]',
      ...FINISH_ENCODING(cut.fps),
      '-map_metadata',
      '-1',
      ...DETERMINISTIC,
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      '-y',
      output,
    ],
  };
}

/** The finished film's encoding: the normalising join's (veryfast, CRF 18), AAC at 192 kb/s. */
export function FINISH_ENCODING(fps: number): string[] {
  return [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '18',
    '-pix_fmt',
    'yuv420p',
    '-r',
    String(fps),
    '-g',
    String(fps * 2),
    '-c:a',
    'aac',
    '-b:a',
    '192k',
    '-ar',
    String(SAMPLE_RATE),
    '-ac',
    '2',
  ];
}
