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
