/** The mock server speaks RunComfy's contract over real HTTP, as a plain client sees it. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyClip } from '../../src/media/verify.js';
import { KLING_MODEL_ID } from '../../src/plan/types.js';
import { type MockServer, startMockServer } from '../../src/providers/mock-server/server.js';
import { framePixels } from '../media/media-helpers.js';

const SUBMIT = `/v1/models/${KLING_MODEL_ID}`;
const auth = { Authorization: 'Bearer test-token' };

let server: MockServer;
afterEach(async () => {
  await server?.close();
});

async function call(method: string, route: string, body?: unknown, headers: Record<string, string> = auth) {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function completed(requestId: string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    const answer = await call('GET', `/v1/requests/${requestId}/result?include_cost=true`);
    if (answer.body.status === 'completed') return answer.body;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the job never completed');
}

describe('the mock RunComfy server', () => {
  it('answers a submit with the request id and the three URLs', async () => {
    server = await startMockServer();
    const { status, body } = await call('POST', SUBMIT, { prompt: 'a lighthouse at dusk', duration: 3 });

    expect(status).toBe(200);
    const id = body.request_id as string;
    expect(body).toEqual({
      request_id: id,
      status_url: `${server.url}/v1/requests/${id}/status`,
      result_url: `${server.url}/v1/requests/${id}/result`,
      cancel_url: `${server.url}/v1/requests/${id}/cancel`,
    });
    expect(server.submissions()).toBe(1);
  });

  it('validates bodies against the input schema and the duration sum, with a detail array', async () => {
    server = await startMockServer();
    const missing = await call('POST', SUBMIT, { duration: 3, colour: 'red' });
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ loc: ['body', 'prompt'] }),
        expect.objectContaining({ loc: ['body', 'colour'] }),
      ]),
    );
    const sum = await call('POST', SUBMIT, {
      prompt: 'x',
      duration: 10,
      shot_type: 'customize',
      multi_prompt: [{ prompt: 'a', duration: 3 }],
    });
    expect(sum.status).toBe(422);
    expect(JSON.stringify(sum.body.detail)).toContain('sum to 3 s but duration is 10 s');
    expect(server.jobs()).toHaveLength(0);
  });

  it('refuses a missing or wrong token with 401 and error_code 400004, and logs only whether one came', async () => {
    server = await startMockServer({ token: 'right-token' });
    const none = await call('POST', SUBMIT, { prompt: 'x' }, {});
    const wrong = await call('GET', '/v1/requests/x/status', undefined, {
      Authorization: 'Bearer wrong-token',
    });

    expect([none.status, wrong.status]).toEqual([401, 401]);
    expect(none.body.error_code).toBe(400004);
    expect(server.requests.map((entry) => entry.authorization)).toEqual(['absent', 'invalid']);
    expect(server.requests[1]?.headers.authorization).toBe('[present]');
    expect(JSON.stringify(server.requests)).not.toContain('wrong-token');
  });

  it('refuses an unknown model with error_code 400001 and an unknown request with 404001', async () => {
    server = await startMockServer();
    const model = await call('POST', '/v1/models/kling/kling-9/turbo', { prompt: 'x' });
    expect(model.status).toBe(400);
    expect(model.body.error_code).toBe(400001);
    const unknown = await call('GET', '/v1/requests/nope/result');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe(404001);
  });

  it('serves a synthesised clip that matches the request, from another origin, without a token', async () => {
    server = await startMockServer({ queueMs: 0, generationMs: 0, size: '320x180' });
    const first = await call('POST', SUBMIT, {
      prompt: 'x',
      duration: 3,
      aspect_ratio: '9:16',
      sound: false,
    });
    const result = await completed(first.body.request_id as string);
    const link = (result.output as { video: string }).video;
    expect(new URL(link).origin).toBe(server.mediaUrl);
    expect(server.mediaUrl).not.toBe(server.url);
    expect(result.cost).toBeCloseTo(3 * 0.084, 6);

    const response = await fetch(link);
    expect(response.status).toBe(200);
    const folder = await mkdtemp(path.join(os.tmpdir(), 'storyreel-mock-test-'));
    const file = path.join(folder, 'clip.mp4');
    await writeFile(file, Buffer.from(await response.arrayBuffer()));
    try {
      const info = await verifyClip(file, { durationSec: 3, sound: false, aspectRatio: '9:16' });
      expect(info.audio).toBeUndefined();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('synthesises one clip per distinct look (a single shot shows its prompt) and reuses it', async () => {
    server = await startMockServer({ queueMs: 0, generationMs: 0, size: '320x180' });
    const bodies = [];
    for (const prompt of ['one', 'one', 'two']) {
      const { body } = await call('POST', SUBMIT, { prompt, duration: 3 });
      const result = await completed(body.request_id as string);
      bodies.push(Buffer.from(await (await fetch((result.output as { video: string }).video)).arrayBuffer()));
    }
    expect(Buffer.compare(bodies[0]!, bodies[1]!)).toBe(0);
    expect(Buffer.compare(bodies[0]!, bodies[2]!)).not.toBe(0);
  });

  it('draws a single-shot request as a card with its prompt, not a blank card', async () => {
    server = await startMockServer({ queueMs: 0, generationMs: 0, size: '320x180' });
    const { body } = await call('POST', SUBMIT, {
      prompt: 'A WIDE BOLD PROMPT WITH MANY LETTERS',
      duration: 3,
    });
    const result = await completed(body.request_id as string);
    const folder = await mkdtemp(path.join(os.tmpdir(), 'storyreel-mock-test-'));
    try {
      const file = path.join(folder, 'clip.mp4');
      await writeFile(
        file,
        Buffer.from(await (await fetch((result.output as { video: string }).video)).arrayBuffer()),
      );
      // The middle band of the frame, where the prompt is drawn: text makes it far from uniform.
      const band = await framePixels(file, 1, { x: 20, y: 70, width: 280, height: 40 });
      expect(Math.max(...band) - Math.min(...band)).toBeGreaterThan(100);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('is controlled over HTTP: faults, timing and stats', async () => {
    server = await startMockServer();
    const added = await fetch(`${server.url}/__mock/faults`, {
      method: 'POST',
      body: JSON.stringify({ faults: ['status:503:next=1'] }),
    });
    expect(added.status).toBe(200);
    const faulted = await call('GET', '/v1/requests/x/status');
    expect(faulted.status).toBe(503);
    await fetch(`${server.url}/__mock/timing`, { method: 'POST', body: JSON.stringify({ slots: 0 }) });
    await call('POST', SUBMIT, { prompt: 'x' });
    const stats = (await (await fetch(`${server.url}/__mock/stats`)).json()) as Record<string, number>;
    expect(stats).toEqual({ submissions: 1, jobs: 1 });
    const bad = await fetch(`${server.url}/__mock/faults`, { method: 'POST', body: '{"faults": ["x:y"]}' });
    expect(bad.status).toBe(400);
  });

  it('publishes the model price', async () => {
    server = await startMockServer();
    const info = await call('GET', SUBMIT);
    expect(info.body).toMatchObject({ base_price_usd: 0.126, price_unit: 'second' });
  });
});
