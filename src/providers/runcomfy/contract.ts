/**
 * Every assumption storyreel makes about RunComfy's Model API, in one place, so that a wrong guess is
 * corrected here and nowhere else. See ../shared/docs/runcomfy-api.md: what is confirmed by RunComfy's
 * docs or its own clients is marked "confirmed"; the rest is inferred and handled defensively.
 *
 * Everything in this file is pure: raw JSON in, typed states or ProviderErrors out.
 */
import { ProviderError, type ProviderErrorKind } from '../../errors.js';
import type { CancelOutcome, RemoteResult, RemoteState } from '../provider.js';

export const DEFAULT_BASE_URL = 'https://model-api.runcomfy.net';
export const TOKEN_ENV = 'RUNCOMFY_API_TOKEN';
export const BASE_URL_ENV = 'RUNCOMFY_BASE_URL';

export type Endpoint = 'submit' | 'status' | 'result' | 'cancel';

/** Confirmed paths. The model id keeps its slashes; each segment is escaped on its own. */
export const apiPaths = {
  submit: (model: string) => `/v1/models/${model.split('/').map(encodeURIComponent).join('/')}`,
  status: (requestId: string) => `/v1/requests/${encodeURIComponent(requestId)}/status`,
  // Confirmed by RunComfy's error docs: include_cost adds the actual `cost` to the result.
  result: (requestId: string) => `/v1/requests/${encodeURIComponent(requestId)}/result?include_cost=true`,
  cancel: (requestId: string) => `/v1/requests/${encodeURIComponent(requestId)}/cancel`,
};

/**
 * Status strings, compared case-insensitively. Confirmed: in_queue, in_progress, completed, cancelled.
 * RunComfy's own clients also treat succeeded, canceled and failed as terminal; `error` is inferred.
 * Anything else means "keep polling" (the raw body is kept for the journal).
 */
export const STATUSES = {
  queued: ['in_queue'],
  running: ['in_progress'],
  completed: ['completed', 'succeeded'],
  cancelled: ['cancelled', 'canceled'],
  failed: ['failed', 'error'],
} as const;

/**
 * Documented `error_code` values; they can arrive with HTTP 200, so every 2xx body is checked.
 * 403001 (a request of another account) is classed as `auth`: it means the token is not the one
 * that submitted the job, and stopping is cheaper than guessing.
 */
export const ERROR_CODES: Record<number, { kind: ProviderErrorKind; meaning: string }> = {
  400001: { kind: 'rejected', meaning: 'unknown model id' },
  400002: { kind: 'balance', meaning: 'insufficient balance' },
  400004: { kind: 'auth', meaning: 'missing, expired or revoked API token' },
  403001: { kind: 'auth', meaning: 'this request belongs to another RunComfy account' },
  404001: { kind: 'not_found', meaning: 'unknown or expired request id' },
};

/**
 * SUBMIT IS MONEY. There is no idempotency key, so a POST is retried only when the answer proves no
 * job was created: 429 (rate limiting refuses before any work) and 503 (by definition "unable to
 * handle the request"; it is what gateways answer when no backend took it). 500, 502 and 504, a
 * timeout or a reset after sending may follow a created job: those are reported as `ambiguous`.
 */
export const SUBMIT_RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Statuses worth retrying on calls that cost nothing (status, result, cancel, media). */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

export const HOW_TO_FIX_AUTH = `Set ${TOKEN_ENV} to an API key from your RunComfy profile, or render a local animatic without one with --provider preview.`;

export function missingTokenError(): ProviderError {
  return new ProviderError('auth', `${TOKEN_ENV} is not set. ${HOW_TO_FIX_AUTH}`);
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError(
      'protocol',
      `RunComfy answered ${what} with something that is not JSON: ${excerpt(text)}`,
      {
        raw: excerpt(text),
      },
    );
  }
}

export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat || '(empty body)';
}

/** The provider's own words from an error body whose field name is not documented. */
export function providerMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() ? excerpt(body) : undefined;
  if (!isObject(body)) return undefined;
  for (const field of ['error_message', 'message', 'detail', 'error', 'title']) {
    const text = describe(body[field]);
    if (text) return text;
  }
  return undefined;
}

function describe(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() ? excerpt(value) : undefined;
  if (Array.isArray(value)) {
    const parts = value.map(describeValidationItem).filter((part): part is string => Boolean(part));
    return parts.length ? excerpt(parts.join('; '), 1000) : undefined;
  }
  if (isObject(value)) return providerMessage(value) ?? excerpt(JSON.stringify(value));
  return undefined;
}

/** FastAPI-style `detail: [{loc: ['body', 'duration'], msg: '...'}]`, or plain strings. */
function describeValidationItem(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (!isObject(item)) return undefined;
  const message = typeof item.msg === 'string' ? item.msg : providerMessage(item);
  const location = Array.isArray(item.loc) ? item.loc.filter((part) => part !== 'body').join('.') : '';
  return location && message ? `${location}: ${message}` : message;
}

/** RunComfy's own `error_code` in an answer's body, if it has one. */
export function errorCodeOf(body: unknown): number | undefined {
  if (!isObject(body) || body.error_code === undefined || body.error_code === null) return undefined;
  const code = Number(body.error_code);
  return Number.isFinite(code) ? code : undefined;
}

/** A 2xx body that is really an error (`{"error_code": ..., "error_message": ...}`), else undefined. */
export function errorInBody(
  endpoint: Endpoint,
  body: unknown,
  requestId?: string,
): ProviderError | undefined {
  const code = errorCodeOf(body);
  if (code === undefined) return undefined;
  // Unknown codes follow the documented pattern: the first three digits are an HTTP status.
  return classify(endpoint, Math.floor(code / 1000), body, requestId, code);
}

/** Turns a non-2xx answer into the error a batch can act on. */
export function httpError(
  endpoint: Endpoint,
  status: number,
  body: unknown,
  requestId?: string,
): ProviderError {
  return classify(endpoint, status, body, requestId, errorCodeOf(body));
}

function classify(
  endpoint: Endpoint,
  status: number,
  body: unknown,
  requestId: string | undefined,
  code: number | undefined,
): ProviderError {
  const known = code === undefined ? undefined : ERROR_CODES[code];
  const kind = known?.kind ?? kindForStatus(endpoint, status);
  const said = providerMessage(body) ?? known?.meaning ?? 'no message';
  const answer = `HTTP ${status}${code === undefined ? '' : `, error_code ${code}`}: ${said}`;
  const details = { status, code, raw: body, requestId };
  return new ProviderError(kind, messageFor(kind, endpoint, answer, requestId), details);
}

function kindForStatus(endpoint: Endpoint, status: number): ProviderErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'balance';
  if (isTransientStatus(status)) return 'transient';
  if (endpoint === 'submit') return status >= 400 && status < 500 ? 'rejected' : 'protocol';
  if (status === 404 || status === 410) return 'not_found';
  // A generation that failed may surface as a 4xx from /result: our GET cannot itself be invalid.
  if (endpoint !== 'cancel' && (status === 400 || status === 409 || status === 422)) return 'generation';
  return 'protocol';
}

function messageFor(kind: ProviderErrorKind, endpoint: Endpoint, answer: string, requestId?: string): string {
  const job = requestId ? ` for request ${requestId}` : '';
  switch (kind) {
    case 'auth':
      return `RunComfy refused the API token (${answer}). ${HOW_TO_FIX_AUTH}`;
    case 'balance':
      return `RunComfy says the account cannot pay (${answer}). Top up your RunComfy balance, then rerun: finished clips are kept.`;
    case 'rejected':
      return `RunComfy rejected the request (${answer}). Fix the scene and rerun.`;
    case 'not_found':
      return `RunComfy does not know request ${requestId ?? '(unknown)'} (${answer}): it expired or was never created.`;
    case 'generation':
      return `The generation failed on RunComfy${job} (${answer}).`;
    case 'transient':
      return `RunComfy is unavailable right now (${endpoint}${job}, ${answer}).`;
    default:
      return `RunComfy gave an answer storyreel does not understand (${endpoint}${job}, ${answer}).`;
  }
}

function statusOf(body: Json, what: string): string {
  if (typeof body.status !== 'string' || !body.status.trim()) {
    throw unexpected(what, body, 'no "status" string');
  }
  return body.status.trim().toLowerCase();
}

function unexpected(what: string, body: unknown, why: string): ProviderError {
  return new ProviderError(
    'protocol',
    `RunComfy's answer to ${what} has an unexpected shape (${why}): ${excerpt(JSON.stringify(body) ?? String(body))}`,
    { raw: body },
  );
}

/** The error a status/result body carries, if any: a non-empty `error`, or a message on a failed status. */
function failureReason(body: Json, status: string): string | undefined {
  const error = describe(body.error);
  if (error) return error;
  if (!(STATUSES.failed as readonly string[]).includes(status)) return undefined;
  return providerMessage(body) ?? `RunComfy reported status "${status}" without a reason`;
}

/** `/status` (and a not-finished `/result`): the job's state. */
export function parseState(body: unknown, what = 'a status request'): RemoteState {
  if (!isObject(body)) throw unexpected(what, body, 'not a JSON object');
  const status = statusOf(body, what);
  const reason = failureReason(body, status);
  if (reason) return { state: 'failed', reason, raw: body };
  if ((STATUSES.queued as readonly string[]).includes(status)) {
    const position = body.queue_position;
    return typeof position === 'number' && Number.isInteger(position) && position >= 0
      ? { state: 'in_queue', queuePosition: position }
      : { state: 'in_queue' };
  }
  if ((STATUSES.running as readonly string[]).includes(status)) return { state: 'in_progress' };
  if ((STATUSES.completed as readonly string[]).includes(status)) return { state: 'completed' };
  if ((STATUSES.cancelled as readonly string[]).includes(status)) return { state: 'cancelled' };
  return { state: 'in_progress', raw: body };
}

/** `/result`: the video link and cost when completed, else the current state. */
export function parseResult(body: unknown): RemoteResult {
  const state = parseState(body, 'a result request');
  if (state.state !== 'completed') return state;
  const answer = body as Json;
  const videoUrl = videoUrlOf(answer.output);
  if (!videoUrl)
    throw unexpected('a result request', body, 'completed without output.video or output.videos[0]');
  const costUsd = costOf(answer.cost);
  return costUsd === undefined
    ? { state: 'completed', videoUrl, raw: body }
    : { state: 'completed', videoUrl, costUsd, raw: body };
}

function videoUrlOf(output: unknown): string | undefined {
  if (!isObject(output)) return undefined;
  if (typeof output.video === 'string' && output.video) return output.video;
  const first = Array.isArray(output.videos) ? output.videos[0] : undefined;
  return typeof first === 'string' && first ? first : undefined;
}

/** `cost` is documented as "the actual cost"; its type is not, so numbers and numeric strings are read. */
function costOf(cost: unknown): number | undefined {
  const value = typeof cost === 'string' ? Number(cost) : cost;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `POST /v1/models/{model}`: the request id (the URLs it also returns are not followed; see client). */
export function parseSubmitted(body: unknown): { requestId: string } {
  if (!isObject(body) || typeof body.request_id !== 'string' || !body.request_id) {
    throw unexpected('a submit', body, 'no "request_id"');
  }
  return { requestId: body.request_id };
}

/** `POST /cancel`: `{outcome: "cancelled" | "not_cancellable"}`, else inferred from `status`. */
export function parseCancelled(body: unknown): CancelOutcome {
  if (!isObject(body)) throw unexpected('a cancel request', body, 'not a JSON object');
  if (body.outcome === 'cancelled' || body.outcome === 'not_cancellable') return body.outcome;
  const status = statusOf(body, 'a cancel request');
  return (STATUSES.cancelled as readonly string[]).includes(status) ? 'cancelled' : 'not_cancellable';
}
