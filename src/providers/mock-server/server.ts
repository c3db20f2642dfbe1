/**
 * A RunComfy-compatible server on loopback, for tests, benchmarks and CI dry runs: the real HTTP
 * contract (paths, bodies, errors), a job queue on the server's clock, clips served from a second
 * origin, fault injection, and a log of every request.
 *
 * Control endpoints (no token needed; loopback only): GET /__mock/requests, GET /__mock/jobs,
 * GET /__mock/stats, POST /__mock/faults {"faults": [spec...]}, DELETE /__mock/faults,
 * POST /__mock/timing {"queueMs", "generationMs", "slots"}.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { FaultBook, type FaultRule } from './faults.js';
import { JobBoard, type JobTiming, type MockJob } from './jobs.js';
import { ClipCache, type ClipSource, handleMedia, type LinkRules, LinkStore } from './media.js';
import { type MockRequestLog, RequestLog, readBody, sendJson } from './respond.js';
import { type ApiContext, handleApi } from './routes.js';

export type { FaultRule } from './faults.js';
export type { MockJob } from './jobs.js';
export type { MockRequestLog } from './respond.js';

export interface MockServerOptions {
  /** API port; 0 (default) picks a free one. */
  port?: number;
  /** Media ("CDN") port; 0 (default) picks a free one. */
  mediaPort?: number;
  /** The token clients must send as `Authorization: Bearer <token>`. Default 'test-token'. */
  token?: string;
  /** Default 100 ms before a job may take a slot. */
  queueMs?: number;
  /** Default 500 ms per generation. */
  generationMs?: number;
  /** Jobs generated at once; default 2. */
  slots?: number;
  /** Fault rules or specs (see FAULT_SPEC_HELP). */
  faults?: Array<FaultRule | string>;
  /** Seed of the PRNG behind fault rates. Default 1. */
  seed?: number;
  /** Size of synthesised 16:9 clips, like '320x180' (9:16 turns it, 1:1 uses its short side); default Kling's 720p sizes. */
  size?: string | { width: number; height: number };
  /** Serve this file for a request body instead of synthesising one. */
  clipFor?: ClipSource;
  /** Media links answer 403 once older than this. */
  linkTtlMs?: number;
  /** Media links answer 403 after their first download. */
  singleUseLinks?: boolean;
  /** Where results put their link; default 'video' (output.video). */
  outputKey?: 'video' | 'videos';
  /** Called once each request has been answered (or broken off). */
  onRequest?: (entry: MockRequestLog) => void;
}

export interface MockServer {
  /** The API base URL, like http://127.0.0.1:43117: what RUNCOMFY_BASE_URL should be. */
  url: string;
  port: number;
  mediaUrl: string;
  mediaPort: number;
  token: string;
  /** Every request to either listener, in arrival order (control endpoints excluded). */
  requests: MockRequestLog[];
  /** Submit requests that reached the server, whatever became of them. */
  submissions(): number;
  jobs(): MockJob[];
  addFault(rule: FaultRule | string): FaultRule;
  clearFaults(): void;
  setTiming(timing: Partial<JobTiming>): JobTiming;
  setLinkRules(rules: LinkRules): void;
  setOutputKey(key: 'video' | 'videos'): void;
  close(): Promise<void>;
}

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const token = options.token ?? 'test-token';
  const size = parseSize(options.size);
  const clipDir = options.clipFor
    ? undefined
    : await mkdtemp(path.join(os.tmpdir(), 'storyreel-mock-clips-'));
  const log = new RequestLog();
  const faults = new FaultBook(options.faults ?? [], options.seed ?? 1);
  const jobs = new JobBoard({
    queueMs: options.queueMs ?? 100,
    generationMs: options.generationMs ?? 500,
    slots: options.slots ?? 2,
  });
  const links = new LinkStore({ ttlMs: options.linkTtlMs, singleUse: options.singleUseLinks });
  const clips = new ClipCache(clipDir ?? os.tmpdir(), size, options.clipFor);
  const context: ApiContext = {
    token,
    apiOrigin: '',
    mediaOrigin: '',
    outputKey: options.outputKey ?? 'video',
    log,
    faults,
    jobs,
    links,
    clips,
  };

  const observe = (entry: MockRequestLog, response: ServerResponse) =>
    response.once('close', () => options.onRequest?.(entry));
  const api = createServer((request, response) => {
    if (request.url?.startsWith('/__mock/')) return guard(request, response, control(request, response));
    const entry = log.record(request, 'api', token);
    observe(entry, response);
    guard(request, response, handleApi(request, response, entry, context), entry);
  });
  const media = createServer((request, response) => {
    const entry = log.record(request, 'media', token);
    observe(entry, response);
    guard(request, response, handleMedia(request, response, entry, context), entry);
  });

  async function control(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const entry = { outcome: undefined } as unknown as MockRequestLog; // control calls are not logged
    const route = `${request.method} ${new URL(request.url ?? '/', 'http://x').pathname}`;
    const body = await readBody(request);
    if (route === 'GET /__mock/requests') return sendJson(response, entry, 200, log.entries);
    if (route === 'GET /__mock/jobs') return sendJson(response, entry, 200, jobs.all());
    if (route === 'GET /__mock/stats') {
      return sendJson(response, entry, 200, { submissions: log.submissions(), jobs: jobs.all().length });
    }
    if (route === 'DELETE /__mock/faults') {
      faults.clear();
      return sendJson(response, entry, 200, { faults: [] });
    }
    try {
      const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      if (route === 'POST /__mock/faults') {
        for (const spec of (input.faults as string[] | undefined) ?? []) faults.add(spec);
        return sendJson(response, entry, 200, { faults: faults.list() });
      }
      if (route === 'POST /__mock/timing') return sendJson(response, entry, 200, jobs.setTiming(input));
    } catch (error) {
      return sendJson(response, entry, 400, { detail: (error as Error).message });
    }
    return sendJson(response, entry, 404, { detail: 'Not Found' });
  }

  // A port that is taken must not leave the clip folder behind in /tmp.
  const removeClipDir = async () => {
    if (clipDir) await rm(clipDir, { recursive: true, force: true });
  };
  const apiPort = await listen(api, options.port ?? 0).catch(async (error: unknown) => {
    await removeClipDir();
    throw error;
  });
  const mediaPort = await listen(media, options.mediaPort ?? 0).catch(async (error: unknown) => {
    await closeServer(api);
    await removeClipDir();
    throw error;
  });
  context.apiOrigin = `http://127.0.0.1:${apiPort}`;
  context.mediaOrigin = `http://127.0.0.1:${mediaPort}`;

  return {
    url: context.apiOrigin,
    port: apiPort,
    mediaUrl: context.mediaOrigin,
    mediaPort,
    token,
    requests: log.entries,
    submissions: () => log.submissions(),
    jobs: () => jobs.all(),
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setTiming: (timing) => jobs.setTiming(timing),
    setLinkRules: (rules) => {
      links.rules = { ...rules };
    },
    setOutputKey: (key) => {
      context.outputKey = key;
    },
    close: async () => {
      await Promise.all([closeServer(api), closeServer(media)]);
      await clips.settle();
      await removeClipDir();
    },
  };
}

/** A handler that throws answers 500 (or drops the connection when an answer had begun). */
function guard(
  request: IncomingMessage,
  response: ServerResponse,
  handling: Promise<void>,
  entry?: MockRequestLog,
): void {
  handling.catch((error: unknown) => {
    if (response.headersSent) {
      request.socket.destroy();
      return;
    }
    const stub = entry ?? ({} as MockRequestLog);
    sendJson(response, stub, 500, { detail: `mock server error: ${(error as Error)?.message ?? error}` });
  });
}

export function parseSize(size: MockServerOptions['size']): { width: number; height: number } | undefined {
  if (size === undefined || typeof size === 'object') return size;
  const match = /^(\d+)x(\d+)$/.exec(size.trim());
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width < 2 || height < 2 || width % 2 || height % 2) {
    throw new UsageError(`clip size "${size}" must be WIDTHxHEIGHT with even numbers, like 320x180`);
  }
  return { width, height };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    // Hanging requests (the `hang` fault) and keep-alive sockets would keep close() waiting.
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
