/**
 * When to ask a job's state again. Two rules keep both the lag ("done remotely" -> "noticed", which
 * keeps a slot busy for nothing) and the number of requests small:
 *
 * 1. The wait grows with the time the job has already taken, so the lag stays a small fraction of the
 *    job's duration while a long generation costs few requests:
 *      delay = clamp(elapsed x LAG_FRACTION, interval, interval x MAX_GROWTH), minus up to 15% jitter.
 *    With the default 5 s interval a 1-minute job is asked about 12 times, a 5-minute one about 30.
 * 2. Once a job of this batch has completed, later jobs learn from it: none is asked before it has
 *    run as long as the fastest job was seen unfinished (a lower bound of its duration), then it is
 *    asked every TAIL_FRACTION of that duration, when completion is likely, so a slot is freed within
 *    a few percent of a job's duration. Past 1.5x that duration (a job queued remotely), rule 1 again.
 *    This mostly saves the requests of every wave after the first, and most of its lag.
 *
 * Jitter only shortens a wait, so the lag bound holds, and it keeps a batch submitted at once from
 * polling in lockstep.
 */
export const LAG_FRACTION = 0.1;
export const MAX_GROWTH = 4;
export const JITTER = 0.15;
/** Polls near the expected completion, as a fraction of the fastest job's duration. */
export const TAIL_FRACTION = 0.05;

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

/** Rule 2: learns from the jobs of one batch how soon a job can possibly be done. */
export class PollPlanner {
  private fastestMs: number | undefined;

  constructor(readonly intervalMs: number) {}

  /**
   * A job submitted by this run completed; it was last seen unfinished `unfinishedAtMs` after its
   * submission (0 when its first poll found it done, which teaches nothing).
   */
  observe(unfinishedAtMs: number): void {
    if (unfinishedAtMs > 0 && (this.fastestMs === undefined || unfinishedAtMs < this.fastestMs)) {
      this.fastestMs = unfinishedAtMs;
    }
  }

  delay(elapsedMs: number, random = Math.random()): number {
    const fastest = this.fastestMs;
    if (fastest === undefined || elapsedMs > fastest * 1.5) {
      return pollDelay({ intervalMs: this.intervalMs, elapsedMs, random });
    }
    if (elapsedMs < fastest) return Math.round(fastest - elapsedMs);
    const tail = Math.min(Math.max(fastest * TAIL_FRACTION, this.intervalMs / 4), this.intervalMs);
    return Math.round(tail * (1 - JITTER * random));
  }
}
