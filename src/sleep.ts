/** The one way storyreel waits: a timer that an AbortSignal (Ctrl-C, a stop, a timeout) cuts short. */

export type NapEnd = 'slept' | 'woken' | 'aborted';

/**
 * Waits `ms`, or less when `wake` (if given) settles first or `signal` aborts; says which ended it.
 * Never rejects: the other waits below are this one.
 */
export function napUnlessAborted(
  ms: number,
  signal: AbortSignal | undefined,
  wake?: Promise<void>,
): Promise<NapEnd> {
  if (signal?.aborted) return Promise.resolve('aborted');
  return new Promise((resolve) => {
    let ended = false;
    const end = (how: NapEnd) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(how);
    };
    const onAbort = () => end('aborted');
    const timer = setTimeout(() => end('slept'), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    void wake?.then(() => end('woken'));
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
