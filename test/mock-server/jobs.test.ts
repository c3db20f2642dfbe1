/** The mock's queue on a clock the test controls: queue time, slots, first come first served. */
import { describe, expect, it } from 'vitest';
import type { KlingRequest } from '../../src/plan/types.js';
import { JobBoard } from '../../src/providers/mock-server/jobs.js';

const body = { prompt: 'x', duration: 3 } as KlingRequest;

function board(timing: { queueMs: number; generationMs: number; slots: number }) {
  let now = 1_000;
  const jobs = new JobBoard(timing, () => now);
  return {
    jobs,
    at: (time: number) => {
      now = 1_000 + time;
    },
  };
}

describe('the mock job queue', () => {
  it('queues, then generates, then completes on the server clock', () => {
    const { jobs, at } = board({ queueMs: 100, generationMs: 500, slots: 1 });
    const job = jobs.create('m', body);
    expect(jobs.get(job.id)?.state).toBe('in_queue');
    at(99);
    expect(jobs.get(job.id)?.state).toBe('in_queue');
    at(100);
    expect(jobs.get(job.id)?.state).toBe('in_progress');
    at(600);
    expect(jobs.get(job.id)?.state).toBe('completed');
    expect(jobs.get(job.id)?.finishedAt).toBe(1_600);
  });

  it('serves jobs first come, first served, as slots free up, even when nobody looked meanwhile', () => {
    const { jobs, at } = board({ queueMs: 0, generationMs: 100, slots: 2 });
    const [a, b, c, d] = [1, 2, 3, 4].map(() => jobs.create('m', body));
    expect(jobs.queuePosition(jobs.get(c!.id)!)).toBe(0);
    expect(jobs.queuePosition(d!)).toBe(1);
    at(250); // a, b ran 0..100; c, d ran 100..200
    expect([a, b, c, d].map((job) => jobs.get(job!.id)?.state)).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
    ]);
    expect(jobs.get(c!.id)?.startedAt).toBe(1_100);
    expect(jobs.get(d!.id)?.finishedAt).toBe(1_200);
  });

  it('cancels only queued jobs, and a cancelled job frees its place in the queue', () => {
    const { jobs, at } = board({ queueMs: 0, generationMs: 100, slots: 1 });
    const running = jobs.create('m', body);
    const first = jobs.create('m', body);
    const second = jobs.create('m', body);
    at(10);
    expect(jobs.cancel(running.id)).toBe('not_cancellable');
    expect(jobs.cancel(first.id)).toBe('cancelled');
    expect(jobs.cancel(first.id)).toBe('cancelled');
    expect(jobs.queuePosition(jobs.get(second.id)!)).toBe(0);
    at(150);
    expect(jobs.get(second.id)?.state).toBe('in_progress');
    expect(jobs.cancel('unknown')).toBeUndefined();
  });

  it('ends jobs as a fault asked: failed with a reason, or cancelled by the provider', () => {
    const { jobs, at } = board({ queueMs: 0, generationMs: 10, slots: 2 });
    const failed = jobs.create('m', body, { as: 'failed', reason: 'policy' });
    const cancelled = jobs.create('m', body, { as: 'cancelled' });
    at(20);
    expect(jobs.get(failed.id)?.state).toBe('failed');
    expect(jobs.get(cancelled.id)?.state).toBe('cancelled');
  });

  it('starts nothing "in the past" when slots are added later', () => {
    const { jobs, at } = board({ queueMs: 0, generationMs: 100, slots: 0 });
    const job = jobs.create('m', body);
    at(1_000);
    expect(jobs.get(job.id)?.state).toBe('in_queue');
    jobs.setTiming({ slots: 1 });
    expect(jobs.get(job.id)?.startedAt).toBe(2_000);
  });
});
