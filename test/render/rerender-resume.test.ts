/**
 * An interrupted `--rerender` keeps what was paid for: the request it sent wins over the clip it
 * replaces, the resume command carries the re-renders still to do, and the old clip is never taken
 * for the new request's. Through the real CLI against the mock server, payments counted from its jobs.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { distinctClipsServer, filmMadeOf, videoPackets } from './clip-identity.js';
import {
  killedAfterTest,
  mockEnv,
  renderArgs,
  scenes,
  waitFor,
  workspace,
  writeStoryboard,
} from './support.js';

interface Record {
  payload: { prompt: string };
  state: string;
  requestId?: string;
}

/** The journal record of the scene with this prompt (read while a render writes: temp files skipped). */
async function recordOf(out: string, prompt: string): Promise<Record | undefined> {
  const dir = path.join(out, '.storyreel', 'jobs');
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.') || !name.endsWith('.json')) continue;
    const text = await readFile(path.join(dir, name), 'utf8').catch(() => '');
    const record = text ? (JSON.parse(text) as Record) : undefined;
    if (record?.payload.prompt === prompt) return record;
  }
  return undefined;
}

describe('an interrupted --rerender', () => {
  it('SIGTERM after s1 was sent: the resume collects s1, re-renders s2, and pays nothing else', async () => {
    const ws = await workspace();
    const server = await distinctClipsServer(ws.dir);
    const file = await writeStoryboard(ws.dir, scenes(3, 's'));
    const env = mockEnv(server);
    const variantDir = path.join(ws.out, 'film', 'default');
    const first = await runCli(renderArgs(file, ws.out), { env });
    expect(first.exitCode, first.stderr).toBe(0);
    const old = await Promise.all(
      ['01-s1.mp4', '02-s2.mp4'].map((name) => videoPackets(path.join(variantDir, 'clips', name))),
    );

    // No generation slot: SIGTERM lands while s1's new request is queued and s2 waits for its turn.
    server.setTiming({ slots: 0 });
    const child = spawnCli(
      renderArgs(file, ws.out, '--rerender', 's1', '--rerender', 's2', '--concurrency', '1'),
      {
        env,
      },
    );
    killedAfterTest(child);
    await waitFor(async () => (await recordOf(ws.out, 's number 1'))?.state === 'queued');
    child.kill('SIGTERM');
    const interrupted = await child;
    expect(interrupted.exitCode, String(interrupted.stderr)).toBe(130);
    expect(server.jobs()).toHaveLength(4);
    const s1Request = server.jobs()[3]!.id;
    expect((await recordOf(ws.out, 's number 1'))?.requestId).toBe(s1Request);
    // s1 is paid for and journaled: resuming collects it. s2 was never sent: still to re-render.
    const resume = String(interrupted.stdout)
      .split('\n')
      .find((line) => line.includes(' render '))!;
    expect(resume).toContain('--rerender s2');
    expect(resume).not.toContain('--rerender s1');

    server.setTiming({ slots: 4 });
    const words = resume.trim().split(/\s+/);
    const resumed = await runCli(words.slice(words.indexOf('render')), { env });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    // One new s1 (sent by the interrupted run, collected now) and one new s2: five generations in all.
    expect(server.jobs()).toHaveLength(5);
    const s1 = await recordOf(ws.out, 's number 1');
    expect(s1).toMatchObject({ state: 'verified', requestId: s1Request });
    const now = await Promise.all(
      ['01-s1.mp4', '02-s2.mp4'].map((name) => videoPackets(path.join(variantDir, 'clips', name))),
    );
    expect(now[0]).not.toEqual(old[0]);
    expect(now[1]).not.toEqual(old[1]);
    expect(await filmMadeOf(variantDir, ['01-s1.mp4', '02-s2.mp4', '03-s3.mp4'])).toBe(true);
  });

  it('a plain rerun after the interruption also collects the paid request instead of reusing the old clip', async () => {
    const ws = await workspace();
    const server = await distinctClipsServer(ws.dir);
    const file = await writeStoryboard(ws.dir, scenes(2, 's'));
    const env = mockEnv(server);
    const variantDir = path.join(ws.out, 'film', 'default');
    expect((await runCli(renderArgs(file, ws.out), { env })).exitCode).toBe(0);
    const oldS1 = await videoPackets(path.join(variantDir, 'clips', '01-s1.mp4'));

    server.setTiming({ slots: 0 });
    const child = spawnCli(renderArgs(file, ws.out, '--rerender', 's1'), { env });
    killedAfterTest(child);
    await waitFor(async () => (await recordOf(ws.out, 's number 1'))?.state === 'queued');
    child.kill('SIGTERM');
    expect((await child).exitCode).toBe(130);
    const s1Request = server.jobs()[2]!.id;

    server.setTiming({ slots: 4 });
    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(server.jobs()).toHaveLength(3);
    expect(await recordOf(ws.out, 's number 1')).toMatchObject({ state: 'verified', requestId: s1Request });
    expect(await videoPackets(path.join(variantDir, 'clips', '01-s1.mp4'))).not.toEqual(oldS1);
    expect(await filmMadeOf(variantDir, ['01-s1.mp4', '02-s2.mp4'])).toBe(true);
  });
});
