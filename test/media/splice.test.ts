/**
 * The film join's own splice, checked with ffmpeg and ffprobe from outside: clips made here by raw
 * ffmpeg the way a provider's encoder makes them (B-frames, AAC with its priming frame), some with the
 * index at the end, some fragmented (which the splice declines, leaving the join to ffmpeg).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../src/media/binaries.js';
import { joinClips } from '../../src/media/join.js';
import { decodedFrames, decodeErrors, packetDigests, scratchDir, streams } from './media-helpers.js';

const directory = await scratchDir('storyreel-splice-');
const SECONDS = 3;
const RATE = 48_000;

/** A 3 s clip: a moving test picture with B-frames, and a 1 kHz beep in its first 50 ms. */
async function providerClip(
  name: string,
  options: { movflags?: string; preset?: string } = {},
): Promise<string> {
  const file = path.join(directory, name);
  await execa(ffmpegPath(), [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=320x180:rate=24:duration=${SECONDS}`,
    '-f',
    'lavfi',
    '-i',
    `aevalsrc='if(lt(t,0.05),sin(2*PI*1000*t),0)':s=${RATE}:d=${SECONDS}`,
    '-c:v',
    'libx264',
    '-preset',
    options.preset ?? 'medium',
    '-bf',
    '2',
    '-g',
    '48',
    '-pix_fmt',
    'yuv420p',
    '-threads',
    '2',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ac',
    '2',
    ...(options.movflags === undefined ? [] : ['-movflags', options.movflags]),
    file,
  ]);
  return file;
}

const clips = await Promise.all(
  [1, 2, 3, 4, 5].map((index) => providerClip(`clip ${index}.mp4`, { movflags: '+faststart' })),
);
const indexLast = await Promise.all([1, 2].map((index) => providerClip(`index last ${index}.mp4`)));

describe('the splice join', () => {
  it('shows every frame of every clip, in order, and lasts their sum to the frame', async () => {
    const film = path.join(directory, 'film.mp4');
    const result = await joinClips(clips, film);

    expect(result).toMatchObject({ mode: 'copy', by: 'splice', durationSec: 5 * SECONDS });
    const filmStreams = await streams(film);
    expect(filmStreams.find((stream) => stream.codecType === 'video')!.durationSec).toBe(5 * SECONDS);
    expect(await decodedFrames(film)).toEqual((await Promise.all(clips.map(decodedFrames))).flat());
    expect(await packetDigests(film, 'v')).toEqual(
      (await Promise.all(clips.map((c) => packetDigests(c, 'v')))).flat(),
    );
    expect(await decodeErrors(film)).toBe('');
  });

  it('starts each clip’s sound within half an AAC frame of its first picture, at every cut', async () => {
    const film = path.join(directory, 'in sync.mp4');
    await joinClips(clips, film);
    const sound = await samples(film);
    const beep = (await samples(clips[1]!)).subarray(0, RATE / 10);
    for (let cut = 0; cut < clips.length; cut++) {
      // ffmpeg's concat demuxer puts the fifth beep about 140 ms late: priming frames add up.
      expect(Math.abs(lagMs(sound, beep, cut * SECONDS * RATE))).toBeLessThanOrEqual(1024 / 48 / 2 + 0.1);
    }
    // The sound runs to the end (less the last cut's offset), and no further.
    const audio = (await streams(film)).find((stream) => stream.codecType === 'audio')!;
    expect(audio.durationSec).toBeGreaterThan(5 * SECONDS - 0.012);
    expect(audio.durationSec).toBeLessThanOrEqual(5 * SECONDS);
  });

  it('splices clips whose index comes after their media, and writes the film’s first', async () => {
    const film = path.join(directory, 'from index last.mp4');
    const result = await joinClips(indexLast, film);
    expect((await topLevelBoxes(indexLast[0]!)).at(-1)).toBe('moov');
    expect(result).toMatchObject({ by: 'splice', durationSec: 2 * SECONDS });
    expect(await decodedFrames(film)).toEqual((await Promise.all(indexLast.map(decodedFrames))).flat());
    expect(await topLevelBoxes(film)).toEqual(['ftyp', 'moov', 'mdat']);
  });

  it('leaves clips it cannot splice to ffmpeg, and says why', async () => {
    const fragmented = await providerClip('fragmented.mp4', { movflags: 'frag_keyframe+empty_moov' });
    const film = path.join(directory, 'with a fragmented clip.mp4');
    const result = await joinClips([clips[0]!, fragmented], film);
    expect(result).toMatchObject({ mode: 'copy', by: 'ffmpeg' });
    expect(result.spliceDeclined).toMatch(/fragmented\.mp4 is a fragmented MP4/);
    expect(await decodeErrors(film)).toBe('');
  });

  it('re-encodes clips whose pictures are encoded differently, as before', async () => {
    const other = await providerClip('other encoding.mp4', { movflags: '+faststart', preset: 'ultrafast' });
    const film = path.join(directory, 'mixed encodings.mp4');
    const result = await joinClips([clips[0]!, other], film);
    // Same size and codec, another setup (ultrafast turns CABAC off): its packets would not decode.
    expect(result).toMatchObject({ mode: 'normalised', by: 'ffmpeg' });
    expect(result.spliceDeclined).toMatch(/differs from .* in its picture encoding/);
  });
});

async function samples(file: string): Promise<Float32Array> {
  const { stdout } = await execa(
    ffmpegPath(),
    ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-f', 'f32le', '-'],
    { encoding: 'buffer' },
  );
  const bytes = Buffer.from(stdout);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** Where `beep` best lines up with `sound` near `at` (a sample index), in ms from `at`. */
function lagMs(sound: Float32Array, beep: Float32Array, at: number): number {
  let best = { score: Number.NEGATIVE_INFINITY, lag: 0 };
  for (let lag = -RATE / 20; lag <= RATE / 20; lag++) {
    let score = 0;
    for (let index = 0; index < beep.length; index++) score += beep[index]! * (sound[at + lag + index] ?? 0);
    if (score > best.score) best = { score, lag };
  }
  return (best.lag * 1000) / RATE;
}

/** The file's top-level box names, read straight from their headers. */
async function topLevelBoxes(file: string): Promise<string[]> {
  const bytes = await readFile(file);
  const types: string[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; offset += bytes.readUInt32BE(offset)) {
    types.push(bytes.toString('latin1', offset + 4, offset + 8));
  }
  return types;
}
