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
}
/**
 * One shot of a multi-shot scene.
 */
export interface Segment {
  prompt: string;
  duration: Seconds;
}
export interface Variant {
  defaults?: Defaults;
  vars?: Vars;
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
 * Fields that replace those of the scene with this id (multi_prompt is replaced whole).
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
}
