/** The watcher's wait: cut short by news of its kind (a wake) or by the batch stopping. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { napUnlessAborted } from '../../src/sleep.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A wake whose subscribers can be seen (and woken) by the test. */
function subscriptions() {
  const subscribed = new Set<() => void>();
  const wake = (wakeUp: () => void) => {
    subscribed.add(wakeUp);
    return () => subscribed.delete(wakeUp);
  };
  return { subscribed, wake };
}

describe('a nap', () => {
  it('sleeps its time when nothing happens, says so, and leaves no subscription behind', async () => {
    const { subscribed, wake } = subscriptions();
    const nap = napUnlessAborted(1000, undefined, wake);
    expect(subscribed.size).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    let end: string | undefined;
    void nap.then((how) => (end = how));
    await vi.advanceTimersByTimeAsync(0);
    expect(end).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(end).toBe('slept');
    expect(subscribed.size).toBe(0);
  });

  it('ends early when woken, and when its signal aborts (before or during)', async () => {
    const { subscribed, wake } = subscriptions();
    const woken = napUnlessAborted(60_000, undefined, wake);
    await vi.advanceTimersByTimeAsync(10);
    for (const wakeUp of subscribed) wakeUp();
    await expect(woken).resolves.toBe('woken');
    expect(subscribed.size).toBe(0);
    // Woken as it subscribes: ends at once, and unsubscribes all the same.
    const atOnce = napUnlessAborted(60_000, undefined, (wakeUp) => {
      const off = wake(wakeUp);
      wakeUp();
      return off;
    });
    await expect(atOnce).resolves.toBe('woken');
    expect(subscribed.size).toBe(0);

    const stop = new AbortController();
    const stopped = napUnlessAborted(60_000, stop.signal, wake);
    await vi.advanceTimersByTimeAsync(10);
    stop.abort();
    await expect(stopped).resolves.toBe('aborted');
    expect(subscribed.size).toBe(0);
    await expect(napUnlessAborted(10, stop.signal)).resolves.toBe('aborted');
    expect(vi.getTimerCount()).toBe(0);
  });
});
