/** A JPEG's size read from its header, against pictures ffmpeg made (as the thumbnails are). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../src/media/binaries.js';
import { readJpegFrame } from '../../src/media/jpeg-size.js';

let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-jpeg-size-'));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function picture(name: string, size: string, pixelFormat = 'yuvj420p'): Promise<string> {
  const file = path.join(workDir, name);
  await execa(ffmpegPath(), [
    ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=1`, '-frames:v', '1'],
    ...['-pix_fmt', pixelFormat, '-y', file],
  ]);
  return file;
}

describe('readJpegFrame', () => {
  it('reads the size and chroma layout of JPEGs, odd sizes included', async () => {
    const thumbnail = { width: 320, height: 180, sampling: '3:22,11,11' };
    expect(await readJpegFrame(await picture('a.jpg', '320x180'))).toEqual(thumbnail);
    expect(await readJpegFrame(await picture('b.jpg', '181x321'))).toMatchObject({ width: 181, height: 321 });
    // Same size, another pixel format once decoded: told apart.
    const fullChroma = await readJpegFrame(await picture('c.jpg', '320x180', 'yuvj444p'));
    expect(fullChroma).toMatchObject({ width: 320, height: 180 });
    expect(fullChroma?.sampling).not.toBe(thumbnail.sampling);
  });

  it('says nothing of what is not a JPEG, or not there', async () => {
    expect(await readJpegFrame(await picture('d.png', '64x64'))).toBeUndefined();
    const cut = path.join(workDir, 'cut.jpg');
    await writeFile(cut, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]));
    expect(await readJpegFrame(cut)).toBeUndefined();
    expect(await readJpegFrame(path.join(workDir, 'missing.jpg'))).toBeUndefined();
  });
});
