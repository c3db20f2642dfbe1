import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../src/job/record.js';
import { LAG_FRACTION, MAX_GROWTH, PollPlanner, pollDelay } from '../../src/run/poll-schedule.js';
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

  it('after a job completed, waits until a later job is about as old, then asks often', () => {
    const planner = new PollPlanner(1000);
    expect(planner.delay(0, 0)).toBe(1000);
    planner.observe(60_000);
    expect(planner.delay(0, 0)).toBe(60_000);
    expect(planner.delay(59_000, 0)).toBe(1000);
    expect(planner.delay(60_500, 0)).toBe(1000);
    const fine = new PollPlanner(5000);
    fine.observe(60_000);
    expect(fine.delay(61_000, 0)).toBe(3000);
    // Long past the fastest job (queued remotely, say): back to the growing schedule.
    expect(fine.delay(200_000, 0)).toBe(20_000);
  });
});

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
