import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../src/run/journal/record.js';
import { LAG_FRACTION, MAX_GROWTH, PollPlanner, pollDelay } from '../../src/run/poll-schedule.js';
import { decide } from '../../src/run/resume.js';
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
  const cases: [string, JobRecord | undefined, boolean, string][] = [
    ['never journaled', undefined, false, 'submit new'],
    ['a verified clip in the store', record('verified', { requestId: 'r' }), true, 'reuse'],
    ['a verified job whose clip is gone', record('verified', { requestId: 'r' }), false, 'refetch'],
    [
      'a clip in the store, record not yet verified (killed after the rename)',
      record('downloading', { requestId: 'r' }),
      true,
      'reuse',
    ],
    ['submitting with no request id', record('submitting'), false, 'submit maybe_submitted'],
    ['queued', record('queued', { requestId: 'r' }), false, 'poll in_flight'],
    ['generating', record('generating', { requestId: 'r' }), false, 'poll in_flight'],
    ['downloading', record('downloading', { requestId: 'r' }), false, 'poll interrupted_download'],
    ['timed out', record('timed_out', { requestId: 'r' }), false, 'poll timed_out'],
    [
      'failed remotely',
      record('failed', { requestId: 'r', error: { kind: 'generation', message: '' } }),
      false,
      'submit failed',
    ],
    [
      'failed to download',
      record('failed', { requestId: 'r', error: { kind: 'transient', message: '' } }),
      false,
      'poll failed_locally',
    ],
    [
      'a clip that failed verification',
      record('failed', { requestId: 'r', error: { kind: 'media', message: '' } }),
      false,
      'poll failed_locally',
    ],
    [
      'refused at submission',
      record('failed', { error: { kind: 'rejected', message: '' } }),
      false,
      'submit failed',
    ],
    ['cancelled', record('cancelled', { requestId: 'r' }), false, 'submit cancelled'],
  ];
  for (const [name, rec, stored, expected] of cases) {
    it(`${name}: ${expected}`, () => {
      const decision = decide({ record: rec, storedClipOk: stored, rerender: false });
      expect([decision.action, 'reason' in decision ? decision.reason : ''].join(' ').trim()).toBe(expected);
    });
  }

  it('--rerender submits even a verified clip', () => {
    expect(decide({ record: record('verified'), storedClipOk: true, rerender: true })).toEqual({
      action: 'submit',
      reason: 'rerender',
    });
  });

  it('status names a lost submission answer', () => {
    expect(conditionOf(record('submitting'), false)).toBe('may_have_been_submitted');
    expect(conditionOf(record('verified'), true)).toBe('done');
    expect(conditionOf(undefined, false)).toBe('not_started');
  });
});
