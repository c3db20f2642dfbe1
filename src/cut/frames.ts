/**
 * Time arithmetic of the cut. A storyboard's seconds (0.4, 4.5) are added up exactly, as whole
 * milliseconds, and only then snapped to the frame grid, once per boundary: rounding never
 * accumulates, and the sums in messages are the ones a person would write.
 */

/** The film's frame rate: Kling 3.0 standard's clips (and the preview provider's) are 24 fps. */
export const FILM_FPS = 24;

/** Exact milliseconds of a value written in seconds (finer digits than a millisecond are dropped). */
export function ms(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** The nearest frame at `fps` to a time in milliseconds. */
export function frameAt(milliseconds: number, fps = FILM_FPS): number {
  return Math.round((milliseconds * fps) / 1000);
}

/** Seconds of a whole number of frames. */
export function framesToSeconds(frames: number, fps = FILM_FPS): number {
  return frames / fps;
}

/** Seconds as a person writes them: `4.5`, `0.375`, `15`. */
export function formatSeconds(milliseconds: number): string {
  return String(milliseconds / 1000);
}

/** Seconds of a frame-exact time, to the millisecond, for messages (`4.583`). */
export function formatFrameSeconds(frames: number, fps = FILM_FPS): string {
  return String(Math.round((frames / fps) * 1000) / 1000);
}
