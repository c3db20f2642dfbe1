/**
 * A clip is never blamed for a tool's failure: ffmpeg and ffprobe are checked before the first submit
 * (exit 2 with the fix, nothing sent), and a tool that stops running mid-batch stops the batch with
 * the paid requests kept, no `--rerender` suggestion, and a rerun that pays nothing more. Through the
 * real CLI against the mock server; the broken tool is a wrapper whose execute bits are removed (what
 * `node_modules` owned by another user looks like to this one).
 */
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ffprobePath } from '../../src/media/binaries.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import {
  journalRecords,
  killedAfterTest,
  mockEnv,
  mockServer,
  renderArgs,
  scenes,
  waitFor,
  workspace,
  writeStoryboard,
} from './support.js';

/** An ffprobe that runs the real one, as a file whose mode the test controls. */
async function wrappedFfprobe(dir: string, mode: number): Promise<string> {
  const file = path.join(dir, 'ffprobe');
  await writeFile(file, `#!/bin/sh\nexec ${JSON.stringify(ffprobePath())} "$@"\n`, { mode });
  await chmod(file, mode);
  return file;
}

describe('ffmpeg and ffprobe that cannot run', () => {
  it('are found before anything is sent: exit 2 with the fix, nothing submitted', async () => {
    const ws = await workspace();
    const server = await mockServer();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const ffprobe = await wrappedFfprobe(ws.dir, 0o644);
    const run = await runCli(renderArgs(file, ws.out), {
      env: { ...mockEnv(server), FFPROBE_PATH: ffprobe },
    });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toContain(`FFPROBE_PATH is set to "${ffprobe}", which is not an executable file`);
    expect(run.stderr).not.toContain('verification');
    expect(server.submissions()).toBe(0);

    // A binary that starts but fails (a missing library, a wrong architecture) is refused the same way.
    const broken = path.join(ws.dir, 'ffmpeg');
    await writeFile(
      broken,
      '#!/bin/sh\necho "error while loading shared libraries: libavdevice.so.60" >&2\nexit 127\n',
      {
        mode: 0o755,
      },
    );
    const again = await runCli(renderArgs(file, ws.out), {
      env: { ...mockEnv(server), FFMPEG_PATH: broken },
    });
    expect(again.exitCode, again.stderr).toBe(2);
    expect(again.stderr).toContain(
      `ffmpeg (${broken}) does not run: exit code 127: error while loading shared libraries`,
    );
    expect(again.stderr).toContain('FFMPEG_PATH');
    expect(server.submissions()).toBe(0);
  });

  it('stopping mid-batch: the paid clips are not blamed, no --rerender, and the rerun pays nothing', async () => {
    const ws = await workspace();
    // No generation slot until the tool is broken: every job is paid for and waiting.
    const server = await mockServer({ slots: 0 });
    const file = await writeStoryboard(ws.dir, scenes(2));
    const ffprobe = await wrappedFfprobe(ws.dir, 0o755);
    const env = { ...mockEnv(server), FFPROBE_PATH: ffprobe };
    const child = spawnCli(renderArgs(file, ws.out), { env });
    killedAfterTest(child);
    await waitFor(() => server.jobs().length === 2);
    await chmod(ffprobe, 0o644);
    server.setTiming({ slots: 4 });
    const run = await child;
    const stdout = String(run.stdout);
    expect(run.exitCode, String(run.stderr)).toBe(1);
    expect(stdout).toContain('No clip is at fault');
    expect(stdout).not.toContain('--rerender');
    expect(`${stdout}${run.stderr}`).not.toContain('failed verification');
    for (const record of await journalRecords(ws.out)) {
      expect(record).toMatchObject({ requestId: expect.any(String) });
      expect(record.state).not.toBe('failed');
    }

    await chmod(ffprobe, 0o755);
    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(server.jobs()).toHaveLength(2);
  });
});
