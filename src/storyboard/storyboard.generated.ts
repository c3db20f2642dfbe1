/* Generated from schemas/storyboard.schema.json by scripts/gen-types.ts (npm run gen:types).
 * Do not edit by hand: change the schema and regenerate. */

export type AspectRatio = '16:9' | '9:16' | '1:1';
/**
 * How strictly the model follows the prompt, 0..1.
 */
export type CfgScale = number;
/**
 * Whole seconds, 3..15 (Kling's limits for a clip and for a segment).
 */
export type Seconds = number;
/**
 * 'cut': none; 'crossfade': the next scene fades in over this one (they overlap, the film is shorter by the duration); 'dip': through black (nothing overlaps, the film's length is unchanged).
 */
export type TransitionKind = 'cut' | 'crossfade' | 'dip';
/**
 * Seconds, for crossfade and dip.
 */
export type TransitionDuration = number;
/**
 * sidecar: film.srt and film.vtt; burn: drawn on the picture; both; none.
 */
export type CaptionMode = 'sidecar' | 'burn' | 'both' | 'none';
/**
 * A name that is safe as a file or folder name on every system.
 */
export type SafeName = string;
/**
 * 'intelligent': the model decides the cuts; 'customize': the multi_prompt segments do.
 */
export type ShotType = 'intelligent' | 'customize';
/**
 * The shots of a multi-shot scene; their durations sum to the scene's duration.
 */
export type MultiPrompt = Segment[];
/**
 * Which generation of the scene goes into the film: 1 (the default) is the first; 2 or more is a retake under its own job key. Every take stays in the clip store.
 */
export type Take = number;

/**
 * A storyreel storyboard, format version 1. Each scene becomes one Kling 3.0 standard text-to-video job. The planner checks what a schema cannot (duration sums, shot types, {{vars}}, limits of the model).
 */
export interface Storyboard {
  /**
   * The storyboard format version; this storyreel reads version 1.
   */
  version: 1;
  /**
   * The film's title, shown in reports; defaults to the file name.
   */
  title?: string;
  vars?: Vars;
  defaults?: Defaults;
  finish?: Finish;
  deliver?: Deliver;
  /**
   * The scenes, in film order. Each becomes one clip.
   *
   * @minItems 1
   * @maxItems 999
   */
  scenes: [Scene, ...Scene[]];
  /**
   * Other cuts of the same film. The base storyboard is always the variant 'default'.
   */
  variants?: {
    [k: string]: Variant | undefined;
  };
}
/**
 * Values for {{name}} placeholders, usable in every prompt.
 */
export interface Vars {
  [k: string]: string | undefined;
}
/**
 * Settings every scene inherits unless it says otherwise.
 */
export interface Defaults {
  aspect_ratio?: AspectRatio;
  sound?: boolean;
  cfg_scale?: CfgScale;
  negative_prompt?: string;
  duration?: Seconds;
}
/**
 * How the clips become a deliverable film; none of it changes a job (finishing never costs a generation).
 */
export interface Finish {
  /**
   * A TTF/OTF font file for supers, the end card and burned captions, relative to the storyboard's folder (default: the bundled DejaVu Sans).
   */
  font?: string;
  /**
   * Integrated loudness of the film in LUFS (EBU R128), true peak at most -1 dBTP; unset leaves the sound as generated.
   */
  loudness?: number;
  transition?: TransitionKind;
  transition_duration?: TransitionDuration;
  music?: Music;
  end_card?: EndCard;
  captions?: CaptionMode;
}
/**
 * A bed under the whole film.
 */
export interface Music {
  /**
   * An audio file, relative to the storyboard's folder.
   */
  file?: string;
  /**
   * dB applied to the file (default -12).
   */
  volume?: number;
  /**
   * Lowered while the clips' own sound plays (default true).
   */
  duck?: boolean;
  /**
   * Seconds of fade at the film's end (default 2).
   */
  fade_out?: number;
}
/**
 * A card appended after the last scene.
 */
export interface EndCard {
  /**
   * Seconds (default 3).
   */
  duration?: number;
  /**
   * An image (a logo), relative to the storyboard's folder, centred inside the title-safe area.
   */
  image?: string;
  /**
   * Drawn literally under the image; {{vars}} are filled.
   */
  text?: string;
  /**
   * '#rrggbb', '#rgb', 'black' or 'white' (default '#000000').
   */
  background?: string;
}
export interface Deliver {
  /**
   * Seconds; the planner refuses a cut whose finished length differs (by more than half a frame), with the sum.
   */
  length?: number;
}
export interface Scene {
  id: SafeName;
  prompt: string;
  negative_prompt?: string;
  duration?: Seconds;
  aspect_ratio?: AspectRatio;
  cfg_scale?: CfgScale;
  sound?: boolean;
  shot_type?: ShotType;
  multi_prompt?: MultiPrompt;
  trim?: Trim;
  transition?: TransitionKind;
  transition_duration?: TransitionDuration;
  take?: Take;
  /**
   * @maxItems 50
   */
  supers?: Super[];
  /**
   * @maxItems 100
   */
  captions?: Caption[];
}
/**
 * One shot of a multi-shot scene.
 */
export interface Segment {
  prompt: string;
  duration: Seconds;
}
/**
 * Seconds cut from the clip's head and tail (at least 1 s must remain).
 */
export interface Trim {
  start?: number;
  end?: number;
}
/**
 * Text over the picture, inside the aspect's title-safe area.
 */
export interface Super {
  /**
   * Drawn literally; {{vars}} are filled.
   */
  text: string;
  /**
   * Seconds from the scene's first shown frame, after trim (default 0).
   */
  at?: number;
  /**
   * Seconds on screen (default: to the end of the scene).
   */
  for?: number;
  /**
   * Default bottom.
   */
  position?: 'top' | 'center' | 'bottom' | 'lower-third';
}
/**
 * What is said, as a subtitle.
 */
export interface Caption {
  /**
   * {{vars}} are filled.
   */
  text: string;
  /**
   * Seconds from the scene's first shown frame, after trim (default 0).
   */
  at?: number;
  /**
   * Seconds (default: to the end of the scene).
   */
  for?: number;
}
export interface Variant {
  defaults?: Defaults;
  vars?: Vars;
  finish?: VariantFinish;
  deliver?: Deliver;
  /**
   * Patches by scene id.
   */
  scenes?: {
    [k: string]: ScenePatch | undefined;
  };
  /**
   * Keep only these scenes (in storyboard order).
   *
   * @minItems 1
   */
  only?: [string, ...string[]];
}
/**
 * Keys that replace the storyboard's finish keys for this variant (music and end_card key by key).
 */
export interface VariantFinish {
  /**
   * A TTF/OTF font file for supers, the end card and burned captions, relative to the storyboard's folder (default: the bundled DejaVu Sans).
   */
  font?: string;
  /**
   * Integrated loudness of the film in LUFS (EBU R128), true peak at most -1 dBTP; unset leaves the sound as generated.
   */
  loudness?: number;
  transition?: TransitionKind;
  transition_duration?: TransitionDuration;
  /**
   * Replaces keys of the storyboard's music; false removes the music.
   */
  music?: Music | false;
  /**
   * Replaces keys of the storyboard's end card; false removes it.
   */
  end_card?: EndCard | false;
  captions?: CaptionMode;
}
/**
 * Fields that replace those of the scene with this id (multi_prompt, supers and captions are replaced whole).
 */
export interface ScenePatch {
  prompt?: string;
  negative_prompt?: string;
  duration?: Seconds;
  aspect_ratio?: AspectRatio;
  cfg_scale?: CfgScale;
  sound?: boolean;
  shot_type?: ShotType;
  multi_prompt?: MultiPrompt;
  trim?: Trim;
  transition?: TransitionKind;
  transition_duration?: TransitionDuration;
  take?: Take;
  /**
   * @maxItems 50
   */
  supers?: Super[];
  /**
   * @maxItems 100
   */
  captions?: Caption[];
}
