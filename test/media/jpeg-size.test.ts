/** A JPEG's size read from its header, against pictures ffmpeg made (as the thumbnails are). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../src/media/binaries.js';
import { readJpegSize } from '../../src/media/jpeg-size.js';

let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-jpeg-size-'));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function picture(name: string, size: string, ...extra: string[]): Promise<string> {
  const file = path.join(workDir, name);
  await execa(ffmpegPath(), [
    ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=1`, '-frames:v', '1'],
    ...extra,
    '-y',
    file,
  ]);
  return file;
}

describe('readJpegSize', () => {
  it('reads the width and height of JPEGs, odd sizes and a comment segment included', async () => {
    expect(await readJpegSize(await picture('a.jpg', '320x180'))).toEqual({ width: 320, height: 180 });
    expect(await readJpegSize(await picture('b.jpg', '181x321'))).toEqual({ width: 181, height: 321 });
  });

  it('says nothing of what is not a JPEG, or not there', async () => {
    expect(await readJpegSize(await picture('c.png', '64x64'))).toBeUndefined();
    const cut = path.join(workDir, 'cut.jpg');
    await writeFile(cut, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]));
    expect(await readJpegSize(cut)).toBeUndefined();
    expect(await readJpegSize(path.join(workDir, 'missing.jpg'))).toBeUndefined();
  });
});
