/**
 * The model's limits and defaults, in one place (docs/runcomfy-api.md). Limits marked "upstream"
 * are Kling's as other providers document them; RunComfy has not published its own.
 */
import type { KlingRequest } from './types.js';

/** Upstream limit for the top-level prompt (and, by the same providers, the negative prompt). */
export const MAX_PROMPT_CHARS = 2500;
/** Upstream limit for each multi_prompt segment's prompt. */
export const MAX_SHOT_PROMPT_CHARS = 512;
/** Clip and segment durations, from the seed's input schema. */
export const MIN_SECONDS = 3;
export const MAX_SECONDS = 15;
/** Upstream limit on shots; with 3 s segments in at most 15 s, only 5 can ever fit. */
export const KLING_MAX_SHOTS = 6;
export const MAX_SEGMENTS = Math.min(KLING_MAX_SHOTS, Math.floor(MAX_SECONDS / MIN_SECONDS));
/** One segment is just a single shot; saying so early beats an untested edge of the API. */
export const MIN_SEGMENTS = 2;

/** The seed's defaults, stated explicitly in every payload so a provider change cannot alter a job. */
export const KLING_DEFAULTS = {
  negative_prompt: '',
  duration: 5,
  aspect_ratio: '16:9',
  cfg_scale: 0.5,
  sound: true,
} as const satisfies Partial<KlingRequest>;
