/** The mock's request log and the answers shared by its API and media listeners, faults included. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRule, FaultTarget } from './faults.js';

export interface MockRequestLog {
  /** Epoch milliseconds when the request arrived. */
  at: number;
  listener: 'api' | 'media';
  method: string;
  /** Path and query. */
  path: string;
  endpoint: FaultTarget | 'model-info' | 'unknown';
  requestId?: string;
  /** Whether an Authorization header came, and whether it carried the expected token. */
  authorization: 'absent' | 'valid' | 'invalid';
  /** Request headers; an Authorization value is replaced by "[present]", never recorded. */
  headers: Record<string, string>;
  /** The HTTP status sent, or what happened instead. */
  outcome?: number | 'reset' | 'hang' | 'truncated';
  /** `endpoint:kind` of the fault that hit this request. */
  fault?: string;
}

/** Bounded so that a long-running `storyreel mock-server` does not grow without limit. */
const MAX_LOG_ENTRIES = 100_000;

export class RequestLog {
  readonly entries: MockRequestLog[] = [];
  private submitted = 0;

  record(request: IncomingMessage, listener: 'api' | 'media', expectedToken: string): MockRequestLog {
    const authorization = request.headers.authorization;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined) continue;
      headers[name] = name === 'authorization' ? '[present]' : String(value);
    }
    const entry: MockRequestLog = {
      at: Date.now(),
      listener,
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      endpoint: 'unknown',
      authorization:
        authorization === undefined
          ? 'absent'
          : authorization === `Bearer ${expectedToken}`
            ? 'valid'
            : 'invalid',
      headers,
    };
    if (this.entries.length >= MAX_LOG_ENTRIES) this.entries.shift();
    this.entries.push(entry);
    return entry;
  }

  countSubmission(): void {
    this.submitted += 1;
  }

  /** Submit requests that reached the server, whatever became of them. */
  submissions(): number {
    return this.submitted;
  }
}

export function sendJson(
  response: ServerResponse,
  entry: MockRequestLog,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  entry.outcome = status;
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export function sendText(
  response: ServerResponse,
  entry: MockRequestLog,
  status: number,
  text: string,
): void {
  entry.outcome = status;
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** 429/500/502/503, with Retry-After when the rule asks for one. */
export function sendStatusFault(response: ServerResponse, entry: MockRequestLog, rule: FaultRule): void {
  const status = Number(rule.kind);
  const headers: Record<string, string> = {};
  if (rule.retryAfterSec !== undefined) headers['Retry-After'] = String(rule.retryAfterSec);
  if (rule.retryAfterDateSec !== undefined) {
    // HTTP dates have whole seconds: round up so the client's wait is never shorter than asked.
    const at = Math.ceil((Date.now() + rule.retryAfterDateSec * 1000) / 1000) * 1000;
    headers['Retry-After'] = new Date(at).toUTCString();
  }
  const messages: Record<number, string> = {
    429: 'Too many requests',
    500: 'Internal server error',
    502: 'Bad gateway',
    503: 'Service unavailable',
  };
  sendJson(
    response,
    entry,
    status,
    { detail: `${messages[status] ?? 'Error'} (injected by the mock)` },
    headers,
  );
}

/** `reset` destroys the socket without an answer; `hang` never answers (the client must time out). */
export function breakConnection(
  request: IncomingMessage,
  entry: MockRequestLog,
  kind: 'reset' | 'hang',
): void {
  entry.outcome = kind;
  if (kind === 'reset') request.socket.destroy();
}

export function isStatusFault(rule: FaultRule): boolean {
  return ['429', '500', '502', '503'].includes(rule.kind);
}

export function isConnectionFault(rule: FaultRule): rule is FaultRule & { kind: 'reset' | 'hang' } {
  return rule.kind === 'reset' || rule.kind === 'hang';
}

export async function readBody(request: IncomingMessage, maxBytes = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
