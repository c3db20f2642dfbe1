/**
 * What people write instead of storyreel, with the same RunComfy client (transport, retries, streaming
 * download): a shell-script loop (submit, poll until done, download; one scene at a time) and a quick
 * script (`Promise.all` over every scene at once, each polling on a fixed interval). Neither has a
 * global request cap, so theirs is switched off; both run in this process against the same mock.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { KLING_MODEL_ID, type KlingRequest } from '../../src/plan/types.js';
import { startMockServer } from '../../src/providers/mock-server/server.js';
import type { VideoProvider } from '../../src/providers/provider.js';
import { createRunComfyProvider } from '../../src/providers/runcomfy/client.js';
import { AnswerClock, type ScheduleFigures, scheduleFigures } from '../lib/mock-metrics.js';
import { timeMs } from '../lib/stats.js';

export interface BaselineSetup {
  scenes: number;
  generationMs: number;
  /** Generation slots of the account (server side). */
  slots: number;
  clip: string;
  durationSec: number;
  /** Fixed wait between two polls of one job (`sleep 1` in a script). */
  pollMs: number;
}

export interface BaselineResult {
  figures: ScheduleFigures;
  wallMs: number;
}

export type BaselineKind = 'sequential' | 'promise-all';

export async function runBaseline(
  workDir: string,
  kind: BaselineKind,
  setup: BaselineSetup,
): Promise<BaselineResult> {
  const dir = path.join(workDir, `baseline-${kind}-${setup.scenes}`);
  await mkdir(dir, { recursive: true });
  const clock = new AnswerClock();
  const server = await startMockServer({
    queueMs: 0,
    generationMs: setup.generationMs,
    slots: setup.slots,
    clipFor: () => setup.clip,
    onRequest: clock.onRequest,
  });
  // No global cap (a script has none): a rate far above anything the mock can see.
  const provider = createRunComfyProvider({
    token: server.token,
    baseUrl: server.url,
    env: {},
    maxRequestsPerSecond: 100_000,
  });
  try {
    const payloads = Array.from({ length: setup.scenes }, (_, index) => payloadFor(index, setup.durationSec));
    const one = (payload: KlingRequest, index: number) =>
      renderOne(provider, payload, path.join(dir, `${index}.mp4`), setup.pollMs);
    const wallMs = await timeMs(async () => {
      if (kind === 'sequential') {
        for (const [index, payload] of payloads.entries()) await one(payload, index);
      } else {
        await Promise.all(payloads.map(one));
      }
    });
    return { figures: scheduleFigures(server, clock, setup.slots), wallMs };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** submit; `while not done: sleep; ask /result`; download. No verification, no journal. */
async function renderOne(provider: VideoProvider, payload: KlingRequest, file: string, pollMs: number) {
  const { requestId } = await provider.submit({ model: KLING_MODEL_ID, payload });
  for (let polls = 0; polls < 10_000; polls++) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const result = await provider.result(requestId);
    if (result.state === 'completed') {
      await provider.download(requestId, file, { videoUrl: result.videoUrl });
      return;
    }
    if (result.state === 'failed' || result.state === 'cancelled') throw new Error(`job ${result.state}`);
  }
  throw new Error(`job ${requestId} never completed`);
}

function payloadFor(index: number, durationSec: number): KlingRequest {
  return {
    prompt: `Scene ${index + 1} of the ride, the bike rolls down street ${index}`,
    negative_prompt: 'watermark',
    duration: durationSec,
    aspect_ratio: '16:9',
    cfg_scale: 0.5,
    sound: true,
    shot_type: 'intelligent',
    multi_prompt: [],
  };
}
