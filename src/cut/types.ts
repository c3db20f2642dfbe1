/**
 * The cut: what the finished film is, as pure data. The planner builds it from a variant (no disk,
 * no network: src/cut/build.ts); the finishing stage compiles it to one ffmpeg pass; the report and
 * timeline.otio describe it. One source, three views. Times are seconds on the finished film's clock
 * unless a field says otherwise.
 *
 * Frame exactness: every time and duration in a cut is a whole number of frames at `fps` (24, the
 * clips' rate): `Math.round(t * cut.fps)` is exact, and the frames add up (segment i ends on the
 * frame where segment i+1 starts, less a crossfade's overlap). What a storyboard writes (0.4 s) is
 * summed exactly first and snapped to the nearest frame once, at each boundary, so rounding never
 * accumulates along the film.
 */
import type { AspectRatio } from '../plan/types.js';

export type TransitionKind = 'cut' | 'crossfade' | 'dip';
export type SuperPosition = 'top' | 'center' | 'bottom' | 'lower-third';
export type CaptionMode = 'sidecar' | 'burn' | 'both' | 'none';

/** Where a value came from in the storyboard, for messages: `ad.yaml:14:9`. */
export interface SourceRef {
  file: string;
  line: number;
  col: number;
  path: string;
}

/** A file the cut uses; checked by the shell (exists, readable, right kind) before anything is submitted. */
export interface CutAsset {
  kind: 'music' | 'image' | 'font';
  /** As written in the storyboard, relative to its folder. */
  written: string;
  source: SourceRef;
}

/** One scene's clip as it appears in the film. */
export interface CutSegment {
  scene: string;
  /** 0-based position in the variant's plan (PlannedJob.index). */
  index: number;
  /** The job key of the clip (the finishing stage looks the clip up by it). */
  jobKey: string;
  /** Generated clip length, seconds (PlannedJob.duration). */
  clipDuration: number;
  /** Seconds cut from the clip's head and tail. */
  trimStart: number;
  trimEnd: number;
  /** clipDuration - trimStart - trimEnd. */
  shownDuration: number;
  /** When its first shown frame appears on the film's clock. */
  filmStart: number;
  /** Whether the clip has its own sound (payload.sound). */
  sound: boolean;
}

/** Between segment i and i+1 (and, for the end card, between the last scene and the card). */
export interface CutTransition {
  kind: TransitionKind;
  /**
   * Seconds; 0 for a cut. A crossfade overlaps its neighbours by this much (the incoming clip fades in
   * over the last `duration` seconds of the outgoing one, so the film is `duration` shorter). A dip
   * does not overlap or shorten the film: the outgoing clip fades to black over its last
   * `duration / 2` seconds and the incoming one fades up over its first `duration / 2`.
   */
  duration: number;
  /** Index into `segments` of the outgoing clip. */
  after: number;
  /** Film time at which the transition starts (a dip starts `duration / 2` before the boundary). */
  filmStart: number;
  /** True when it leads into the end card (then `after` is the last segment). */
  toEndCard?: boolean;
}

/** Text over the picture, drawn literally (never parsed as ffmpeg syntax). */
export interface CutOverlay {
  kind: 'super';
  scene: string;
  text: string;
  filmStart: number;
  duration: number;
  position: SuperPosition;
  source?: SourceRef;
  /**
   * Set by the shell's text check (src/run/assets.ts) when the text, at the finishing stage's size,
   * is wider than the title-safe area: break lines at most this many characters long (on spaces).
   */
  wrapAt?: number;
}

export interface CutCaption {
  scene: string;
  text: string;
  filmStart: number;
  duration: number;
  source?: SourceRef;
}

export interface CutEndCard {
  filmStart: number;
  duration: number;
  /**
   * The image as written (relative to the storyboard's folder) when the planner builds the cut; an
   * absolute path once the shell has checked the assets (resolveCutAssets), which every render does
   * before anything is submitted.
   */
  image?: string;
  text?: string;
  /** `#rrggbb`. */
  background: string;
  /** As CutOverlay.wrapAt, for `text`. */
  wrapAt?: number;
  /** Where `text` is written, for messages. */
  textSource?: SourceRef;
}

export interface CutMusic {
  /** As CutEndCard.image: as written from the planner, absolute after the shell's asset check. */
  file: string;
  /** dB applied to the file. */
  volumeDb: number;
  duck: boolean;
  /** Seconds at the film's end. */
  fadeOut: number;
}

export interface Cut {
  storyboard: string;
  variant: string;
  aspectRatio: AspectRatio;
  /** Whether assets were resolved to absolute paths by the shell (resolveCutAssets). */
  assetsResolved: boolean;
  segments: CutSegment[];
  transitions: CutTransition[];
  overlays: CutOverlay[];
  captions: CutCaption[];
  captionMode: CaptionMode;
  endCard?: CutEndCard;
  music?: CutMusic;
  /** Integrated LUFS target; undefined leaves the sound as generated. */
  loudness?: number;
  /** The font for supers, end card and burned captions (as CutEndCard.image); undefined: the bundled one. */
  font?: string;
  /** Every file above, with where it is written, for the shell's checks. */
  assets: CutAsset[];
  /** The frame rate every time in the cut is a whole number of frames of (24). */
  fps: number;
  /** The finished film's length in seconds. */
  duration: number;
  /**
   * True when nothing is finished (no trims, only cuts, no overlays, captions burned, end card,
   * music or loudness): the film is the stream-copy join, as without finishing.
   */
  plain: boolean;
}
