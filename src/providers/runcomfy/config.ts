/**
 * Where the token may go. It is read from the environment, sent only to the base URL's origin, over
 * https or over http to this machine (loopback), and scrubbed from anything we say or log.
 */
import { isIP } from 'node:net';
import { ProviderError, UsageError } from '../../errors.js';
import { BASE_URL_ENV, DEFAULT_BASE_URL, missingTokenError, TOKEN_ENV } from './contract.js';

export interface ApiConfig {
  baseUrl: URL;
  token: string;
}

export interface ApiConfigInput {
  token?: string;
  baseUrl?: string;
  env?: Record<string, string | undefined>;
}

export function resolveApiConfig(input: ApiConfigInput): ApiConfig {
  const env = input.env ?? process.env;
  const token = (input.token ?? env[TOKEN_ENV] ?? '').trim();
  if (!token) throw missingTokenError();
  const baseUrl = parseBaseUrl(input.baseUrl ?? env[BASE_URL_ENV] ?? DEFAULT_BASE_URL, token);
  return { baseUrl, token };
}

function parseBaseUrl(text: string, token: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UsageError(
      `${BASE_URL_ENV} "${redactText(text, token)}" is not a URL; use one like ${DEFAULT_BASE_URL}.`,
    );
  }
  if (url.username || url.password) {
    throw new UsageError(`${BASE_URL_ENV} must not carry a user name or password; the token is enough.`);
  }
  if (url.search || url.hash) {
    throw new UsageError(
      `${BASE_URL_ENV} must not have ${queryAndFragment(url, token)}; drop it and use ${url.origin}${url.pathname}`,
    );
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  if (url.protocol === 'http:') {
    throw new UsageError(
      `${BASE_URL_ENV} ${url.origin} uses plain http: storyreel sends your API token only over https, or over http to this machine (localhost, 127.0.0.0/8, ::1). Use https://${url.host}${url.pathname === '/' ? '' : url.pathname}.`,
    );
  }
  throw new UsageError(
    `${BASE_URL_ENV} must be an https URL, like ${DEFAULT_BASE_URL} (got ${url.protocol}).`,
  );
}

/**
 * The part of a base URL that is refused, as `a query (?key=…)` and/or `a fragment (#…)`. Values are
 * left out: a query is where people put keys (the token itself, or another secret).
 */
function queryAndFragment(url: URL, token: string): string {
  const parts: string[] = [];
  if (url.search) {
    const keys = [...url.searchParams.keys()].map((key) => `${redactText(key, token)}=…`);
    parts.push(`a query (?${keys.join('&') || '…'})`);
  }
  if (url.hash) parts.push(`a fragment (#${url.hash.length > 1 ? '…' : ''})`);
  return parts.join(' or ');
}

/** localhost, 127.0.0.0/8 and ::1 (also as an IPv4-mapped address). URL.hostname keeps IPv6 brackets. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host) || /^::ffff:7f/.test(host);
  return false;
}

/** The URL of an API path under the base URL (which may carry a path prefix, like a proxy's). */
export function apiUrl(config: ApiConfig, path: string): URL {
  const prefix = config.baseUrl.pathname.replace(/\/+$/, '');
  const url = new URL(`${prefix}${path}`, config.baseUrl.origin);
  // Belt and braces: the token header is attached only to URLs built here, and only to this origin.
  if (url.origin !== config.baseUrl.origin) {
    throw new ProviderError('protocol', `refusing to send the API token to ${url.origin}`);
  }
  return url;
}

const REDACTED = '[redacted]';

/** Removes every occurrence of the token from a string. */
export function redactText(text: string, token: string): string {
  return token ? text.split(token).join(REDACTED) : text;
}

/** Removes the token from any JSON-like value (a provider could echo our headers back). */
export function redactValue(value: unknown, token: string): unknown {
  if (typeof value === 'string') return redactText(value, token);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, token));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redactText(key, token), redactValue(item, token)]),
    );
  }
  return value;
}

/** The same error with the token scrubbed from its message and details. Other errors pass through. */
export function redactError(error: unknown, token: string): unknown {
  if (!(error instanceof ProviderError)) return error;
  const message = redactText(error.message, token);
  if (message === error.message && error.details.raw === undefined) return error;
  // A message that held the token may have a cause that holds it too: that one is dropped.
  const cause = message === error.message && error.cause !== undefined ? { cause: error.cause } : undefined;
  return new ProviderError(
    error.kind,
    message,
    { ...error.details, raw: redactValue(error.details.raw, token) },
    cause,
  );
}
