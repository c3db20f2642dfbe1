/**
 * When to ask a job's state again. Three rules keep both the lag ("done remotely" -> "noticed", which
 * keeps a slot busy for nothing) and the number of requests small:
 *
 * 1. The wait grows with the time the job has already taken, so the lag stays a small fraction of the
 *    job's duration while a long generation costs few requests:
 *      delay = clamp(elapsed x LAG_FRACTION, interval, interval x MAX_GROWTH), minus up to 15% jitter.
 *    With the default 5 s interval a 1-minute job is asked about 12 times, a 5-minute one about 30.
 * 2. Jobs of one length teach each other (PollPlanner). Each length keeps a bracket of how long its
 *    generation takes: the longest a job of it was seen running unfinished, and the shortest time in
 *    which one was seen done. A later job is first asked halfway between the two (when the two
 *    cross, as jobs vary, halfway into the fastest job's own bracket), so each wave narrows the
 *    bracket like a bisection; if it is unfinished there, it is asked again at the shorter, then
 *    every TAIL_FRACTION of that duration (between a quarter of the interval and the interval), or
 *    finer when the jobs seen so far vary less than that (see `tail`). Past 1.5x the bracket, rule 1
 *    again. Time spent in the provider's queue is not generation: a job's clock starts when it was
 *    last seen queued (at its submission if never), and while it is seen queued rule 1 paces it.
 * 3. Before anything is known, a wave submitted together is staggered: the k-th of N first waits
 *    interval x (k+1)/N, then each keeps to its beat, so the wave as a whole looks every interval/N,
 *    and the first completion it sees wakes the others (`changed`) to plan again from the new bracket.
 *
 * Jitter only shortens a wait, so the lag bound holds, and it keeps jobs that no stagger placed
 * (collected from an earlier run, or long past their interval) from polling in lockstep.
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

/** A generation's length, as its payload asks: jobs of one kind take about as long. */
export type JobKind = number;

/** What one job of this run showed, as ages (ms since its submission left). */
export interface Observation {
  kind: JobKind;
  /** When it was last seen unfinished (0 if never). */
  unfinishedAtMs: number;
  /** When it was first seen done. */
  completedAtMs: number;
  /** When it was last seen waiting in the provider's queue, if it ever was. */
  queuedUntilMs?: number | undefined;
  /** When it was first seen running, if it was. */
  runningFromMs?: number | undefined;
}

/** Bounds of a generation's length, in ms. */
interface Bracket {
  unfinishedMs: number;
  doneMs: number;
  /** How long the job seen done soonest had at least run: its own bracket is [this, doneMs]. */
  fastestRanMs: number;
}

export class PollPlanner {
  private readonly brackets = new Map<JobKind, Bracket>();
  /** Who sleeps until the bracket of a kind changes. */
  private readonly sleepers = new Map<JobKind, Set<() => void>>();
  private staggered = 0;

  constructor(
    readonly intervalMs: number,
    /** Jobs submitted together (the batch's concurrency): the width of the first stagger. */
    readonly waveSize = 1,
  ) {}

  /** Whether a job of this kind has been seen done: its next answer is likely the result. */
  knows(kind: JobKind): boolean {
    return this.brackets.has(kind);
  }

  /** The wait before a job's first poll, counting from its submission. */
  firstDelay(kind: JobKind, random = Math.random()): number {
    if (this.brackets.has(kind)) return this.delay(kind, 0, undefined, random);
    const wave = Math.max(1, this.waveSize);
    const place = this.staggered++ % wave;
    return Math.max(1, Math.round((this.intervalMs * (place + 1)) / wave));
  }

  /**
   * The wait before the next poll of a job of `elapsedMs` (ms since its generation may have
   * started: its submission, or when it was last seen queued), last asked at the age `lastPolledMs`
   * (undefined if never since): a job woken past its first look is asked at once, tail polls are
   * spaced from the last one.
   */
  delay(kind: JobKind, elapsedMs: number, lastPolledMs?: number, random = Math.random()): number {
    const bracket = this.brackets.get(kind);
    if (!bracket) return this.beforeAnythingKnown(elapsedMs, lastPolledMs, random);
    if (elapsedMs > Math.max(bracket.doneMs, bracket.unfinishedMs) * 1.5) {
      return pollDelay({ intervalMs: this.intervalMs, elapsedMs, random });
    }
    const { unfinishedMs, doneMs } = bracket;
    // Crossed ends (jobs vary): halfway into the fastest job's own bracket, so that its end, too,
    // can still come down (looking at the earliest done itself would never learn it was late).
    const lower = unfinishedMs < doneMs ? unfinishedMs : bracket.fastestRanMs;
    const firstLook = (lower + doneMs) / 2;
    if (elapsedMs < firstLook) return Math.round(firstLook - elapsedMs);
    if (lastPolledMs === undefined || lastPolledMs < firstLook) return 0;
    // Unfinished at the middle: by the earliest done, one of its kind was.
    if (lastPolledMs < doneMs) return Math.max(0, Math.round(doneMs - elapsedMs));
    return Math.max(0, Math.round(lastPolledMs + this.tail(bracket) * (1 - JITTER * random) - elapsedMs));
  }

  /**
   * Rule 3 kept up: while rule 1 would wait the bare interval, a job keeps its own beat (its last poll
   * plus the interval) without jitter, so the wave staggered by `firstDelay` stays staggered. With
   * jitter the eight beats of a 0.2 s wave drifted together within a few rounds, leaving 40-50 ms
   * between looks where the stagger promised 25 (measured on the mock): the first wave's completions,
   * and the slots they free, waited that much longer.
   */
  private beforeAnythingKnown(elapsedMs: number, lastPolledMs: number | undefined, random: number): number {
    if (lastPolledMs === undefined || elapsedMs * LAG_FRACTION > this.intervalMs) {
      return pollDelay({ intervalMs: this.intervalMs, elapsedMs, random });
    }
    return Math.max(0, Math.round(lastPolledMs + this.intervalMs - elapsedMs));
  }

  /**
   * The spacing of polls past the earliest done: TAIL_FRACTION of it (between a quarter of the
   * interval and the interval), finer when jobs were seen to vary less: the ends crossed by a
   * little (the slowest seen running past the fastest done) put a third of that between polls,
   * and a job that missed both looks on a bracket that never crossed is the first to vary.
   */
  private tail({ unfinishedMs, doneMs }: Bracket): number {
    const coarse = Math.min(Math.max(doneMs * TAIL_FRACTION, this.intervalMs / 4), this.intervalMs);
    const fine = Math.max(this.intervalMs / 25, 20);
    const spread = unfinishedMs - doneMs;
    return Math.min(coarse, Math.max(fine, spread > 0 ? spread / 3 : 0));
  }

  /**
   * A job submitted by this run completed: narrows its kind's bracket and, when that changed it,
   * wakes its sleepers. Says whether it changed.
   */
  observe(observation: Observation): boolean {
    const { kind } = observation;
    const { unfinishedMs, doneMs } = generationBounds(observation);
    const bracket = this.brackets.get(kind);
    if (!bracket) this.brackets.set(kind, { unfinishedMs, doneMs, fastestRanMs: unfinishedMs });
    else if (unfinishedMs > bracket.unfinishedMs || doneMs < bracket.doneMs) {
      bracket.unfinishedMs = Math.max(bracket.unfinishedMs, unfinishedMs);
      if (doneMs < bracket.doneMs) {
        bracket.doneMs = doneMs;
        bracket.fastestRanMs = unfinishedMs;
      }
    } else return false;
    const sleepers = this.sleepers.get(kind);
    this.sleepers.delete(kind);
    for (const wakeUp of sleepers ?? []) wakeUp();
    return true;
  }

  /**
   * Calls `wakeUp` once, when the bracket of `kind` next changes: a sleeping job then plans its wait
   * again. Returns what unsubscribes it (a nap that ended otherwise).
   */
  onChange(kind: JobKind, wakeUp: () => void): () => void {
    const sleepers = this.sleepers.get(kind) ?? new Set<() => void>();
    this.sleepers.set(kind, sleepers);
    sleepers.add(wakeUp);
    return () => {
      sleepers.delete(wakeUp);
    };
  }
}

/**
 * What one job says of its generation's length. Never seen queued: it ran from its submission, so
 * from 0 until at least its last unfinished answer, and no longer than its first done one. Seen
 * queued: it started after it was last seen queued (so it took at most done - that), and by the
 * time it was first seen running (so at least last unfinished - that).
 */
function generationBounds(observation: Observation): Omit<Bracket, 'fastestRanMs'> {
  const { unfinishedAtMs, completedAtMs, queuedUntilMs, runningFromMs } = observation;
  if (queuedUntilMs === undefined) return { unfinishedMs: unfinishedAtMs, doneMs: completedAtMs };
  const ranAtLeast =
    runningFromMs !== undefined && unfinishedAtMs > runningFromMs ? unfinishedAtMs - runningFromMs : 0;
  return { unfinishedMs: ranAtLeast, doneMs: Math.max(0, completedAtMs - queuedUntilMs) };
}

/** The remote states a poll can find a job in that matter to its schedule. */
export type SeenState = 'in_queue' | 'in_progress' | 'completed';

/**
 * One job's polls, for a job submitted by this run: its clock (ages count from when its submission
 * left), what it was seen doing when, and so when to ask next and what to teach the planner.
 */
export class JobPollClock {
  private polled = false;
  private lastPolledMs: number | undefined;
  private unfinishedAtMs = 0;
  private queuedUntilMs: number | undefined;
  private runningFromMs: number | undefined;
  private queuedNow = false;

  constructor(
    private readonly planner: PollPlanner,
    readonly kind: JobKind,
    private readonly bornAt: number,
  ) {}

  /** The wait from `now` before the next poll. */
  nextWait(now: number): number {
    const age = now - this.bornAt;
    if (!this.polled) return Math.max(0, this.planner.firstDelay(this.kind) - age);
    if (this.queuedNow) return pollDelay({ intervalMs: this.planner.intervalMs, elapsedMs: age });
    const from = this.queuedUntilMs ?? 0;
    const last = this.lastPolledMs === undefined ? undefined : this.lastPolledMs - from;
    return this.planner.delay(this.kind, age - from, last);
  }

  /** Its sleep was cut short by news of its kind: the next wait is planned from the bracket. */
  woken(): void {
    this.polled = true;
  }

  /** A poll left the client's limiter at `at`. */
  sent(at: number): void {
    this.polled = true;
    this.lastPolledMs = at - this.bornAt;
  }

  /** Whether to ask for the result straight away: one of its kind was seen done, and it runs. */
  expectsResult(): boolean {
    return this.planner.knows(this.kind) && !this.queuedNow;
  }

  /**
   * A poll sent at `sentAt` found it `state`. The time its answer is read comes later by however
   * busy this process is: a planner taught that would wait past every later job's completion.
   */
  seen(state: SeenState, sentAt: number): void {
    const age = sentAt - this.bornAt;
    this.polled = true;
    if (state === 'completed') {
      this.planner.observe({
        kind: this.kind,
        unfinishedAtMs: this.unfinishedAtMs,
        completedAtMs: age,
        queuedUntilMs: this.queuedUntilMs,
        runningFromMs: this.runningFromMs,
      });
      return;
    }
    this.unfinishedAtMs = age;
    this.queuedNow = state === 'in_queue';
    if (state === 'in_queue') this.queuedUntilMs = age;
    else this.runningFromMs ??= age;
  }
}
