/** The request limiter on a fake clock: bursts, the one-second bound, priorities, 429s and growth. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Priority, RequestLimiter, type Ticket } from '../../src/providers/runcomfy/limiter.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

function limiter(initial: number, max = initial): RequestLimiter {
  return new RequestLimiter({ initial, max, now: () => Date.now() });
}

/**
 * Starts `count` acquisitions and records when each one was let through; `answer`: the server
 * answers each at once, cleanly (otherwise the test answers them).
 */
function start(gate: RequestLimiter, count: number, priority: Priority = 'low', answer = true) {
  const left: Array<{ at: number; ticket: Ticket; index: number }> = [];
  const done = Array.from({ length: count }, (_, index) =>
    gate.acquire(priority).then((ticket) => {
      left.push({ at: Date.now(), ticket, index });
      if (answer) gate.answered(ticket, { kind: 'clean' });
      return ticket;
    }),
  );
  return { left, done };
}

function mostInAnySecond(times: number[]): number {
  return Math.max(0, ...times.map((from) => times.filter((at) => at >= from && at < from + 1000).length));
}

describe('the request limiter', () => {
  it('lets a burst up to its ceiling leave at once, the rest as tokens come back a second later', async () => {
    const gate = limiter(8);
    const { left } = start(gate, 20);
    await vi.advanceTimersByTimeAsync(0);
    expect(left).toHaveLength(8);
    await vi.advanceTimersByTimeAsync(999);
    expect(left).toHaveLength(8);
    await vi.advanceTimersByTimeAsync(1);
    expect(left).toHaveLength(16);
    await vi.advanceTimersByTimeAsync(1000);
    expect(left).toHaveLength(20);
    expect(mostInAnySecond(left.map((entry) => entry.at))).toBe(8);
  });

  it('takes a token back one second after the answer, not after the send (slow answers slow it)', async () => {
    const gate = limiter(1);
    const first = await gate.acquire('low');
    const second = start(gate, 1);
    await vi.advanceTimersByTimeAsync(500);
    gate.answered(first, { kind: 'clean' });
    await vi.advanceTimersByTimeAsync(999);
    expect(second.left).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(second.left).toHaveLength(1);
  });

  it('never lets more than the ceiling leave in any second, whatever the arrivals', async () => {
    const gate = limiter(5);
    const times: number[] = [];
    const all: Promise<unknown>[] = [];
    for (let step = 0; step < 60; step++) {
      for (let n = 0; n < (step * 7) % 4; n++) {
        const priority = step % 3 === 0 ? 'high' : 'low';
        all.push(
          gate.acquire(priority).then((ticket) => {
            times.push(Date.now());
            // Answers take 0 to 300 ms: the token comes back a second after the answer.
            setTimeout(() => gate.answered(ticket, { kind: 'clean' }), (step * 37) % 300);
          }),
        );
      }
      await vi.advanceTimersByTimeAsync(130);
    }
    await vi.advanceTimersByTimeAsync(60_000);
    await Promise.all(all);
    expect(times.length).toBe(all.length);
    expect(mostInAnySecond(times)).toBeLessThanOrEqual(5);
  });

  it('lets submits and results go ahead of status polls that were waiting first', async () => {
    const gate = limiter(2);
    const order: string[] = [];
    const answer = (ticket: Ticket) => gate.answered(ticket, { kind: 'clean' });
    const polls = Array.from({ length: 3 }, (_, i) =>
      gate.acquire('low').then((ticket) => {
        order.push(`poll ${i}`);
        answer(ticket);
      }),
    );
    const submit = gate.acquire('high').then((ticket) => {
      order.push('submit');
      answer(ticket);
    });
    await vi.advanceTimersByTimeAsync(3000);
    await Promise.all([...polls, submit]);
    expect(order).toEqual(['poll 0', 'poll 1', 'submit', 'poll 2']);
  });

  it('halves on a 429, waits out Retry-After, and never again reaches the rate that earned it', async () => {
    const gate = limiter(10, 50);
    const { left } = start(gate, 10, 'low', false);
    await vi.advanceTimersByTimeAsync(0);
    // The server let 6 through and refused the 7th to the 10th.
    for (const { ticket, index } of left) {
      gate.answered(ticket, index < 6 ? { kind: 'clean' } : { kind: 'rate-limited', retryAfterMs: 2000 });
    }
    expect(gate.ceiling).toBe(5); // halved once for the burst, not once per refused request
    const after = start(gate, 1, 'high');
    await vi.advanceTimersByTimeAsync(1999);
    expect(after.left).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(after.left).toHaveLength(1);
    // Clean answers under pressure for a long time: it grows back, but stays below 7.
    for (let second = 0; second < 120; second++) {
      const round = start(gate, gate.ceiling + 2);
      await vi.advanceTimersByTimeAsync(3000);
      await Promise.all(round.done);
    }
    expect(gate.ceiling).toBe(6);
  });

  it('grows while it is what holds requests back and the answers are clean, up to its cap', async () => {
    const gate = limiter(10, 50);
    for (let second = 0; second < 12; second++) {
      const round = start(gate, 60);
      await vi.advanceTimersByTimeAsync(60_000);
      await Promise.all(round.done);
    }
    expect(gate.ceiling).toBe(50);
  });

  it('grows on clean answers that come back while requests wait, so the followers of a burst need not wait a window', async () => {
    const gate = limiter(10, 50);
    const { left } = start(gate, 20, 'low', false);
    await vi.advanceTimersByTimeAsync(0);
    expect(left).toHaveLength(10);
    // The first ten are answered cleanly within 50 ms: the ten waiting leave then, not a second later.
    await vi.advanceTimersByTimeAsync(50);
    for (const { ticket } of left.slice(0, 10)) gate.answered(ticket, { kind: 'clean' });
    await vi.advanceTimersByTimeAsync(0);
    expect(left).toHaveLength(20);
    expect(gate.ceiling).toBe(20);
  });

  it('lets the requests that follow a clean burst leave at once, though none was waiting when it was answered', async () => {
    const gate = limiter(10, 50);
    // A batch's submits fill the window and are answered cleanly before any poll exists.
    const burst = start(gate, 10);
    await vi.advanceTimersByTimeAsync(20);
    expect(burst.left).toHaveLength(10);
    // Its first polls: before the bank they waited a whole window for the burst's tokens.
    const polls = start(gate, 6);
    await vi.advanceTimersByTimeAsync(0);
    expect(polls.left).toHaveLength(6);
    expect(gate.ceiling).toBe(16);
    // The bank is good for one window: a clean burst a while ago lets nothing past a full window now.
    const later = limiter(10, 50);
    start(later, 10);
    await vi.advanceTimersByTimeAsync(1500);
    const unanswered = start(later, 10, 'low', false);
    const late = start(later, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(unanswered.left).toHaveLength(10);
    expect(late.left).toHaveLength(0);
    expect(later.ceiling).toBe(10);
  });

  it('empties its bank on a 429', async () => {
    const gate = limiter(10, 50);
    const burst = start(gate, 10, 'low', false);
    await vi.advanceTimersByTimeAsync(0);
    for (const { ticket, index } of burst.left) {
      gate.answered(ticket, index < 9 ? { kind: 'clean' } : { kind: 'rate-limited' });
    }
    expect(gate.ceiling).toBe(5);
    const next = start(gate, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(next.left).toHaveLength(0);
    expect(gate.ceiling).toBe(5);
  });

  it('does not grow when nothing waits, nor on requests whose answer was lost', async () => {
    const gate = limiter(4, 50);
    for (let i = 0; i < 40; i++) {
      const ticket = await gate.acquire('low');
      gate.answered(ticket, { kind: 'clean' });
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(gate.ceiling).toBe(4);
    const round = start(gate, 12, 'low', false);
    for (let second = 0; second < 4; second++) {
      await vi.advanceTimersByTimeAsync(0);
      for (const { ticket } of round.left.splice(0)) gate.answered(ticket, { kind: 'lost' });
      await vi.advanceTimersByTimeAsync(1000);
    }
    await Promise.all(round.done);
    expect(gate.ceiling).toBe(4);
  });

  it('drops a waiting request whose signal aborts, and lets the next one have its place', async () => {
    const gate = limiter(1);
    gate.answered(await gate.acquire('low'), { kind: 'clean' });
    const controller = new AbortController();
    const aborted = gate.acquire('low', controller.signal);
    const next = start(gate, 1);
    controller.abort(new Error('stopped'));
    await expect(aborted).rejects.toThrow('stopped');
    await vi.advanceTimersByTimeAsync(1000);
    expect(next.left).toHaveLength(1);
  });
});
