import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { MediaError } from '../../src/errors.js';
import { ffmpegPath } from '../../src/media/binaries.js';
import type { MediaInfo } from '../../src/media/probe.js';
import { synthesizeClip } from '../../src/media/synth.js';
import { clipProblems, durationTolerance, verifyClip } from '../../src/media/verify.js';
import { SMALL, scratchDir } from './media-helpers.js';

const directory = await scratchDir('storyreel-verify-');
const withSound = path.join(directory, 'with sound.mp4');
const silent = path.join(directory, 'silent.mp4');
await Promise.all([
  synthesizeClip(withSound, { durationSec: 3, aspectRatio: '16:9', sound: true, size: SMALL }),
  synthesizeClip(silent, { durationSec: 3, aspectRatio: '16:9', sound: false, size: SMALL }),
]);

describe('verifyClip on real files', () => {
  it('accepts a clip that is what was asked, and says what it contains', async () => {
    const info = await verifyClip(withSound, { durationSec: 3, sound: true, aspectRatio: '16:9' });
    expect(info.video).toMatchObject({ width: 320, height: 180 });
    expect(info.audio?.codec).toBe('aac');
  });

  it('accepts a clip with audio when sound is off (extra audio harms nobody)', async () => {
    await expect(verifyClip(withSound, { durationSec: 3, sound: false })).resolves.toBeDefined();
  });

  it('rejects a truncated download even though its header is intact', async () => {
    const bytes = await readFile(withSound);
    const truncated = path.join(directory, 'truncated.mp4');
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    await expect(verifyClip(truncated, { durationSec: 3, sound: true })).rejects.toThrow(
      /truncated or corrupt/,
    );
  });

  it('rejects a file cut inside its header as unreadable, with ffprobe’s words', async () => {
    const bytes = await readFile(withSound);
    const stub = path.join(directory, 'stub.mp4');
    await writeFile(stub, bytes.subarray(0, 200));
    const failure = verifyClip(stub, { durationSec: 3, sound: true });
    await expect(failure).rejects.toThrow(MediaError);
    await expect(failure).rejects.toThrow(/truncated or corrupt/);
  });

  it('rejects a clip without audio when sound is on', async () => {
    await expect(verifyClip(silent, { durationSec: 3, sound: true })).rejects.toThrow(
      /no audio stream although sound is on/,
    );
  });

  it('rejects a clip of the wrong duration, saying both durations', async () => {
    await expect(verifyClip(withSound, { durationSec: 5, sound: true })).rejects.toThrow(
      /lasts 3\.00 s, expected 5 s/,
    );
  });

  it('rejects a clip of the wrong aspect ratio', async () => {
    await expect(verifyClip(withSound, { durationSec: 3, sound: true, aspectRatio: '9:16' })).rejects.toThrow(
      /320x180.*expected 9:16/,
    );
  });

  it('rejects a file that is not media at all', async () => {
    const page = path.join(directory, 'error-page.mp4');
    await writeFile(page, '<html><body>403 Forbidden: the link expired</body></html>');
    await expect(verifyClip(page, { durationSec: 3, sound: true })).rejects.toThrow(
      /not a readable media file/,
    );
  });

  it('rejects a media file without a video stream', async () => {
    const audioOnly = path.join(directory, 'audio-only.m4a');
    await execa(ffmpegPath(), ['-v', 'error', '-i', withSound, '-vn', '-c', 'copy', audioOnly]);
    await expect(verifyClip(audioOnly, { durationSec: 3, sound: true })).rejects.toThrow(/no video stream/);
  });

  it('rejects a file that does not exist', async () => {
    await expect(
      verifyClip(path.join(directory, 'missing.mp4'), { durationSec: 3, sound: false }),
    ).rejects.toThrow(MediaError);
  });
});

describe('clipProblems (what counts as the clip that was asked for)', () => {
  const clip = (durationSec: number, width = 1280, height = 720, audio = true): MediaInfo => ({
    durationSec,
    bytes: 1,
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    video: { codec: 'h264', width, height, fps: 24, pixFmt: 'yuv420p' },
    ...(audio ? { audio: { codec: 'aac', sampleRate: 48_000, channels: 2 } } : {}),
  });

  it('tolerates half a second, or 5% of long clips, but never a whole second', () => {
    expect(durationTolerance(3)).toBe(0.5);
    expect(durationTolerance(15)).toBeCloseTo(0.75);
    expect(clipProblems(clip(3.45), { durationSec: 3, sound: true })).toEqual([]);
    expect(clipProblems(clip(15.7), { durationSec: 15, sound: true })).toEqual([]);
    expect(clipProblems(clip(16), { durationSec: 15, sound: true })).toHaveLength(1);
    expect(clipProblems(clip(4), { durationSec: 3, sound: true })).toHaveLength(1);
  });

  it('accepts sizes that round to the aspect ratio, not only Kling’s assumed sizes', () => {
    expect(clipProblems(clip(5, 854, 480), { durationSec: 5, sound: true, aspectRatio: '16:9' })).toEqual([]);
    expect(clipProblems(clip(5, 1080, 1920), { durationSec: 5, sound: true, aspectRatio: '9:16' })).toEqual(
      [],
    );
    expect(clipProblems(clip(5, 1024, 1024), { durationSec: 5, sound: true, aspectRatio: '1:1' })).toEqual(
      [],
    );
    expect(
      clipProblems(clip(5, 960, 720), { durationSec: 5, sound: true, aspectRatio: '16:9' }),
    ).toHaveLength(1);
  });

  it('names every problem at once', () => {
    const problems = clipProblems(clip(10, 720, 1280, false), {
      durationSec: 5,
      sound: true,
      aspectRatio: '16:9',
    });
    expect(problems).toHaveLength(3);
  });
});
