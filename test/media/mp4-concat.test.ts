/** The splice's arithmetic on made-up indexes: where each clip's sound lands, and when it declines. */
import { describe, expect, it } from 'vitest';
import { planFilm } from '../../src/media/mp4-concat.js';
import type { Movie, Track } from '../../src/media/mp4-movie.js';
import { filmHead } from '../../src/media/mp4-write.js';

const FRAME = 1024;
const RATE = 48_000;

/** A clip of `seconds` at 24 fps, with AAC sound of `soundSeconds` after 1024 samples of priming. */
function clip(name: string, seconds: number, soundSeconds = seconds, bytesPerSample = 100): Movie {
  const frames = Math.round(seconds * 24);
  const soundSamples = Math.round(soundSeconds * RATE) + FRAME;
  const soundFrames = Math.ceil(soundSamples / FRAME);
  const soundDeltas = new Array<number>(soundFrames).fill(FRAME);
  soundDeltas[soundFrames - 1] = soundSamples - (soundFrames - 1) * FRAME;
  return {
    file: name,
    ftyp: fullBox('ftyp', 24),
    mvhd: fullBox('mvhd', 108),
    timescale: 1000,
    video: track(
      'video',
      12_288,
      new Array<number>(frames).fill(512),
      bytesPerSample,
      {
        mediaTime: 1024,
        segmentDuration: Math.round(seconds * 1000),
      },
      1000,
    ),
    audio: track(
      'audio',
      RATE,
      soundDeltas,
      bytesPerSample,
      {
        mediaTime: FRAME,
        segmentDuration: Math.round(soundSeconds * 1000),
      },
      1000 + frames * bytesPerSample,
    ),
    mediaData: [{ start: 1000, end: 1000 + (frames + soundFrames) * bytesPerSample }],
  };
}

/** A track whose samples are one chunk at `offset`. */
function track(
  kind: Track['kind'],
  timescale: number,
  deltas: number[],
  bytes: number,
  edit: Track['edit'],
  offset: number,
): Track {
  const sizes = deltas.map(() => bytes);
  return {
    kind,
    timescale,
    stsd: fullBox('stsd', 16),
    codecKey: kind,
    deltas,
    sizes,
    chunks: [{ offset, samples: deltas.length }],
    ...(edit ? { edit } : {}),
    tkhd: fullBox('tkhd', 92),
    mdhd: fullBox('mdhd', 32),
    hdlr: fullBox('hdlr', 33),
    mediaHeaders: [],
  };
}

function fullBox(type: string, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  bytes.writeUInt32BE(size, 0);
  bytes.write(type, 4, 'latin1');
  return bytes;
}

describe('planFilm', () => {
  it('keeps every frame and lands every clip’s sound within half an AAC frame, without drift', () => {
    const clips = Array.from({ length: 100 }, (_, index) => clip(`clip ${index}`, index % 3 === 0 ? 5 : 3.5));
    const plan = planFilm(clips);
    expect(plan.durationSec).toBeCloseTo(
      clips.reduce((sum, c) => sum + c.video.deltas.length / 24, 0),
      9,
    );
    expect(plan.video.sizes).toHaveLength(clips.reduce((sum, c) => sum + c.video.sizes.length, 0));
    expect(plan.worstSoundOffsetMs).toBeLessThanOrEqual(((FRAME / 2) * 1000) / RATE);
    // The sound ends with the picture, give or take the last cut's offset.
    const soundSec = plan.audio!.edit.segmentDuration / 1000;
    expect(Math.abs(soundSec - plan.durationSec)).toBeLessThanOrEqual(0.012);
  });

  it('declines clips whose sound stops well before their picture', () => {
    expect(() => planFilm([clip('a', 5), clip('short sound', 5, 4.9), clip('c', 5)])).toThrow(
      /short sound's sound ends about \d+ ms before its picture does/,
    );
  });

  it('declines clips of another frame rate', () => {
    const other = clip('25 fps', 5);
    other.video.deltas = other.video.deltas.map(() => 491);
    expect(() => planFilm([clip('a', 5), other])).toThrow(/25 fps differs from a in its frame rate/);
  });
});

describe('filmHead', () => {
  it('writes 64-bit chunk offsets and a 64-bit mdat size for films past 4 GiB', () => {
    const huge = (name: string) => {
      const movie = clip(name, 5);
      movie.mediaData = [{ start: 1000, end: 1000 + 3 * 2 ** 30 }];
      return movie;
    };
    const plan = planFilm([huge('a'), huge('b')]);
    const head = filmHead(plan);
    expect(head.includes(Buffer.from('co64'))).toBe(true);
    expect(head.includes(Buffer.from('stco'))).toBe(false);
    const mdat = head.subarray(head.length - 16);
    expect(mdat.readUInt32BE(0)).toBe(1);
    expect(mdat.toString('latin1', 4, 8)).toBe('mdat');
    expect(Number(mdat.readBigUInt64BE(8))).toBe(16 + 6 * 2 ** 30);
  });
});
