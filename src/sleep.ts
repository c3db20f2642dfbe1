/** The one way storyreel waits: a timer that an AbortSignal (Ctrl-C, a stop, a timeout) cuts short. */

export type NapEnd = 'slept' | 'woken' | 'aborted';

/**
 * Subscribes `wakeUp` to whatever may end a nap early; returns what unsubscribes it. A subscription,
 * not a promise: a reaction attached to a promise that stays pending outlives the nap (a job's ~30
 * naps on news that never came kept ~30 closures alive, per job, until the render ended).
 */
export type Wake = (wakeUp: () => void) => () => void;

/**
 * Waits `ms`, or less when `wake` (if given) fires first or `signal` aborts; says which ended it.
 * Never rejects: the other waits below are this one.
 */
export function napUnlessAborted(ms: number, signal: AbortSignal | undefined, wake?: Wake): Promise<NapEnd> {
  if (signal?.aborted) return Promise.resolve('aborted');
  return new Promise((resolve) => {
    let ended = false;
    let unsubscribe = () => {};
    const end = (how: NapEnd) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      unsubscribe();
      resolve(how);
    };
    const onAbort = () => end('aborted');
    const timer = setTimeout(() => end('slept'), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (wake) {
      const off = wake(() => end('woken'));
      // Woken while subscribing: `end` ran before there was anything to unsubscribe.
      if (ended) off();
      else unsubscribe = off;
    }
  });
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (a request being retried). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if ((await napUnlessAborted(ms, signal)) === 'aborted') throw signal?.reason;
}

/** Waits `ms`; resolves false at once when `signal` aborts, never rejects (a loop that then stops). */
export async function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<boolean> {
  return (await napUnlessAborted(ms, signal)) !== 'aborted';
}
