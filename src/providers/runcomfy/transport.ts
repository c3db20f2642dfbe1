/**
 * One API call: rate gate, timeout, the token header, retries for what is safe to retry, and errors
 * classified by the contract. Submits follow stricter rules (see SUBMIT_RETRYABLE_STATUSES).
 */
import { ProviderError } from '../../errors.js';
import { sleep } from '../../sleep.js';
import { type ApiConfig, apiUrl, redactError, redactText } from './config.js';
import {
  BASE_URL_ENV,
  DEFAULT_BASE_URL,
  type Endpoint,
  errorCodeOf,
  errorInBody,
  excerpt,
  httpError,
  parseJson,
  SUBMIT_RETRYABLE_STATUSES,
} from './contract.js';
import { type Exchange, type ExchangeAnswer, ExchangeError } from './exchange.js';
import { type Answer, type Priority, RequestLimiter } from './limiter.js';
import { describeNetworkError, networkErrorCode } from './network-error.js';
import { backoffDelay, parseRetryAfter, type RetryPolicy } from './retry.js';

export interface RunComfyLogger {
  debug?(message: string): void;
  warn?(message: string): void;
}

export interface TransportOptions {
  config: ApiConfig;
  timeoutMs: number;
  /** The limiter's starting ceiling, requests per second (it adapts, see limiter.ts). */
  initialRequestsPerSecond: number;
  /** Never more than this many requests in any second. */
  maxRequestsPerSecond: number;
  retry: RetryPolicy;
  exchange: Exchange;
  logger?: RunComfyLogger;
  random?: () => number;
}

export interface ApiCall {
  endpoint: Endpoint;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  requestId?: string;
  signal?: AbortSignal;
  /** Each attempt, once the limiter let it go (see CallOptions.onSent). */
  onSent?: () => void;
}

export type Transport = (call: ApiCall) => Promise<unknown>;

/** A failure that another attempt may fix; carries the server's requested delay, if any. */
class RetryableFailure extends Error {
  constructor(
    readonly error: ProviderError,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(error.message);
  }
}

/**
 * With a given fetch (undici), the network errors that prove the request never reached the server.
 * node's exchange says so itself (ExchangeError.connected).
 */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

export function createTransport(options: TransportOptions): Transport {
  const { config, logger } = options;
  const redact = (text: string) => redactText(text, config.token);
  // One limiter across every call of this provider instance: the server's limit is per account.
  const limiter = new RequestLimiter({
    initial: Math.min(options.initialRequestsPerSecond, options.maxRequestsPerSecond),
    max: options.maxRequestsPerSecond,
  });

  async function attempt(call: ApiCall): Promise<unknown> {
    const ticket = await limiter.acquire(priorityOf(call.endpoint), call.signal);
    try {
      const value = await exchange(call);
      limiter.answered(ticket, { kind: 'clean' });
      return value;
    } catch (error) {
      limiter.answered(ticket, answerOf(error));
      throw error;
    }
  }

  async function exchange(call: ApiCall): Promise<unknown> {
    const url = apiUrl(config, call.path);
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    logger?.debug?.(redact(`${call.method} ${url.pathname}${url.search}`));
    let answer: ExchangeAnswer;
    try {
      call.onSent?.();
      // Redirects are never followed (the exchange does not): the token must not go to another host.
      answer = await options.exchange(url, {
        method: call.method,
        headers: headersFor(config.token, call.body !== undefined),
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal,
        freshConnection: call.endpoint === 'submit',
      });
    } catch (error) {
      if (call.signal?.aborted) throw call.signal.reason;
      const gotHeaders = error instanceof ExchangeError && error.gotHeaders;
      throw lostAnswer(call, url, error, gotHeaders, options.timeoutMs);
    }
    return interpret(call, answer, url);
  }

  return async function send(call: ApiCall): Promise<unknown> {
    try {
      for (let tries = 1; ; tries++) {
        try {
          return await attempt(call);
        } catch (error) {
          if (!(error instanceof RetryableFailure)) throw error;
          const wait = error.retryAfterMs ?? backoffDelay(options.retry, tries, options.random);
          if (tries >= options.retry.attempts || wait > options.retry.maxRetryAfterMs) {
            throw gaveUp(error, tries);
          }
          logger?.warn?.(
            redact(`${call.endpoint} failed (${firstLine(error.message)}); retry ${tries + 1} in ${wait} ms`),
          );
          await sleep(wait, call.signal);
        }
      }
    } catch (error) {
      throw redactError(error, config.token);
    }
  };
}

/** What a failed attempt tells the limiter: a 429, no answer at all, or an answer (not about rate). */
function answerOf(error: unknown): Answer {
  if (!(error instanceof RetryableFailure)) return { kind: 'clean' };
  if (error.status === 429) return { kind: 'rate-limited', retryAfterMs: error.retryAfterMs };
  return error.status === undefined ? { kind: 'lost' } : { kind: 'clean' };
}

/** A poll that waits only learns a state later; the others unblock a paid job or a slot. */
function priorityOf(endpoint: Endpoint): Priority {
  return endpoint === 'status' ? 'low' : 'high';
}

function headersFor(token: string, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${token}`,
    Accept: 'application/json',
    'User-Agent': 'storyreel',
  };
  if (hasBody) headers['Content-Type'] = 'application/json';
  return headers;
}

function interpret(call: ApiCall, answer: ExchangeAnswer, url: URL): unknown {
  const { status, text } = answer;
  if (status >= 300 && status < 400) {
    const target = answer.header('location') ?? '(no location)';
    throw new ProviderError(
      'protocol',
      `RunComfy answered ${call.endpoint} with a redirect (HTTP ${status} to ${target}); storyreel does not follow redirects with your token. Check RUNCOMFY_BASE_URL.`,
      { status, requestId: call.requestId },
    );
  }
  if (status >= 200 && status < 300) {
    let body: unknown;
    try {
      body = parseJson(text, `${call.endpoint}`);
    } catch (error) {
      // A created job whose id we cannot read is still a paid job.
      if (call.endpoint === 'submit') throw ambiguousSubmit(`its answer was not JSON: ${excerpt(text)}`);
      throw error;
    }
    const error = errorInBody(call.endpoint, body, call.requestId);
    // The status an error code stands for (429001 is a 429), not the 200 it came with.
    if (error) throw classified(call, error, error.details.status ?? status, answer);
    return body;
  }
  const body = safeJson(text);
  if (isNoSuchEndpoint(call, status, body)) throw noSuchEndpoint(call, url, status, body);
  throw classified(call, httpError(call.endpoint, status, body, call.requestId), status, answer);
}

/**
 * "No such endpoint" (a path prefix the server does not know, a proxy missing a route): a 404/405 on
 * submit, or on a request's status, result or cancel a 404/405 without RunComfy's own error code. Its
 * "unknown request id" says `error_code` 404001; a path with no route gets the server's bare 404
 * (`{"detail":"Not Found"}`). Read as "request unknown", that 404 made a resume with a wrong
 * RUNCOMFY_BASE_URL forget every request id and pay for each scene again.
 */
function isNoSuchEndpoint(call: ApiCall, status: number, body: unknown): boolean {
  if (status !== 404 && status !== 405) return false;
  return call.endpoint === 'submit' || errorCodeOf(body) === undefined;
}

/**
 * Every other call would meet the same answer, so the batch stops and names the URL (which never
 * holds the token). A submit created nothing; a request asked about keeps its id for the fixed rerun.
 */
function noSuchEndpoint(call: ApiCall, url: URL, status: number, body: unknown): ProviderError {
  const kept =
    call.endpoint === 'submit'
      ? 'Nothing was created.'
      : `Request ids are kept (RunComfy's own answer for an unknown request carries an error_code; this one has none), so nothing is paid again.`;
  return new ProviderError(
    'endpoint',
    `RunComfy has no ${call.endpoint} endpoint at ${url.origin}${url.pathname} (HTTP ${status}): ${BASE_URL_ENV} ` +
      `(${url.origin}${prefixOf(url)}) or its path prefix is wrong. ${kept} Fix ${BASE_URL_ENV} ` +
      `(default ${DEFAULT_BASE_URL}) and rerun.`,
    { status, raw: body, ...(call.requestId ? { requestId: call.requestId } : {}) },
  );
}

/** The path before `/v1/` (a proxy's prefix), or nothing. */
function prefixOf(url: URL): string {
  const at = url.pathname.indexOf('/v1/');
  return at > 0 ? url.pathname.slice(0, at) : '';
}

/** Transient errors become retryable, except on a submit whose job may exist. */
function classified(call: ApiCall, error: ProviderError, status: number, answer: ExchangeAnswer): Error {
  if (error.kind !== 'transient') return error;
  if (call.endpoint === 'submit' && !SUBMIT_RETRYABLE_STATUSES.has(status)) {
    return ambiguousSubmit(`RunComfy answered HTTP ${status}: ${firstLine(error.message)}`, status);
  }
  return new RetryableFailure(error, parseRetryAfter(answer.header('retry-after')), status);
}

/**
 * The host's certificate was refused: no request left (the handshake failed), and every other call
 * would fail the same way, so the batch stops rather than retrying (a proxy that intercepts TLS,
 * a corporate CA, a wrong host in RUNCOMFY_BASE_URL).
 */
const UNTRUSTED_CERTIFICATE = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

function untrustedCertificate(call: ApiCall, url: URL, code: string, cause: unknown): ProviderError {
  const kept = call.endpoint === 'submit' ? 'Nothing was sent or paid.' : 'Request ids are kept.';
  return new ProviderError(
    'endpoint',
    `The TLS certificate of ${url.host} was not trusted (${code}), so no request was sent. ${kept} ` +
      `Behind a proxy or a company certificate authority, point NODE_EXTRA_CA_CERTS at its certificate; ` +
      `otherwise check ${BASE_URL_ENV} (default ${DEFAULT_BASE_URL}), then rerun.`,
    { code, ...(call.requestId ? { requestId: call.requestId } : {}) },
    { cause },
  );
}

function lostAnswer(call: ApiCall, url: URL, error: unknown, gotHeaders: boolean, timeoutMs: number): Error {
  const code = networkErrorCode(error);
  const timedOut = (error as Error)?.name === 'TimeoutError';
  const connected = error instanceof ExchangeError ? error.connected : undefined;
  const connectTimedOut =
    connected === false &&
    (error as Error).cause instanceof Error &&
    ((error as Error).cause as Error).name === 'TimeoutError';
  const what = timedOut
    ? `no answer within ${timeoutMs} ms`
    : connectTimedOut
      ? `no connection within ${timeoutMs} ms`
      : code === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'UND_ERR_SOCKET' || code === 'ECONNRESET'
          ? 'connection reset'
          : `network error: ${describeNetworkError(error)}`;
  // node's exchange knows whether it connected; with fetch only some error codes prove it did not.
  const neverConnected =
    connected !== undefined ? !connected : !timedOut && code !== undefined && NEVER_CONNECTED.has(code);
  const neverSent = !gotHeaders && neverConnected;
  if (code !== undefined && UNTRUSTED_CERTIFICATE.has(code))
    return untrustedCertificate(call, url, code, error);
  if (call.endpoint === 'submit' && !neverSent) return ambiguousSubmit(what, undefined, error);
  const job = call.requestId ? ` for request ${call.requestId}` : '';
  return new RetryableFailure(
    new ProviderError(
      'transient',
      `RunComfy could not be reached (${call.endpoint}${job}: ${what}).`,
      { requestId: call.requestId },
      { cause: error },
    ),
  );
}

/** `cause`: the network error that lost the answer, kept for whoever debugs it. */
export function ambiguousSubmit(why: string, status?: number, cause?: unknown): ProviderError {
  return new ProviderError(
    'ambiguous',
    `The answer to a paid submit was lost (${why}): the job may have been submitted and charged. storyreel does not send it again in this run; the next render submits it again and says so (RunComfy offers no way to look the job up).`,
    { status },
    cause === undefined ? undefined : { cause },
  );
}

function gaveUp(failure: RetryableFailure, tries: number): ProviderError {
  const waited =
    failure.retryAfterMs !== undefined ? ` (the server asked to wait ${failure.retryAfterMs} ms)` : '';
  return new ProviderError(
    'transient',
    `${failure.error.message} Gave up after ${tries} attempt${tries === 1 ? '' : 's'}${waited}.`,
    failure.error.details,
    { cause: failure.error.cause },
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
