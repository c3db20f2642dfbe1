import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../src/job/record.js';
import {
  JobPollClock,
  LAG_FRACTION,
  MAX_GROWTH,
  PollPlanner,
  pollDelay,
} from '../../src/run/poll-schedule.js';
import { decide, type StoredClip } from '../../src/run/resume.js';
import { conditionOf } from '../../src/run/status.js';
import { payload } from './fakes.js';

describe('the poll schedule', () => {
  it('never waits less than the interval (less its jitter) nor more than MAX_GROWTH times it, nor lags past 10%', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 10_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (interval, elapsed, random) => {
          const delay = pollDelay({ intervalMs: interval, elapsedMs: elapsed, random });
          expect(delay).toBeGreaterThanOrEqual(Math.floor(interval * 0.85));
          expect(delay).toBeLessThanOrEqual(interval * MAX_GROWTH);
          expect(delay).toBeLessThanOrEqual(Math.max(interval, elapsed * LAG_FRACTION) + 1);
        },
      ),
    );
  });

  it('asks a 2-minute job about 20 times at the default 5 s interval', () => {
    let elapsed = 0;
    let polls = 0;
    while (elapsed < 120_000) {
      elapsed += pollDelay({ intervalMs: 5000, elapsedMs: elapsed, random: 0.5 });
      polls += 1;
    }
    expect(polls).toBeGreaterThanOrEqual(15);
    expect(polls).toBeLessThanOrEqual(25);
  });
});

describe('the poll planner', () => {
  const done = (kind: number, unfinishedAtMs: number, completedAtMs: number) => ({
    kind,
    unfinishedAtMs,
    completedAtMs,
  });

  it('staggers a wave before anything is known: the k-th of N first waits interval x (k+1)/N', () => {
    const planner = new PollPlanner(1000, 4);
    expect([1, 2, 3, 4, 5].map(() => planner.firstDelay(5))).toEqual([250, 500, 750, 1000, 250]);
  });

  it('keeps the wave staggered until something is known: the wave as a whole looks every interval/N', () => {
    const planner = new PollPlanner(200, 8);
    const looks: number[] = [];
    // Eight jobs submitted together, each with its own jitter draw (as Math.random gives them).
    const next = Array.from({ length: 8 }, () => planner.firstDelay(5));
    for (let round = 0; round < 9; round++) {
      next.forEach((at, job) => {
        looks.push(at);
        next[job] = at + planner.delay(5, at, at, ((job * 37) % 8) / 8);
      });
    }
    const sorted = looks.sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((at, i) => at - sorted[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(200 / 8 + 1);
    // And once the jobs run long, the schedule grows again, by rule 1 (jitter and all).
    expect(planner.delay(5, 10_000, 9_900, 0)).toBe(
      pollDelay({ intervalMs: 200, elapsedMs: 10_000, random: 0 }),
    );
  });

  it('first asks a later job halfway into the bracket its length has, then often, and long past it as before', () => {
    const planner = new PollPlanner(1000, 8);
    expect(planner.knows(5)).toBe(false);
    planner.observe(done(5, 1800, 2200));
    expect(planner.knows(5)).toBe(true);
    expect(planner.firstDelay(5, 0)).toBe(2000);
    expect(planner.delay(5, 1500, 1000, 0)).toBe(500);
    // Woken past its first look: asked at once.
    expect(planner.delay(5, 2100, 1000, 0)).toBe(0);
    // Unfinished there (the middle): asked again at the earliest done.
    expect(planner.delay(5, 2050, 2000, 0)).toBe(150);
    // Unfinished then too, the first of its kind to be slower: often (a 25th of the interval).
    expect(planner.delay(5, 2210, 2200, 0)).toBe(30);
    expect(planner.delay(5, 4000, 3900, 0)).toBe(1000); // past 1.5x the bracket: the growing schedule
    // Another length learns nothing from it: it keeps its beat (its last look + the interval).
    expect(planner.knows(10)).toBe(false);
    expect(planner.delay(10, 1500, 1000, 0)).toBe(500);
    // Jobs vary: past the earliest done, polls a third of the spread seen apart, at most 5% of it.
    const slow = new PollPlanner(5000);
    slow.observe(done(10, 58_000, 62_000));
    slow.observe(done(10, 63_500, 64_000));
    expect(slow.delay(10, 62_000, 62_000, 0)).toBe(500); // (63.5 - 62) / 3
    slow.observe(done(10, 80_000, 81_000));
    expect(slow.delay(10, 62_000, 62_000, 0)).toBe(3100); // 5% of 62 s: the spread's third is more
  });

  it("narrows the bracket like a bisection, and once jobs vary past it, the fastest job's own bracket", () => {
    const planner = new PollPlanner(200, 8);
    planner.observe(done(5, 1000, 3000));
    expect(planner.firstDelay(5, 0)).toBe(2000);
    planner.observe(done(5, 2000, 2100)); // unfinished at the middle, done soon after
    expect(planner.firstDelay(5, 0)).toBe(2050);
    planner.observe(done(5, 2300, 2400)); // a slower one: the ends cross
    // Then halfway into the fastest job's own bracket (2000-2100), so that its end can still come down.
    expect(planner.firstDelay(5, 0)).toBe(2050);
  });

  it("counts a queued job's generation from when it was last seen queued, not from its submission", () => {
    const planner = new PollPlanner(1000, 8);
    // Queued until 9 s at least, running by 9.5 s, unfinished at 10.5 s, done by 12 s: it ran at
    // least 1 s (10.5 - 9.5) and at most 3 s (12 - 9).
    planner.observe({
      kind: 5,
      unfinishedAtMs: 10_500,
      completedAtMs: 12_000,
      queuedUntilMs: 9000,
      runningFromMs: 9500,
    });
    expect(planner.firstDelay(5, 0)).toBe(2000);
  });

  it('paces a job by the growing schedule while it is seen queued, then from its queue exit by the bracket', () => {
    const planner = new PollPlanner(1000, 1);
    planner.observe(done(5, 1800, 2200));
    const clock = new JobPollClock(planner, 5, 0);
    expect(clock.nextWait(0)).toBe(2000);
    clock.sent(2000);
    clock.seen('in_queue', 2000);
    expect(clock.expectsResult()).toBe(false);
    const queuedWait = clock.nextWait(2000);
    expect(queuedWait).toBeGreaterThanOrEqual(850);
    expect(queuedWait).toBeLessThanOrEqual(1000);
    clock.sent(3000);
    clock.seen('in_progress', 3000);
    expect(clock.expectsResult()).toBe(true);
    // Last seen queued at 2 s: its first look is 2 s into its generation, at 4 s.
    expect(clock.nextWait(3000)).toBe(1000);
  });

  it('wakes the sleepers of one length when its bracket changes, and only those', async () => {
    const planner = new PollPlanner(1000, 8);
    const woken: number[] = [];
    planner.onChange(5, () => woken.push(5));
    planner.onChange(10, () => woken.push(10));
    const unsubscribed = planner.onChange(5, () => woken.push(-5));
    unsubscribed();
    planner.observe(done(5, 1800, 2200));
    expect(woken).toEqual([5]);
    // Nothing new: no wake.
    planner.onChange(5, () => woken.push(55));
    planner.observe(done(5, 1000, 2500));
    expect(woken).toEqual([5]);
    // Each sleeper is woken once: the next change wakes only those who came since.
    planner.observe(done(5, 1900, 2100));
    expect(woken).toEqual([5, 55]);
  });

  it('on a simulated batch (40 jobs of ~2 s, 8 slots, 0.2 s interval) notices completions sooner than polling every interval, with fewer polls', () => {
    const short = { intervalMs: 200, durationMs: 2000, spreadMs: 61 };
    const planned = simulateBatch(short, (planner) => planner);
    const everyInterval = simulateBatch(short, () => undefined);
    expect(planned.lags.length).toBe(40);
    expect(percentile(planned.lags, 0.95)).toBeLessThan(200);
    expect(percentile(planned.lags, 0.5)).toBeLessThan(percentile(everyInterval.lags, 0.5) / 2);
    expect(planned.polls).toBeLessThan(everyInterval.polls / 2);
  });

  it('on 30 s generations at the default 5 s interval: lag p95 under 1 s, at most 2 polls per job per 10 s', () => {
    // Up to 10% slower than the fastest, spread over the batch.
    for (const spreadMs of [1, 400, 3000]) {
      const { lags, polls } = simulateBatch({ intervalMs: 5000, durationMs: 30_000, spreadMs }, (p) => p);
      expect(percentile(lags, 0.95)).toBeLessThan(1000);
      expect(polls / lags.length).toBeLessThanOrEqual(6);
    }
  });
});

/**
 * 8 slots each run 5 jobs back to back (a job starts when the previous one is noticed done), each
 * taking durationMs plus up to spreadMs; polls follow the planner (with its wakes) or, without one,
 * come every interval.
 */
function simulateBatch(
  {
    intervalMs: interval,
    durationMs,
    spreadMs,
  }: { intervalMs: number; durationMs: number; spreadMs: number },
  use: (planner: PollPlanner) => PollPlanner | undefined,
) {
  const planner = use(new PollPlanner(interval, 8));
  const lags: number[] = [];
  let polls = 0;
  let serial = 0;
  interface Sim {
    slot: number;
    left: number;
    start: number;
    duration: number;
    next: number;
    unfinishedAt: number;
    lastPolled?: number;
  }
  const begin = (slot: number, left: number, at: number): Sim => {
    const duration = durationMs + Math.round((((serial++ * 7919) % 1000) / 1000) * spreadMs);
    const first = planner ? planner.firstDelay(5, 0.5) : interval;
    return { slot, left, start: at, duration, next: at + first, unfinishedAt: 0 };
  };
  let running = Array.from({ length: 8 }, (_, slot) => begin(slot, 4, slot * 5));
  while (running.length > 0) {
    const job = running.reduce((a, b) => (b.next < a.next ? b : a));
    const now = job.next;
    polls += 1;
    const age = now - job.start;
    if (age < job.duration) {
      job.unfinishedAt = age;
      job.lastPolled = age;
      job.next = now + (planner ? planner.delay(5, age, age, 0.5) : interval);
      continue;
    }
    lags.push(age - job.duration);
    running = running.filter((other) => other !== job);
    if (planner) {
      // When the bracket changed, the others wake and plan again (as the watcher's naps do).
      if (planner.observe({ kind: 5, unfinishedAtMs: job.unfinishedAt, completedAtMs: age })) {
        for (const other of running)
          other.next = now + planner.delay(5, now - other.start, other.lastPolled, 0.5);
      }
    }
    if (job.left > 0) running.push(begin(job.slot, job.left - 1, now));
  }
  return { lags, polls };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function record(state: JobRecord['state'], extra: Partial<JobRecord> = {}): JobRecord {
  return {
    version: 1,
    id: 'k',
    key: 'k',
    provider: 'runcomfy',
    model: 'm',
    payload: payload('p'),
    state,
    submissions: [],
    transitions: [],
    cost: { estimated: 1 },
    ...extra,
  };
}

describe('what a rerun does with each job', () => {
  const cases: [string, JobRecord | undefined, StoredClip, string][] = [
    ['never journaled', undefined, 'none', 'submit new'],
    ['a verified clip in the store', record('verified', { requestId: 'r' }), 'recorded', 'reuse'],
    ['a verified job whose clip is gone', record('verified', { requestId: 'r' }), 'none', 'refetch'],
    [
      'a clip in the store, record not yet verified (killed after the rename)',
      record('downloading', { requestId: 'r' }),
      'unrecorded',
      'reuse',
    ],
    ['submitting with no request id', record('submitting'), 'none', 'submit maybe_submitted'],
    ['queued', record('queued', { requestId: 'r' }), 'none', 'poll in_flight'],
    ['generating', record('generating', { requestId: 'r' }), 'none', 'poll in_flight'],
    ['downloading', record('downloading', { requestId: 'r' }), 'none', 'poll interrupted_download'],
    ['timed out', record('timed_out', { requestId: 'r' }), 'none', 'poll timed_out'],
    [
      'failed remotely',
      record('failed', { requestId: 'r', error: { kind: 'generation', message: '' } }),
      'none',
      'submit failed',
    ],
    [
      'failed to download',
      record('failed', { requestId: 'r', error: { kind: 'transient', message: '' } }),
      'none',
      'poll failed_locally',
    ],
    [
      'a clip that failed verification',
      record('failed', { requestId: 'r', error: { kind: 'media', message: '' } }),
      'none',
      'poll failed_locally',
    ],
    [
      'refused at submission',
      record('failed', { error: { kind: 'rejected', message: '' } }),
      'none',
      'submit failed',
    ],
    ['cancelled', record('cancelled', { requestId: 'r' }), 'none', 'submit cancelled'],
    // A re-render under way: the request it paid for wins over the clip it replaces.
    [
      'a re-render in flight, the old clip in the store',
      record('queued', { requestId: 'r2' }),
      'recorded',
      'poll in_flight',
    ],
    [
      'a re-render timed out, the old clip in the store',
      record('timed_out', { requestId: 'r2' }),
      'recorded',
      'poll timed_out',
    ],
    [
      'a re-render whose download failed, the old clip in the store',
      record('failed', { requestId: 'r2', error: { kind: 'transient', message: '' } }),
      'recorded',
      'poll failed_locally',
    ],
    [
      'a re-render the provider failed, the old clip in the store',
      record('failed', { requestId: 'r2', error: { kind: 'generation', message: '' } }),
      'recorded',
      'reuse',
    ],
    [
      'a re-render whose answer was lost, the old clip in the store',
      record('submitting'),
      'recorded',
      'reuse',
    ],
  ];
  for (const [name, rec, stored, expected] of cases) {
    it(`${name}: ${expected}`, () => {
      const decision = decide({ record: rec, storedClip: stored, rerender: false });
      expect([decision.action, 'reason' in decision ? decision.reason : ''].join(' ').trim()).toBe(expected);
    });
  }

  it('--rerender submits even a verified clip', () => {
    expect(decide({ record: record('verified'), storedClip: 'recorded', rerender: true })).toEqual({
      action: 'submit',
      reason: 'rerender',
    });
  });

  it('--rerender collects a request still in flight instead of paying for another', () => {
    expect(
      decide({ record: record('queued', { requestId: 'r2' }), storedClip: 'none', rerender: true }),
    ).toEqual({ action: 'poll', requestId: 'r2', reason: 'in_flight' });
    // A timed-out one is given up, as its message says (`--rerender pays for a new one`).
    expect(
      decide({ record: record('timed_out', { requestId: 'r2' }), storedClip: 'none', rerender: true }),
    ).toEqual({ action: 'submit', reason: 'rerender' });
    expect(decide({ record: record('submitting'), storedClip: 'none', rerender: true })).toEqual({
      action: 'submit',
      reason: 'maybe_submitted',
    });
  });

  it('status names a lost submission answer', () => {
    expect(conditionOf(record('submitting'), false)).toBe('may_have_been_submitted');
    expect(conditionOf(record('verified'), true)).toBe('done');
    expect(conditionOf(undefined, false)).toBe('not_started');
  });
});
