/**
 * The RunComfy Model API as a VideoProvider. The URLs a submit answers with (status_url, ...) are not
 * followed: every URL is built from the configured base URL, so the token cannot be steered elsewhere.
 */
import type { CallOptions, DownloadOptions, GenerationRequest, VideoProvider } from '../provider.js';
import { resolveApiConfig } from './config.js';
import { apiPaths, parseCancelled, parseResult, parseState, parseSubmitted } from './contract.js';
import { DEFAULT_MAX_DOWNLOAD_BYTES, type DownloadPolicy, downloadVideo } from './download.js';
import { fetchExchange, fetchMedia, httpExchange, httpMedia } from './exchange.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import { ambiguousSubmit, createTransport, type RunComfyLogger } from './transport.js';

export interface RunComfyOptions {
  /** Default: RUNCOMFY_API_TOKEN from `env`. */
  token?: string;
  /** Default: RUNCOMFY_BASE_URL from `env`, else https://model-api.runcomfy.net. */
  baseUrl?: string;
  /** Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Per API request, answer included. Default 30 s. */
  timeoutMs?: number;
  /**
   * Across every API call of this provider, in any second. Given, the limiter starts there (halving
   * on a 429); not given, it starts at 10 and grows while answers are clean, up to 100.
   */
  maxRequestsPerSecond?: number;
  retry?: Partial<RetryPolicy>;
  download?: Partial<Omit<DownloadPolicy, 'retry'>>;
  /** For every API call and download instead of node's http client (tests that count calls). */
  fetch?: typeof fetch;
  logger?: RunComfyLogger;
}

export const RUNCOMFY_DEFAULTS = {
  timeoutMs: 30_000,
  initialRequestsPerSecond: 10,
  // Eight jobs polled every 0.2 s ask 40 a second, and a wave that ends adds 8 polls and 8 submits in
  // a moment: with a cap of 50 the submits waited up to 200 ms for a window those polls had filled,
  // a slot idle on the server all along (bench --only defaults: span 10.3 -> 10.2 s for 40 scenes).
  maxRequestsPerSecond: 100,
  download: { maxBytes: DEFAULT_MAX_DOWNLOAD_BYTES, attempts: 5, stallTimeoutMs: 60_000 },
} as const;

/** Throws ProviderError('auth') when there is no token, UsageError when the base URL is unsafe. */
export function createRunComfyProvider(options: RunComfyOptions = {}): VideoProvider {
  const config = resolveApiConfig(options);
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const given = options.fetch;
  const network = given
    ? { exchange: fetchExchange(given), media: fetchMedia(given) }
    : { exchange: httpExchange, media: httpMedia };
  const send = createTransport({
    config,
    timeoutMs: options.timeoutMs ?? RUNCOMFY_DEFAULTS.timeoutMs,
    initialRequestsPerSecond: options.maxRequestsPerSecond ?? RUNCOMFY_DEFAULTS.initialRequestsPerSecond,
    maxRequestsPerSecond: options.maxRequestsPerSecond ?? RUNCOMFY_DEFAULTS.maxRequestsPerSecond,
    retry,
    exchange: network.exchange,
    logger: options.logger,
  });
  const downloadPolicy: DownloadPolicy = { ...RUNCOMFY_DEFAULTS.download, ...options.download, retry };

  const provider: VideoProvider = {
    name: 'runcomfy',
    label: 'RunComfy',

    async submit(request: GenerationRequest, call: CallOptions = {}) {
      const body = await send({
        endpoint: 'submit',
        method: 'POST',
        path: apiPaths.submit(request.model),
        body: request.payload,
        signal: call.signal,
        ...(call.onSent ? { onSent: call.onSent } : {}),
      });
      try {
        return parseSubmitted(body);
      } catch (error) {
        // A 2xx without a readable id: the job probably exists, and we cannot name it.
        throw ambiguousSubmit((error as Error).message);
      }
    },

    async status(requestId: string, call: CallOptions = {}) {
      const path = apiPaths.status(requestId);
      return parseState(
        await send({
          endpoint: 'status',
          method: 'GET',
          path,
          requestId,
          signal: call.signal,
          ...(call.onSent ? { onSent: call.onSent } : {}),
        }),
      );
    },

    async result(requestId: string, call: CallOptions = {}) {
      const path = apiPaths.result(requestId);
      return parseResult(
        await send({
          endpoint: 'result',
          method: 'GET',
          path,
          requestId,
          signal: call.signal,
          ...(call.onSent ? { onSent: call.onSent } : {}),
        }),
      );
    },

    async cancel(requestId: string, call: CallOptions = {}) {
      const path = apiPaths.cancel(requestId);
      return parseCancelled(
        await send({ endpoint: 'cancel', method: 'POST', path, requestId, signal: call.signal }),
      );
    },

    download(requestId: string, destination: string, call: DownloadOptions = {}) {
      return downloadVideo(
        {
          requestId,
          destination,
          videoUrl: call.videoUrl,
          verify: call.verify,
          signal: call.signal,
          result: (signal) => provider.result(requestId, { signal }),
        },
        downloadPolicy,
        network.media,
        options.logger,
      );
    },
  };
  return provider;
}
