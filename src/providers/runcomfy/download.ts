/**
 * Fetches a finished video to disk without ever holding it in memory or leaving half a file behind:
 * streamed to a temporary file beside the destination, size-capped, length-checked, verified by the
 * caller, then renamed into place (src/files/atomic.ts). Media hosts never see the API token: no Authorization header is
 * sent for media, even to the API's own origin, because media links are already signed.
 */
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProviderError } from '../../errors.js';
import { writeAtomically } from '../../files/atomic.js';
import { sleep } from '../../sleep.js';
import type { DownloadedVideo, RemoteResult } from '../provider.js';
import { isTransientStatus } from './contract.js';
import { httpMedia, type MediaAnswer, type MediaOpener } from './exchange.js';
import { describeNetworkError } from './network-error.js';
import { backoffDelay, parseRetryAfter, type RetryPolicy } from './retry.js';
import type { RunComfyLogger } from './transport.js';

export interface DownloadPolicy {
  /** Largest video accepted. Kling 3.0 standard clips are tens of MB; the cap stops a runaway body. */
  maxBytes: number;
  /** Total fetches, the first included (fresh links and verification retries count too). */
  attempts: number;
  /** Longest wait for the answer's headers, and then between two chunks of its body. */
  stallTimeoutMs: number;
  retry: RetryPolicy;
}

export const DEFAULT_MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024;

export interface DownloadJob {
  requestId: string;
  destination: string;
  videoUrl?: string;
  /** Asks the API for the result again (a fresh, unexpired link). */
  result: (signal?: AbortSignal) => Promise<RemoteResult>;
  verify?: (temporaryPath: string) => Promise<void>;
  signal?: AbortSignal;
}

/** Why one fetch failed, and what the next attempt should do about it. */
class FetchFailure extends Error {
  constructor(
    message: string,
    readonly next: 'fresh-link' | 'backoff' | 'verify-again',
    readonly retryAfterMs?: number,
    readonly verifyError?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export async function downloadVideo(
  job: DownloadJob,
  policy: DownloadPolicy,
  open: MediaOpener = httpMedia,
  logger?: RunComfyLogger,
): Promise<DownloadedVideo> {
  let costUsd: number | undefined;
  const freshLink = async (): Promise<string> => {
    const result = await job.result(job.signal);
    if (result.state !== 'completed') throw notDownloadable(job.requestId, result);
    costUsd = result.costUsd ?? costUsd;
    return result.videoUrl;
  };
  let url = job.videoUrl ?? (await freshLink());
  let verifyRetried = false;
  for (let tries = 1; ; tries++) {
    try {
      const bytes = await fetchToFile(url, job, policy, open);
      return costUsd === undefined ? { bytes } : { bytes, costUsd };
    } catch (error) {
      if (!(error instanceof FetchFailure)) throw error;
      if (error.next === 'verify-again' && verifyRetried) throw error.verifyError;
      const wait = error.retryAfterMs ?? backoffDelay(policy.retry, tries);
      if (error.next === 'backoff' && wait > policy.retry.maxRetryAfterMs) {
        // As for API calls: a wait this long is the user's to choose, not a silent pause.
        throw new ProviderError(
          'transient',
          `The media host asked to wait ${Math.round(wait / 1000)} s before downloading the video of request ${job.requestId} (${error.message}); storyreel waits at most ${Math.round(policy.retry.maxRetryAfterMs / 1000)} s. Rerun later: the job is finished and will not be paid again.`,
          { requestId: job.requestId },
          { cause: error.cause },
        );
      }
      if (tries >= policy.attempts) {
        if (error.verifyError !== undefined) throw error.verifyError;
        throw new ProviderError(
          'transient',
          `Could not download the video of request ${job.requestId} after ${tries} attempts (${error.message}). Rerun to try again: the job is finished and will not be paid again.`,
          { requestId: job.requestId },
          { cause: error.cause },
        );
      }
      logger?.warn?.(`download of ${job.requestId} failed (${error.message}); attempt ${tries + 1}`);
      if (error.next === 'fresh-link') url = await freshLink();
      else if (error.next === 'verify-again') verifyRetried = true;
      else await sleep(wait, job.signal);
    }
  }
}

function notDownloadable(requestId: string, result: RemoteResult): ProviderError {
  if (result.state === 'failed') {
    return new ProviderError('generation', `The generation failed on RunComfy: ${result.reason}`, {
      requestId,
      raw: result.raw,
    });
  }
  return new ProviderError(
    'protocol',
    `Asked to download request ${requestId}, but RunComfy says it is ${result.state}, not completed.`,
    { requestId },
  );
}

function assertMediaUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProviderError('protocol', `The video link RunComfy gave is not a URL: ${url.slice(0, 200)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ProviderError('protocol', `The video link RunComfy gave is not http(s): ${parsed.protocol}`);
  }
  return parsed;
}

/** One fetch into a temporary file; renamed into place only when complete and verified. */
async function fetchToFile(
  url: string,
  job: DownloadJob,
  policy: DownloadPolicy,
  open: MediaOpener,
): Promise<number> {
  const target = assertMediaUrl(url);
  const stall = stallTimer(policy.stallTimeoutMs);
  const signal = job.signal ? AbortSignal.any([job.signal, stall.signal]) : stall.signal;
  try {
    return await writeAtomically(job.destination, async (temporary) => {
      const bytes = await streamTo(target, temporary, signal, stall.touch, policy, open, job);
      if (job.verify) {
        try {
          await job.verify(temporary);
        } catch (error) {
          throw new FetchFailure(
            `the file failed verification: ${(error as Error).message}`,
            'verify-again',
            undefined,
            error,
          );
        }
      }
      return bytes;
    });
  } finally {
    stall.stop();
  }
}

async function streamTo(
  target: URL,
  temporary: string,
  signal: AbortSignal,
  touch: () => void,
  policy: DownloadPolicy,
  open: MediaOpener,
  job: DownloadJob,
): Promise<number> {
  let received = 0;
  try {
    // No Authorization header, on purpose: see the file comment.
    const response = await open(target, signal);
    touch();
    const declared = declaredLength(response);
    try {
      checkStatus(response, job.requestId);
      if (declared !== undefined && declared > policy.maxBytes)
        throw tooLarge(job.requestId, policy.maxBytes, declared);
    } catch (error) {
      // Not read: its connection is closed rather than left waiting for a reader.
      response.body.destroy();
      throw error;
    }
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        touch();
        received += chunk.length;
        if (received > policy.maxBytes) callback(tooLarge(job.requestId, policy.maxBytes));
        else callback(null, chunk);
      },
    });
    await pipeline(response.body, counter, createWriteStream(temporary, { flush: true }), { signal });
    if (received === 0 || (declared !== undefined && received !== declared)) {
      throw new FetchFailure(`truncated: got ${received} of ${declared ?? '?'} bytes`, 'backoff');
    }
    return received;
  } catch (error) {
    if (job.signal?.aborted) throw job.signal.reason;
    if (error instanceof FetchFailure || error instanceof ProviderError) throw error;
    const reason = signal.aborted ? `no data for ${policy.stallTimeoutMs} ms` : describeNetworkError(error);
    throw new FetchFailure(`${reason} after ${received} bytes`, 'backoff', undefined, undefined, {
      cause: error,
    });
  }
}

function checkStatus(response: MediaAnswer, requestId: string): void {
  const { status } = response;
  if (status === 200) return;
  // Signed links answer 403 (or 404/410) once they expire: the API can give a fresh one.
  if ([401, 403, 404, 410].includes(status)) {
    throw new FetchFailure(`the video host answered HTTP ${status} (expired link?)`, 'fresh-link');
  }
  if (isTransientStatus(status)) {
    const retryAfter = parseRetryAfter(response.header('retry-after'));
    throw new FetchFailure(`the video host answered HTTP ${status}`, 'backoff', retryAfter);
  }
  throw new ProviderError('protocol', `The video host answered HTTP ${status} for request ${requestId}.`, {
    status,
    requestId,
  });
}

function declaredLength(response: MediaAnswer): number | undefined {
  const header = response.header('content-length');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

function tooLarge(requestId: string, maxBytes: number, declared?: number): ProviderError {
  const size = declared === undefined ? 'more' : `${declared} bytes`;
  return new ProviderError(
    'protocol',
    `The video of request ${requestId} is larger than the download cap (${size} > ${maxBytes} bytes); nothing was kept. Raise the cap (download.maxBytes) if this is expected.`,
    { requestId },
  );
}

/** An AbortSignal that fires when `touch` has not been called for `ms`. */
function stallTimer(ms: number): { signal: AbortSignal; touch: () => void; stop: () => void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error('stalled')), ms);
  };
  touch();
  return { signal: controller.signal, touch, stop: () => clearTimeout(timer) };
}
