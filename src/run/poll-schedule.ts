/**
 * When to ask a job's state again. The wait grows with the time the job has already taken, so that
 * the lag between "done remotely" and "noticed" stays a small fraction of the job's duration
 * (finished jobs free their slot promptly) while a long generation costs few requests:
 *
 *   delay = clamp(elapsed x LAG_FRACTION, interval, interval x MAX_GROWTH), minus up to 15% jitter
 *
 * With the default 5 s interval a 2-minute job is asked about 20 times, a 5-minute one about 30.
 * Jitter only shortens the wait, so the lag bound holds, and it keeps a batch submitted at once
 * from polling in lockstep.
 */
export const LAG_FRACTION = 0.1;
export const MAX_GROWTH = 4;
export const JITTER = 0.15;

export interface PollDelayInput {
  /** The configured poll interval (--poll-interval), in ms. */
  intervalMs: number;
  /** Time since the job was submitted (or since this run started watching it), in ms. */
  elapsedMs: number;
  /** A number in [0, 1); Math.random by default. */
  random?: number;
}

export function pollDelay({ intervalMs, elapsedMs, random = Math.random() }: PollDelayInput): number {
  const proportional = elapsedMs * LAG_FRACTION;
  const bounded = Math.min(Math.max(proportional, intervalMs), intervalMs * MAX_GROWTH);
  return Math.round(bounded * (1 - JITTER * random));
}
