/**
 * The mock RunComfy server as the reliability tests use it: small clips, short queue and generation,
 * every clip look synthesised once per test process (not once per server), all on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { synthesizeClip } from '../../../src/media/synth.js';
import type { KlingRequest } from '../../../src/plan/types.js';
import {
  type MockServer,
  type MockServerOptions,
  startMockServer,
} from '../../../src/providers/mock-server/server.js';
import { afterFile, closedAfterTest } from '../../helpers/fixtures.js';

export const CLIP_SIZE = { width: 160, height: 90 };

const clips = new Map<string, Promise<string>>();
let clipDir: Promise<string> | undefined;

// Registered in every test file that imports this module (each file gets its own copy of it).
afterFile(async () => {
  const dir = await clipDir?.catch(() => undefined);
  clipDir = undefined;
  clips.clear();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One synthesised clip per look (duration, aspect, sound, shots), shared by every server here. */
function sharedClip(payload: KlingRequest): Promise<string> {
  const shots = payload.multi_prompt?.length ? payload.multi_prompt.map((shot) => shot.duration) : [];
  const look = `${payload.duration}-${payload.aspect_ratio.replace(':', 'x')}-${payload.sound}-${shots.join('.')}`;
  let clip = clips.get(look);
  if (!clip) {
    clipDir ??= mkdtemp(path.join(os.tmpdir(), 'storyreel-reliability-clips-'));
    clip = clipDir.then(async (dir) => {
      const file = path.join(dir, `${look}.mp4`);
      await synthesizeClip(file, {
        durationSec: payload.duration,
        aspectRatio: payload.aspect_ratio,
        sound: payload.sound,
        ...(shots.length ? { shots: payload.multi_prompt } : {}),
        title: 'reliability',
        size: CLIP_SIZE,
      });
      return file;
    });
    clip.catch(() => clips.delete(look));
    clips.set(look, clip);
  }
  return clip;
}

/** Closed when the test that started it ends (or after the file's tests, when started in a beforeAll). */
export async function startMock(options: MockServerOptions = {}): Promise<MockServer> {
  const server = await startMockServer({
    queueMs: 50,
    generationMs: 250,
    slots: 4,
    clipFor: sharedClip,
    ...options,
  });
  return closedAfterTest(server);
}

/** What the CLI needs to talk to `server` (and a request-rate cap that does not slow tests down). */
export function mockEnv(server: MockServer, token = server.token): Record<string, string> {
  return {
    RUNCOMFY_BASE_URL: server.url,
    RUNCOMFY_API_TOKEN: token,
    RUNCOMFY_MAX_REQUESTS_PER_SECOND: '50',
  };
}

/** Faults that hit requests (generation faults are drawn per job and counted from the jobs). */
export function injectedFaults(server: MockServer, fromRequest = 0): number {
  const hitRequests = server.requests.slice(fromRequest).filter((entry) => entry.fault).length;
  return hitRequests;
}

export function generationFaults(server: MockServer): number {
  return server.jobs().filter((job) => job.ending.as !== 'completed').length;
}
