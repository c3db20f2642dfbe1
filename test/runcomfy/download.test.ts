/** Downloads: streamed, verified, renamed into place; re-fetched when cut short or expired. */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaError, ProviderError } from '../../src/errors.js';
import { verifyClip } from '../../src/media/verify.js';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import {
  apiRequests,
  clientFor,
  pollUntil,
  rejectionOf,
  request,
  sampleClip,
  startMock,
  TOKEN,
} from './support.js';

let server: MockServer;
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'storyreel-download-'));
});
afterEach(async () => {
  await server?.close();
  await rm(folder, { recursive: true, force: true });
});

const verify = async (file: string) => {
  await verifyClip(file, { durationSec: 3, sound: true, aspectRatio: '16:9' });
};

async function completedJob(options: Parameters<typeof clientFor>[1] = {}) {
  const client = clientFor(server, options);
  const { requestId } = await client.provider.submit(request());
  await pollUntil(client.provider, requestId, (state) => state.state === 'completed');
  return { requestId, provider: client.provider, lines: client.lines };
}

function mediaRequests() {
  return server.requests.filter((entry) => entry.listener === 'media');
}

async function expectSameAsSample(file: string): Promise<void> {
  expect(Buffer.compare(await readFile(file), await readFile(await sampleClip()))).toBe(0);
}

async function leftovers(): Promise<string[]> {
  return (await readdir(folder)).filter((name) => name.endsWith('.part'));
}

describe('downloading a finished video', () => {
  it('writes the verified clip to its destination and reports bytes and cost', async () => {
    server = await startMock();
    const { requestId, provider } = await completedJob();
    const destination = path.join(folder, 'clips', '01-kite.mp4');

    const downloaded = await provider.download(requestId, destination, { verify });
    expect(downloaded.bytes).toBe((await stat(destination)).size);
    expect(downloaded.costUsd).toBeCloseTo(0.378, 6);
    await expectSameAsSample(destination);
    expect(await leftovers()).toEqual([]);
  });

  it('never sends the token (or any Authorization header) to the media host', async () => {
    server = await startMock();
    const { requestId, provider } = await completedJob();

    await provider.download(requestId, path.join(folder, 'a.mp4'));
    expect(mediaRequests()).not.toHaveLength(0);
    expect(mediaRequests().every((entry) => entry.authorization === 'absent')).toBe(true);
    expect(JSON.stringify(mediaRequests())).not.toContain(TOKEN);
  });

  it('fetches a truncated download again and ends with the complete file', async () => {
    server = await startMock({ faults: ['media:truncate:next=1'] });
    const { requestId, provider } = await completedJob();
    const destination = path.join(folder, 'a.mp4');

    await provider.download(requestId, destination, { verify });
    expect(mediaRequests().map((entry) => entry.outcome)).toEqual(['truncated', 200]);
    await expectSameAsSample(destination);
    expect(await leftovers()).toEqual([]);
  });

  it('fetches again after a reset or a 503 from the media host', async () => {
    server = await startMock({ faults: ['media:reset:next=1', 'media:503:next=1'] });
    const { requestId, provider } = await completedJob();

    await provider.download(requestId, path.join(folder, 'a.mp4'), { verify });
    expect(mediaRequests().map((entry) => entry.outcome)).toEqual(['reset', 503, 200]);
  });

  it('does not sit silently through a Retry-After longer than it waits for, and says so', async () => {
    // The client waits at most 5 s here (the default is 2 minutes); the media host asks for 10 minutes.
    server = await startMock({ faults: ['media:503:retry-after=600:next=1'] });
    const { requestId, provider } = await completedJob();

    const error = await rejectionOf(provider.download(requestId, path.join(folder, 'a.mp4'), { verify }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('transient');
    expect(error.message).toContain('The media host asked to wait 600 s');
    expect(error.message).toContain('will not be paid again');
    expect(mediaRequests().map((entry) => entry.outcome)).toEqual([503]);
    expect(await leftovers()).toEqual([]);
  });

  it('gives up on a media host that stops sending, and fetches again', async () => {
    server = await startMock({ faults: ['media:hang:next=1'] });
    const { requestId, provider } = await completedJob({ download: { stallTimeoutMs: 1500 } });

    await provider.download(requestId, path.join(folder, 'a.mp4'), { verify });
    expect(mediaRequests().map((entry) => entry.outcome)).toEqual(['hang', 200]);
  });

  it('asks for the result again when the link has expired, then downloads from the fresh link', async () => {
    server = await startMock({ faults: ['media:expired:next=1'] });
    const { requestId, provider } = await completedJob();
    const first = await provider.result(requestId);
    const resultsBefore = apiRequests(server, 'result').length;

    const videoUrl = first.state === 'completed' ? first.videoUrl : undefined;
    await provider.download(requestId, path.join(folder, 'a.mp4'), { videoUrl, verify });
    expect(mediaRequests().map((entry) => entry.outcome)).toEqual([403, 200]);
    expect(apiRequests(server, 'result').length - resultsBefore).toBe(1);
    expect(mediaRequests()[0]?.path).not.toBe(mediaRequests()[1]?.path);
  });

  it('gets a fresh link for a link that was already used (single-use links)', async () => {
    server = await startMock({ singleUseLinks: true });
    const { requestId, provider } = await completedJob();
    const result = await provider.result(requestId);
    const videoUrl = result.state === 'completed' ? result.videoUrl : undefined;

    await provider.download(requestId, path.join(folder, 'a.mp4'), { videoUrl });
    await provider.download(requestId, path.join(folder, 'b.mp4'), { videoUrl, verify });
    expect(mediaRequests().map((entry) => entry.outcome)).toEqual([200, 403, 200]);
  });

  it('refuses a video above the size cap and leaves no file behind', async () => {
    server = await startMock();
    const { requestId, provider } = await completedJob({ download: { maxBytes: 1000 } });
    const destination = path.join(folder, 'a.mp4');

    const error = await rejectionOf(provider.download(requestId, destination));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toContain('larger than the download cap');
    await expect(stat(destination)).rejects.toThrow();
    expect(await leftovers()).toEqual([]);
  });

  it('cuts a body without Content-Length at the size cap too', async () => {
    server = await startMock();
    const { requestId, provider } = await completedJob({ download: { maxBytes: 64 * 1024 } });
    const endless = createServer((_incoming, response) => {
      response.writeHead(200, { 'Content-Type': 'video/mp4' }); // chunked, no length
      const chunk = Buffer.alloc(16 * 1024);
      const timer = setInterval(() => response.write(chunk), 1);
      response.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    try {
      const videoUrl = `http://127.0.0.1:${(endless.address() as AddressInfo).port}/video.mp4`;
      const destination = path.join(folder, 'a.mp4');

      const error = await rejectionOf(provider.download(requestId, destination, { videoUrl }));
      expect(error.message).toContain('larger than the download cap');
      await expect(stat(destination)).rejects.toThrow();
      expect(await leftovers()).toEqual([]);
    } finally {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });

  it('fetches once more when verification fails, then reports the verification error and keeps nothing', async () => {
    server = await startMock();
    const { requestId, provider } = await completedJob();
    const destination = path.join(folder, 'a.mp4');
    const expectTenSeconds = async (file: string) => {
      await verifyClip(file, { durationSec: 10, sound: true });
    };

    const error = await rejectionOf(provider.download(requestId, destination, { verify: expectTenSeconds }));
    expect(error).toBeInstanceOf(MediaError);
    expect(error.message).toContain('expected 10 s');
    expect(mediaRequests()).toHaveLength(2);
    await expect(stat(destination)).rejects.toThrow();
    expect(await leftovers()).toEqual([]);
  });

  it('gives up after a bounded number of attempts when every link has expired', async () => {
    server = await startMock({ faults: ['media:expired'] });
    const { requestId, provider } = await completedJob({ download: { attempts: 3 } });
    const destination = path.join(folder, 'a.mp4');

    const error = await rejectionOf(provider.download(requestId, destination));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('transient');
    expect(error.message).toContain('after 3 attempts');
    expect(error.message).not.toContain(TOKEN);
    expect(mediaRequests()).toHaveLength(3);
    await expect(stat(destination)).rejects.toThrow();
  });

  it('reports a failed generation instead of downloading', async () => {
    server = await startMock({ faults: ['generation:fail:message=provider error'] });
    const { provider } = clientFor(server);
    const { requestId } = await provider.submit(request());
    await pollUntil(provider, requestId, (state) => state.state === 'failed');

    const error = await rejectionOf(provider.download(requestId, path.join(folder, 'a.mp4')));
    expect((error as ProviderError).kind).toBe('generation');
    expect(error.message).toContain('provider error');
    expect(mediaRequests()).toHaveLength(0);
  });
});
