/**
 * A variant folder that cannot be created (a file where it must go): found before anything is paid
 * for (exit 2, nothing sent); if it happens after the jobs were paid, exit 1 with the clips kept and
 * said so, never an internal error, and the rerun pays nothing more. Through the real CLI and the mock.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import {
  killedAfterTest,
  mockEnv,
  mockServer,
  renderArgs,
  scenes,
  waitFor,
  workspace,
  writeStoryboard,
} from './support.js';

describe('a variant folder that cannot be created', () => {
  it('is refused before anything is sent: exit 2 naming the file in the way', async () => {
    const ws = await workspace();
    const server = await mockServer();
    const file = await writeStoryboard(ws.dir, scenes(2));
    await mkdir(ws.out, { recursive: true });
    const blocker = path.join(ws.out, 'film');
    await writeFile(blocker, 'not a folder');
    const run = await runCli(renderArgs(file, ws.out), { env: mockEnv(server) });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${blocker} is a file, not a folder`);
    expect(run.stderr).toContain('Nothing was submitted');
    expect(run.stderr).not.toContain('internal error');
    expect(server.submissions()).toBe(0);
  });

  it('after the clips were paid: exit 1, the clips kept and said so, and the rerun pays nothing', async () => {
    const ws = await workspace();
    const server = await mockServer({ slots: 0 });
    const file = await writeStoryboard(ws.dir, scenes(2));
    const env = mockEnv(server);
    const child = spawnCli(renderArgs(file, ws.out), { env });
    killedAfterTest(child);
    await waitFor(() => server.jobs().length === 2);
    // While the jobs wait, the storyboard's folder is replaced by a file.
    const blocker = path.join(ws.out, 'film');
    await rm(blocker, { recursive: true, force: true });
    await writeFile(blocker, 'not a folder');
    server.setTiming({ slots: 4 });
    const run = await child;
    const stderr = String(run.stderr);
    expect(run.exitCode, stderr).toBe(1);
    expect(stderr).toContain(`${blocker} is a file, not a folder`);
    expect(stderr).toContain('Every verified clip is kept');
    expect(stderr).not.toContain('internal error');
    const stored = (await readdir(path.join(ws.out, '.storyreel', 'clips'))).filter((name) =>
      name.endsWith('.mp4'),
    );
    expect(stored).toHaveLength(2);

    await rm(blocker);
    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(server.jobs()).toHaveLength(2);
  });
});
