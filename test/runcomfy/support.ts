/** Shared set-up for the RunComfy client tests: a real mock server on loopback, a fast client. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { synthesizeClip } from '../../src/media/synth.js';
import { KLING_MODEL_ID, type KlingRequest } from '../../src/plan/types.js';
import {
  type MockServer,
  type MockServerOptions,
  startMockServer,
} from '../../src/providers/mock-server/server.js';
import type { RemoteState, VideoProvider } from '../../src/providers/provider.js';
import { createRunComfyProvider, type RunComfyOptions } from '../../src/providers/runcomfy/client.js';
import { closedAfterTest } from '../helpers/fixtures.js';

/** Distinctive, so that a test can search every message and log line for it. */
export const TOKEN = 'sk-storyreel-test-7c41e9a2b8';

export function payload(overrides: Partial<KlingRequest> = {}): KlingRequest {
  return {
    prompt: 'A red kite over a windy beach, handheld, late afternoon',
    negative_prompt: 'watermark',
    duration: 3,
    aspect_ratio: '16:9',
    cfg_scale: 0.5,
    sound: true,
    shot_type: 'intelligent',
    multi_prompt: [],
    ...overrides,
  };
}

export function request(overrides: Partial<KlingRequest> = {}) {
  return { model: KLING_MODEL_ID, payload: payload(overrides) };
}

let sample: Promise<string> | undefined;

// Registered in every test file that imports this module (each file gets its own copy of it).
afterAll(async () => {
  const file = await sample?.catch(() => undefined);
  sample = undefined;
  if (file) await rm(path.dirname(file), { recursive: true, force: true });
});

/** One real 3 s 16:9 clip with sound, made once per test file and served for every job. */
export function sampleClip(): Promise<string> {
  sample ??= (async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'storyreel-runcomfy-test-'));
    const file = path.join(directory, 'sample.mp4');
    await synthesizeClip(file, {
      durationSec: 3,
      aspectRatio: '16:9',
      sound: true,
      size: { width: 320, height: 180 },
    });
    return file;
  })();
  return sample;
}

/** Closed when the test that started it ends. */
export async function startMock(options: MockServerOptions = {}): Promise<MockServer> {
  const clip = await sampleClip();
  const server = await startMockServer({
    token: TOKEN,
    queueMs: 0,
    generationMs: 30,
    clipFor: () => clip,
    ...options,
  });
  return closedAfterTest(server);
}

export interface LoggedClient {
  provider: VideoProvider;
  lines: string[];
}

/** A client with quick retries and no rate cap to speak of; every log line is kept. */
export function clientFor(server: { url: string }, options: RunComfyOptions = {}): LoggedClient {
  const lines: string[] = [];
  const provider = createRunComfyProvider({
    env: { RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_BASE_URL: server.url },
    maxRequestsPerSecond: 1000,
    timeoutMs: 10_000, // only the hang tests need a short one, and they set their own
    retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5000 },
    logger: { debug: (line) => lines.push(line), warn: (line) => lines.push(line) },
    ...options,
  });
  return { provider, lines };
}

/** Polls until `done`, a bounded number of times. */
export async function pollUntil(
  provider: VideoProvider,
  requestId: string,
  done: (state: RemoteState) => boolean,
  tries = 400,
): Promise<RemoteState> {
  for (let attempt = 0; attempt < tries; attempt++) {
    const state = await provider.status(requestId);
    if (done(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`request ${requestId} never reached the expected state`);
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

export function apiRequests(server: MockServer, endpoint: string) {
  return server.requests.filter((entry) => entry.listener === 'api' && entry.endpoint === endpoint);
}
