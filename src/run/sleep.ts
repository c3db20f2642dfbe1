import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms`; resolves false at once when `signal` is aborted (never rejects). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await delay(ms, undefined, signal ? { signal } : {});
    return true;
  } catch {
    return false;
  }
}
