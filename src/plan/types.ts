/** What the planner produces: the exact requests a render will send. Pure data, no behaviour. */
import type { Cut } from '../cut/types.js';

export const KLING_MODEL_ID = 'kling/kling-3.0/standard/text-to-video';

export type AspectRatio = '16:9' | '9:16' | '1:1';
export type ShotType = 'intelligent' | 'customize';

export interface Shot {
  prompt: string;
  duration: number;
}

/**
 * The request body RunComfy receives, with every field of the seed's input schema stated explicitly
 * (even those equal to the API's defaults) so that a change of the provider's defaults cannot
 * silently change a film or a job key.
 */
export interface KlingRequest {
  prompt: string;
  negative_prompt: string;
  duration: number;
  aspect_ratio: AspectRatio;
  cfg_scale: number;
  sound: boolean;
  shot_type: ShotType;
  multi_prompt: Shot[];
}

export interface PlannedJob {
  /** The scene id (safe as a file name). */
  scene: string;
  /** 0-based position of the scene in this variant's film. */
  index: number;
  /** The clip's file name in the variant folder, like `01-street.mp4`. */
  clipName: string;
  model: string;
  payload: KlingRequest;
  /** Seconds. */
  duration: number;
  /**
   * Which generation of this request the film uses: 1 is the first, 2 or more a retake (the same
   * payload, generated again). Never part of the payload: the provider receives the same request.
   * The planner always sets it; absent (plans made by hand) means 1.
   */
  take?: number;
  /** sha256 (hex) of model + canonical payload (+ take from 2): the same request always has the same key. */
  key: string;
  /** Estimated cost in USD from the price table. */
  cost: number;
  /** The shots as the viewer will see them: the segments, or one shot for an `intelligent` scene. */
  shots: Shot[];
}

export interface Plan {
  /** The storyboard file as given on the command line. */
  file: string;
  /** The storyboard's name: its file name without extension; names the output folder. */
  storyboard: string;
  title: string;
  variant: string;
  /** Every variant of the storyboard, `default` first, then in file order (optional: plans by hand). */
  variants?: string[];
  jobs: PlannedJob[];
  totalDuration: number;
  totalCost: number;
  /**
   * The finished film (trims, transitions, supers, captions, end card, music, loudness), built by the
   * planner from the same variant. Optional so that plans made by hand (tests) need not carry one;
   * the planner always sets it. Nothing in it enters a job key.
   */
  cut?: Cut;
}

/** USD per second of generated video; a user can override it (see README, "Prices"). */
export interface PriceTable {
  perSecondWithSound: number;
  perSecondSilent: number;
  /** Where the figures come from (shown beside estimates); the price file's name when not given. */
  source?: string;
}
