/**
 * A stored clip damaged in place (same size, same structure: ffprobe still passes) is not reused:
 * the SHA-256 journaled when it was verified no longer matches, so the rerun fetches it again by its
 * request id (nothing paid again) and the film is made from the good clip.
 */
import { open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { mockEnv, mockServer, renderArgs, scenes, workspace, writeStoryboard } from './support.js';

/** Overwrites bytes inside the clip's media data: the boxes, and so ffprobe, see nothing wrong. */
async function damageInPlace(file: string): Promise<void> {
  const bytes = await readFile(file);
  const mdat = bytes.indexOf('mdat');
  expect(mdat).toBeGreaterThan(0);
  const handle = await open(file, 'r+');
  try {
    await handle.write(Buffer.alloc(64, 0x5a), 0, 64, mdat + 200);
  } finally {
    await handle.close();
  }
}

describe('a stored clip damaged in place', () => {
  it('is fetched again by its request id, not reused, and nothing is paid twice', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const env = mockEnv(server);
    expect((await runCli(renderArgs(file, ws.out), { env })).exitCode).toBe(0);
    const store = path.join(ws.out, '.storyreel', 'clips');
    const [first] = (await readdir(store)).filter((name) => name.endsWith('.mp4')).sort();
    const stored = path.join(store, first!);
    const good = await readFile(stored);
    await damageInPlace(stored);
    const media = () => server.requests.filter((entry) => entry.listener === 'media').length;
    const downloadsBefore = media();

    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode).toBe(0);
    expect(rerun.stderr).toContain('SHA-256 differs');
    expect(server.submissions()).toBe(2);
    expect(media()).toBe(downloadsBefore + 1);
    expect(Buffer.compare(await readFile(stored), good)).toBe(0);
  });
});
