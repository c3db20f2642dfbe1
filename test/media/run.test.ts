/**
 * The one runner of ffmpeg and ffprobe, on the real binaries: what a tool printed comes back, a
 * failure carries ffmpeg's own words, a tool that cannot start is the tool's fault (never the
 * file's) whatever the system's reason (E2BIG, EMFILE), a cancelled run stops the process with
 * the caller's reason (by SIGKILL if SIGTERM is ignored), runaway output is cut off, and no tool
 * outlives storyreel.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaError, MediaToolError } from '../../src/errors.js';
import { runFfmpeg, runFfmpegForLog, runFfprobe } from '../../src/media/run.js';
import { synthesizeClip } from '../../src/media/synth.js';
import { SMALL, scratchDir } from './media-helpers.js';

const directory = await scratchDir('storyreel-run-');
const clip = path.join(directory, 'clip.mp4');
await synthesizeClip(clip, {
  durationSec: 1,
  aspectRatio: '16:9',
  sound: true,
  size: SMALL,
});

const savedFfmpegPath = process.env.FFMPEG_PATH;
afterEach(() => {
  if (savedFfmpegPath === undefined) delete process.env.FFMPEG_PATH;
  else process.env.FFMPEG_PATH = savedFfmpegPath;
});

/** A minute of test pattern read in real time (-re): it ends only if it is stopped. */
const LONG_RUN = [
  '-v',
  'error',
  '-re',
  '-f',
  'lavfi',
  '-i',
  'testsrc=size=64x36:rate=10',
  '-t',
  '60',
  '-f',
  'null',
  '-',
];

/** Installs a shell script as ffmpeg, for behaviours a real ffmpeg does not show on demand. */
async function fakeFfmpeg(name: string, body: string): Promise<string> {
  const file = path.join(directory, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  process.env.FFMPEG_PATH = file;
  return file;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function ended(pid: number): Promise<boolean> {
  for (let tries = 0; tries < 100 && isRunning(pid); tries++) await sleep(50);
  return !isRunning(pid);
}

const distRun = path.resolve('dist/media/run.js');
const distBinaries = path.resolve('dist/media/binaries.js');

describe('running ffmpeg and ffprobe', () => {
  it('returns what ffprobe printed', async () => {
    const out = await runFfprobe(['-v', 'error', '-show_streams', '-of', 'json', clip], 'probing');
    const streams = (JSON.parse(out) as { streams: { codec_type: string }[] }).streams;
    expect(streams.map((stream) => stream.codec_type).sort()).toEqual(['audio', 'video']);
  });

  it("returns ffmpeg's stderr, where measuring filters write", async () => {
    const log = await runFfmpegForLog(
      ['-hide_banner', '-nostats', '-i', clip, '-map', '0:a', '-af', 'ebur128', '-f', 'null', '-'],
      'measuring',
    );
    expect(log).toMatch(/Integrated loudness:/);
  });

  it('fails with the exit code, the purpose and what ffmpeg said', async () => {
    const missing = path.join(directory, 'no such clip.mp4');
    const failure = await runFfmpeg(
      ['-v', 'error', '-i', missing, '-f', 'null', '-'],
      'reading a clip',
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MediaError);
    expect((failure as MediaError).message).toMatch(/^ffmpeg failed \(exit code 1\) while reading a clip/);
    expect((failure as MediaError).stderr).toContain('No such file or directory');
  });

  it('blames the tool, with the fix, when it cannot start', async () => {
    // Executable, but its interpreter is missing: the system cannot start it (ENOENT).
    const notABinary = path.join(directory, 'ffmpeg');
    await writeFile(notABinary, '#!/nonexistent/interpreter\n');
    await chmod(notABinary, 0o755);
    process.env.FFMPEG_PATH = notABinary;
    const failure = await runFfmpeg(['-version'], 'making a thumbnail').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MediaToolError);
    expect((failure as Error).message).toMatch(
      /^ffmpeg \(.+\) could not start \(ENOENT\) while making a thumbnail\. .*set FFMPEG_PATH to a ffmpeg that runs/,
    );
  });

  it('stops the process when cancelled, with the reason it was given', async () => {
    const controller = new AbortController();
    const running = runFfmpeg(LONG_RUN, 'a long run', {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('the user pressed Ctrl-C')), 300);
    // Within the test's timeout, not after the minute the run would take.
    await expect(running).rejects.toThrow('the user pressed Ctrl-C');
  });

  it('rejects with the reason at once when cancelled before it began', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already stopped'));
    await expect(runFfmpeg(LONG_RUN, 'a long run', { signal: controller.signal })).rejects.toThrow(
      'already stopped',
    );
  });

  it('kills a tool that ignores SIGTERM once its grace time is over', async () => {
    const pidFile = path.join(directory, 'stubborn.pid');
    await fakeFfmpeg('stubborn-ffmpeg', `echo $$ > '${pidFile}'\ntrap '' TERM\nwhile :; do sleep 0.1; done`);
    const controller = new AbortController();
    const running = runFfmpeg(['-version'], 'a stuck run', {
      signal: controller.signal,
      killAfterMs: 300,
    });
    for (let tries = 0; tries < 100; tries++) {
      if ((await readFile(pidFile, 'utf8').catch(() => '')).trim()) break;
      await sleep(20);
    }
    controller.abort(new Error('the user pressed Ctrl-C'));
    await expect(running).rejects.toThrow('the user pressed Ctrl-C');
    expect(await ended(Number(await readFile(pidFile, 'utf8')))).toBe(true);
  }, 20_000);

  it('stops a tool whose output runs away, and says so', async () => {
    await fakeFfmpeg('chatty-ffmpeg', 'exec yes');
    const failure = await runFfmpeg(['-version'], 'making a thumbnail').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MediaError);
    expect((failure as Error).message).toBe(
      'ffmpeg failed (more than 67108864 bytes of output) while making a thumbnail',
    );
  });

  it('blames the tool, not the file, when an argument is too long for the system', async () => {
    const failure = await runFfmpeg(
      ['-v', 'error', '-metadata', `title=${'x'.repeat(200_000)}`],
      'joining',
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MediaToolError);
    expect((failure as Error).message).toMatch(/could not start \(E2BIG\) while joining/);
  });

  it('reports running out of file descriptors as a clear error, not a crash', async () => {
    // Every file descriptor taken: node cannot make the child's pipes (EMFILE). The run happens in a
    // child with a low limit, so this test process keeps its own.
    const script = `
      import { openSync } from 'node:fs';
      const { runFfprobe } = await import(${JSON.stringify(distRun)});
      const { ffprobePath } = await import(${JSON.stringify(distBinaries)});
      ffprobePath();
      const held = [];
      try { for (;;) held.push(openSync('/dev/null', 'r')); } catch {}
      await runFfprobe(['-version'], 'probing a clip').then(
        () => console.log('ran'),
        (error) => console.log(error.constructor.name + ': ' + error.message),
      );`;
    const result = await execa(
      'sh',
      ['-c', 'ulimit -n 64 && exec "$0" --input-type=module -e "$1"', process.execPath, script],
      {
        reject: false,
      },
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /^MediaToolError: ffprobe \(.+\) could not start \(EMFILE\) while probing a clip\. Too many files are open: raise the limit \(ulimit -n\)/,
    );
  });

  it('leaves no tool running when storyreel exits', async () => {
    const pidFile = path.join(directory, 'left.pid');
    const script = `
      const { runFfmpeg } = await import(${JSON.stringify(distRun)});
      runFfmpeg(['-version'], 'a long run').catch(() => {});
      setTimeout(() => process.exit(1), 500);`;
    await fakeFfmpeg('long-ffmpeg', `echo $$ > '${pidFile}'\nexec sleep 60`);
    const result = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false });
    expect(result.exitCode).toBe(1);
    expect(await ended(Number(await readFile(pidFile, 'utf8')))).toBe(true);
  });
});
