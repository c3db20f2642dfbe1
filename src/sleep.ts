/** The one way storyreel waits: a timer that an AbortSignal (Ctrl-C, a stop, a timeout) cuts short. */

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (a request being retried). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits `ms`; resolves false at once when `signal` aborts, never rejects (a loop that then stops). */
export async function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, signal);
    return true;
  } catch (error) {
    if (signal?.aborted) return false;
    throw error;
  }
}

export type NapEnd = 'slept' | 'woken' | 'aborted';

/** Waits `ms`, or less when `wake` (if given) settles first or `signal` aborts; says which ended it. */
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
