/**
 * The cut: what the finished film is, as pure data. The planner builds it from a variant (no disk,
 * no network); the finishing stage compiles it to one ffmpeg pass; the report and timeline.otio
 * describe it. One source, three views. Times are seconds on the finished film's clock unless a
 * field says otherwise; frame-exact arithmetic is done at `fps` when compiled.
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
  /** Seconds; 0 for a cut. A crossfade overlaps its neighbours by this much; a dip does not. */
  duration: number;
  /** Index into `segments` of the outgoing clip. */
  after: number;
  /** Film time at which the transition starts. */
  filmStart: number;
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
  /** Absolute path, resolved by the shell from the storyboard's folder. */
  image?: string;
  text?: string;
  /** `#rrggbb`. */
  background: string;
}

export interface CutMusic {
  /** Absolute path, resolved by the shell from the storyboard's folder. */
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
  segments: CutSegment[];
  transitions: CutTransition[];
  overlays: CutOverlay[];
  captions: CutCaption[];
  captionMode: CaptionMode;
  endCard?: CutEndCard;
  music?: CutMusic;
  /** Integrated LUFS target; undefined leaves the sound as generated. */
  loudness?: number;
  /** Absolute path of the font for supers, end card and burned captions; undefined: the bundled one. */
  font?: string;
  /** The finished film's length in seconds. */
  duration: number;
  /**
   * True when nothing is finished (no trims, only cuts, no overlays, captions burned, end card,
   * music or loudness): the film is the stream-copy join, as without finishing.
   */
  plain: boolean;
}
