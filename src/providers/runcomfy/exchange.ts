/**
 * The client's HTTP: one API request and its whole answer, and a media link opened as a stream.
 * By default node's own http/https client, not `fetch`: the first fetch of a process loads and
 * starts undici (about 35 ms before the first submit could leave) and each call then costs about
 * 3 ms more CPU than http's (docs/benchmarks.md, issue 17, sixth pass). A given `fetch` (tests
 * that count calls, embedders) is used as it is.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TLSSocket } from 'node:tls';

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Aborts the request; the exchange then rejects with the signal's reason, as fetch does. */
  signal: AbortSignal;
  /**
   * On a connection of its own, never a kept-alive one (node's exchange; fetch decides for itself).
   * For paid submits: a server may close an idle connection just as a request goes out on it, and
   * that reset reads as a lost answer, a job that may have been paid for. On a new connection, a
   * failure before it connects proves nothing was sent.
   */
  freshConnection?: boolean;
}

/** What every answer tells before its body. */
interface HttpAnswer {
  status: number;
  /** A response header, null when absent. */
  header(name: string): string | null;
}

export interface ExchangeAnswer extends HttpAnswer {
  text: string;
}

export type Exchange = (url: URL, request: ExchangeRequest) => Promise<ExchangeAnswer>;

/**
 * The request failed. `gotHeaders`: the server had begun to answer. `connected`: a connection was
 * made, so the request may have been sent (undefined when the exchange cannot tell, as with fetch).
 */
export class ExchangeError extends Error {
  readonly connected: boolean | undefined;
  constructor(
    message: string,
    readonly gotHeaders: boolean,
    options: { cause: unknown; connected?: boolean },
  ) {
    super(message, { cause: options.cause });
    this.name = 'ExchangeError';
    this.connected = options.connected;
  }
}

/**
 * Idle connections are kept for the next call, for at most 4 s (undici's default): a server that
 * closes an idle connection first would make the next call on it fail, and on a submit that is a
 * lost answer. A server's shorter `Keep-Alive: timeout` hint is respected by node's agent.
 */
const IDLE_SOCKET_MS = 4000;
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
};

/** Agents that close each connection after its one request. */
const oneUseAgents = {
  'http:': new http.Agent({ keepAlive: false }),
  'https:': new https.Agent({ keepAlive: false }),
};

/** node's client for the URL's scheme, with its kept-alive agent or, if asked, a one-use one. */
function clientFor(
  url: URL,
  freshConnection = false,
): { client: typeof http | typeof https; agent: http.Agent } {
  const scheme = url.protocol === 'https:' ? 'https:' : 'http:';
  return {
    client: scheme === 'https:' ? https : http,
    agent: (freshConnection ? oneUseAgents : agents)[scheme],
  };
}

function answerOf(incoming: http.IncomingMessage): HttpAnswer {
  return {
    status: incoming.statusCode ?? 0,
    header: (name) => headerValue(incoming.headers[name.toLowerCase()]),
  };
}

export const httpExchange: Exchange = (url, request) =>
  new Promise<ExchangeAnswer>((resolve, reject) => {
    const { client, agent } = clientFor(url, request.freshConnection);
    let gotHeaders = false;
    let connected = false;
    const fail = (error: unknown) => {
      const reason: unknown = request.signal.aborted ? request.signal.reason : undefined;
      if (reason !== undefined && (connected || (reason as Error)?.name !== 'TimeoutError')) {
        // Like fetch: an abort (the caller's, or the timeout once connected) rejects with its reason.
        reject(reason);
        return;
      }
      // Not connected when the time ran out (a connect or TLS handshake that hangs): nothing was
      // sent, so even a paid submit may be tried again. undici said so with UND_ERR_CONNECT_TIMEOUT.
      const cause = reason ?? error;
      const what = reason !== undefined ? 'no connection was made in time' : (error as Error)?.message;
      reject(new ExchangeError(`the request failed: ${what}`, gotHeaders, { cause, connected }));
    };
    const outgoing = client.request(
      url,
      { method: request.method, headers: request.headers, agent, signal: request.signal },
      (incoming) => {
        gotHeaders = true;
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', fail);
        incoming.on('end', () => {
          if (!incoming.complete) return fail(new Error('the answer was cut off'));
          resolve({ ...answerOf(incoming), text: Buffer.concat(chunks).toString('utf8') });
        });
        // Closed before its end (a reset mid-answer): 'end' never comes.
        incoming.on('close', () => {
          if (!incoming.complete) fail(new Error('the connection closed before the answer ended'));
        });
      },
    );
    // Connected means the request's bytes could leave: at once on a kept-alive socket, else after the
    // TCP connect and, for https, the TLS handshake (nothing is written before either).
    outgoing.on('socket', (socket) => {
      if (outgoing.reusedSocket) connected = true;
      else socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => (connected = true));
    });
    outgoing.on('error', fail);
    outgoing.end(request.body);
  });

/** An exchange over a given fetch. */
export function fetchExchange(fetchImpl: typeof fetch): Exchange {
  return async (url, request) => {
    let response: Response | undefined;
    try {
      response = await fetchImpl(url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
        // Never follow a redirect with the token attached: the target could be any host.
        redirect: 'manual',
      });
      const answered = response;
      const text = await answered.text();
      return { status: answered.status, header: (name) => answered.headers.get(name), text };
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason;
      // undici's "fetch failed" holds the system error (ECONNRESET...) as its cause, as node's own is.
      const systemError = (error as { cause?: unknown })?.cause ?? error;
      throw new ExchangeError(`the request failed: ${(error as Error)?.message}`, response !== undefined, {
        cause: systemError,
      });
    }
  };
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A media file's answer: its body streams. */
export interface MediaAnswer extends HttpAnswer {
  body: Readable;
}

/** GETs a media link, following its redirects (signed links often point at a CDN). */
export type MediaOpener = (url: URL, signal: AbortSignal) => Promise<MediaAnswer>;

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Media links are signed: no header of ours goes with them (see download.ts). */
export const httpMedia: MediaOpener = async (url, signal) => {
  let target = url;
  for (let hops = 0; ; hops++) {
    const answer = await getOnce(target, signal);
    const location = answer.header('location');
    if (!(REDIRECTS.has(answer.status) && location)) return answer;
    // Drained, not read; a reset or an abort of it later must not be an unhandled 'error'.
    answer.body.on('error', () => {});
    answer.body.resume();
    if (hops >= MAX_REDIRECTS) {
      throw new ExchangeError(`more than ${MAX_REDIRECTS} redirects`, true, { cause: undefined });
    }
    target = new URL(location, target);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new ExchangeError(`a redirect to ${target.protocol} is not followed`, true, { cause: undefined });
    }
  }
};

function getOnce(url: URL, signal: AbortSignal): Promise<MediaAnswer> {
  return new Promise<MediaAnswer>((resolve, reject) => {
    const { client, agent } = clientFor(url);
    const outgoing = client.get(url, { agent, signal }, (incoming) =>
      resolve({ ...answerOf(incoming), body: incoming }),
    );
    outgoing.on('error', (error) => reject(signal.aborted ? signal.reason : error));
  });
}

/** A media opener over a given fetch. */
export function fetchMedia(fetchImpl: typeof fetch): MediaOpener {
  return async (url, signal) => {
    const response = await fetchImpl(url, { signal, redirect: 'follow' });
    const body = response.body
      ? Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>)
      : Readable.from([]);
    return { status: response.status, header: (name) => response.headers.get(name), body };
  };
}
