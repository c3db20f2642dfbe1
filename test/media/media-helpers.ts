/** Independent looks at real media files (raw ffmpeg/ffprobe runs), so tests do not grade our code with itself. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll } from 'vitest';
import { ffmpegPath, ffprobePath } from '../../src/media/binaries.js';

/** A fresh temporary folder, removed after the file's tests. */
export async function scratchDir(prefix = 'storyreel-media-'): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), prefix));
  afterAll(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

/** RGB pixels of a region of the frame at `atSec`, as a flat byte array. */
export async function framePixels(
  file: string,
  atSec: number,
  region?: { x: number; y: number; width: number; height: number },
): Promise<Buffer> {
  const crop = region ? ['-vf', `crop=${region.width}:${region.height}:${region.x}:${region.y}`] : [];
  const { stdout } = await execa(
    ffmpegPath(),
    [
      '-v',
      'error',
      '-ss',
      String(atSec),
      '-i',
      file,
      '-frames:v',
      '1',
      ...crop,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer' },
  );
  return Buffer.from(stdout);
}

/** The average colour of the frame at `atSec`. */
export async function averageColour(file: string, atSec: number): Promise<[number, number, number]> {
  const pixels = await framePixels(file, atSec);
  const sums = [0, 0, 0];
  for (let index = 0; index < pixels.length; index++) sums[index % 3]! += pixels[index]!;
  const count = pixels.length / 3;
  return [sums[0]! / count, sums[1]! / count, sums[2]! / count];
}

/** One `size,md5` line per packet of the first stream of `kind`, straight from the file (no decoding). */
export async function packetDigests(file: string, kind: 'v' | 'a'): Promise<string[]> {
  return (await frameMd5(file, `0:${kind}:0`, ['-c', 'copy'])).map((fields) => fields.slice(-2).join(','));
}

/** One digest per decoded picture, in presentation order. */
export async function decodedFrames(file: string): Promise<string[]> {
  return (await frameMd5(file, '0:v:0', [])).map((fields) => fields.at(-1)!);
}

/** ffmpeg's framemd5 lines for one stream, split into their fields. */
async function frameMd5(file: string, map: string, codec: string[]): Promise<string[][]> {
  const { stdout } = await execa(ffmpegPath(), [
    '-v',
    'error',
    '-i',
    file,
    '-map',
    map,
    ...codec,
    '-f',
    'framemd5',
    '-',
  ]);
  return stdout
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(',').map((field) => field.trim()));
}

export interface StreamFacts {
  codecType: string;
  codecName: string;
  durationSec: number;
  width?: number;
  height?: number;
}

export async function streams(file: string): Promise<StreamFacts[]> {
  const { stdout } = await execa(ffprobePath(), [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name,duration,width,height',
    '-of',
    'json',
    file,
  ]);
  const parsed = JSON.parse(stdout) as {
    streams: { codec_type: string; codec_name: string; duration: string; width?: number; height?: number }[];
  };
  return parsed.streams.map((stream) => ({
    codecType: stream.codec_type,
    codecName: stream.codec_name,
    durationSec: Number(stream.duration),
    ...(stream.width ? { width: stream.width, height: stream.height } : {}),
  }));
}

/** Small pictures keep tests quick where the test is not about sizes. */
export const SMALL = { width: 320, height: 180 };

/**
 * An "ffmpeg" that fails the way a real one can mid-run: it has already written part of its output
 * (its last argument) and exits 1 with a message on stderr.
 */
export async function failingFfmpeg(directory: string): Promise<string> {
  const script = path.join(directory, 'failing-ffmpeg.sh');
  await writeFile(
    script,
    '#!/bin/sh\nfor last; do :; done\nprintf "half a file" > "$last"\necho "simulated: Conversion failed!" >&2\nexit 1\n',
    { mode: 0o755 },
  );
  return script;
}

/** Decodes every frame of `file`; returns what ffmpeg complained about ('' for a clean file). */
export async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await execa(ffmpegPath(), ['-v', 'error', '-i', file, '-f', 'null', '-']);
  return stderr.trim();
}
