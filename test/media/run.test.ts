/**
 * The one runner of ffmpeg and ffprobe, on the real binaries: what a tool printed comes back, a
 * failure carries ffmpeg's own words, a tool that cannot start is the tool's fault (never the
 * file's), and a cancelled run stops the process at once with the caller's reason.
 */
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaError, MediaToolError } from '../../src/errors.js';
import { runFfmpeg, runFfmpegForLog, runFfprobe } from '../../src/media/run.js';
import { synthesizeClip } from '../../src/media/synth.js';
import { SMALL, scratchDir } from './media-helpers.js';

const directory = await scratchDir('storyreel-run-');
const clip = path.join(directory, 'clip.mp4');
await synthesizeClip(clip, { durationSec: 1, aspectRatio: '16:9', sound: true, size: SMALL });

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
    const running = runFfmpeg(LONG_RUN, 'a long run', { signal: controller.signal });
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
});
