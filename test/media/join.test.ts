import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaError } from '../../src/errors.js';
import { ffmpegPath } from '../../src/media/binaries.js';
import { joinClips, readIndexAhead } from '../../src/media/join.js';
import { probe } from '../../src/media/probe.js';
import { runFfmpeg } from '../../src/media/run.js';
import { synthesizeClip } from '../../src/media/synth.js';
import { decodeErrors, failingFfmpeg, packetDigests, SMALL, scratchDir, streams } from './media-helpers.js';

const directory = await scratchDir('storyreel-join-');
// Names a concat list must survive: spaces, quotes (both kinds), commas, brackets, a backslash.
const clipDir = path.join(directory, `clips "quoted" it's, [odd]`);
await mkdir(clipDir);
const uniform = [
  path.join(clipDir, '01 opening.mp4'),
  path.join(clipDir, `02 it's "here".mp4`),
  path.join(clipDir, '03 back\\slash, end.mp4'),
];
const portraitSilent = path.join(clipDir, 'portrait silent.mp4');
const landscapeSilent = path.join(clipDir, 'landscape silent.mp4');
await Promise.all([
  ...uniform.map((clip, index) =>
    synthesizeClip(clip, {
      durationSec: 3,
      aspectRatio: '16:9',
      sound: true,
      size: SMALL,
      shots: [{ prompt: `clip ${index + 1}`, duration: 3 }],
    }),
  ),
  synthesizeClip(landscapeSilent, {
    durationSec: 3,
    aspectRatio: '16:9',
    sound: false,
    size: SMALL,
    shots: [{ prompt: 'the silent scene', duration: 3 }],
  }),
  synthesizeClip(portraitSilent, {
    durationSec: 3,
    aspectRatio: '9:16',
    sound: false,
    size: { width: 180, height: 320 },
  }),
]);

describe('joinClips, stream copy', () => {
  it('joins uniform clips without re-encoding a single packet', async () => {
    const film = path.join(directory, 'copy film.mp4');
    const result = await joinClips(uniform, film);
    // Spliced by storyreel, to the frame (ffmpeg's concat demuxer kept each clip's AAC priming: 21 ms a cut).
    expect(result).toMatchObject({ mode: 'copy', by: 'splice', durationSec: 9 });
    // Hashed as it was written, so the render need not read the film back.
    expect(result.sha256).toBe(
      createHash('sha256')
        .update(await readFile(film))
        .digest('hex'),
    );
    expect((await streams(film)).map((stream) => stream.durationSec)).toEqual([9, expect.closeTo(9, 1)]);
    const filmPackets = await packetDigests(film, 'v');
    const clipPackets = (await Promise.all(uniform.map((clip) => packetDigests(clip, 'v')))).flat();
    expect(filmPackets).toEqual(clipPackets);
    expect(await decodeErrors(film)).toBe('');
    const info = await probe(film);
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 180 });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 48_000, channels: 2 });
  });

  it('joins by the indexes read ahead, through the links to those clips', async () => {
    const plain = path.join(directory, 'read now.mp4');
    await joinClips(uniform, plain);
    const stored = uniform.map((_, index) => path.join(directory, `stored ${index}.mp4`));
    const linked = uniform.map((_, index) => path.join(directory, `variant link ${index}.mp4`));
    // A whole-second modification time, so that it can be put back exactly below.
    const at = new Date('2026-01-01T00:00:00Z');
    for (const [index, clip] of uniform.entries()) {
      await copyFile(clip, stored[index]!);
      await utimes(stored[index]!, at, at);
      readIndexAhead(stored[index]!);
      await link(stored[index]!, linked[index]!);
    }
    // Each index made unreadable in place (same size and time): only the one read ahead can join it.
    for (const clip of stored) {
      const bytes = await readFile(clip);
      bytes.write('junk', bytes.indexOf('trak'), 'latin1');
      await writeFile(clip, bytes);
      await utimes(clip, at, at);
    }
    const ahead = path.join(directory, 'read ahead.mp4');
    expect(await joinClips(linked, ahead)).toMatchObject({ by: 'splice', durationSec: 9 });
    expect(await readFile(ahead)).toEqual(await readFile(plain));
  });

  it('never joins by an index read ahead from a clip since replaced', async () => {
    const store = path.join(directory, 'replaced.mp4');
    await copyFile(uniform[0]!, store);
    readIndexAhead(store);
    // A re-render puts another clip, of another length, under the same name.
    const longer = path.join(directory, 'longer.mp4.partial');
    await synthesizeClip(longer, { durationSec: 5, aspectRatio: '16:9', sound: true, size: SMALL });
    await rename(longer, store);
    const film = path.join(directory, 'with the new take.mp4');
    const result = await joinClips([store, uniform[1]!], film);
    expect(result).toMatchObject({ by: 'splice', durationSec: 8 });
    expect(await decodeErrors(film)).toBe('');
  });

  it('writes a faststart film: the index (moov) comes before the media (mdat)', async () => {
    const film = path.join(directory, 'faststart.mp4');
    await joinClips(uniform.slice(0, 2), film);
    const head = await readHead(film, 64 * 1024);
    const moov = head.indexOf('moov', 0, 'latin1');
    const mdat = head.indexOf('mdat', 0, 'latin1');
    expect(moov).toBeGreaterThan(0);
    expect(mdat === -1 || moov < mdat).toBe(true);
  });
});

describe('joinClips, a scene without sound among scenes with sound', () => {
  it('copies every video packet and gives the silent scene a silent track: audio throughout', async () => {
    const film = path.join(directory, 'silent middle.mp4');
    const clips = [uniform[0]!, landscapeSilent, uniform[1]!];
    const result = await joinClips(clips, film);

    expect(result).toMatchObject({ mode: 'copy', by: 'splice', silencedClips: 1, durationSec: 9 });
    const filmPackets = await packetDigests(film, 'v');
    const clipPackets = (await Promise.all(clips.map((clip) => packetDigests(clip, 'v')))).flat();
    expect(filmPackets).toEqual(clipPackets);
    const audio = (await streams(film)).filter((stream) => stream.codecType === 'audio');
    expect(audio).toHaveLength(1);
    expect(audio[0]!.codecName).toBe('aac');
    expect(audio[0]!.durationSec).toBeGreaterThan(8.95);
    // Sound where the scenes had it, silence (not a gap) where the silent one plays.
    expect(await maxVolumeDb(film, 0.5, 2)).toBeGreaterThan(-60); // the synthetic clips' quiet tone
    expect(await maxVolumeDb(film, 3.3, 2.4)).toBeLessThan(-80);
    expect(await maxVolumeDb(film, 6.5, 2)).toBeGreaterThan(-60);
    expect(await decodeErrors(film)).toBe('');
    // Nothing left beside the film: the silent track's file was temporary.
    expect((await readdir(directory)).filter((name) => name.includes('silent middle'))).toEqual([
      'silent middle.mp4',
    ]);
  });
});

describe('joinClips, normalised', () => {
  it('brings mixed clips to one size with audio throughout', async () => {
    const film = path.join(directory, 'mixed film.mp4');
    const result = await joinClips([uniform[0]!, portraitSilent, uniform[1]!], film);
    expect(result).toMatchObject({ mode: 'normalised', by: 'ffmpeg' });
    expect(result.durationSec).toBeGreaterThan(8.9);
    expect(result.durationSec).toBeLessThan(9.2);
    const filmStreams = await streams(film);
    const video = filmStreams.filter((stream) => stream.codecType === 'video');
    const audio = filmStreams.filter((stream) => stream.codecType === 'audio');
    expect(video).toHaveLength(1);
    expect(video[0]).toMatchObject({ width: 320, height: 180 });
    expect(audio).toHaveLength(1);
    expect(audio[0]!.durationSec).toBeGreaterThan(8.9);
    expect(await decodeErrors(film)).toBe('');
  });
});

describe('joinClips, failures', () => {
  const savedPath = process.env.FFMPEG_PATH;
  afterEach(() => {
    if (savedPath === undefined) delete process.env.FFMPEG_PATH;
    else process.env.FFMPEG_PATH = savedPath;
  });

  it('surfaces ffmpeg’s stderr in a MediaError and keeps the previous film intact', async () => {
    const folder = path.join(directory, 'failing');
    await mkdir(folder);
    const film = path.join(folder, 'film.mp4');
    await writeFile(film, 'the previous film');
    process.env.FFMPEG_PATH = await failingFfmpeg(directory);
    // Clips that differ in size: only ffmpeg can join them.
    const failure = joinClips([uniform[0]!, portraitSilent], film);
    await expect(failure).rejects.toThrow(MediaError);
    await expect(failure).rejects.toThrow(/simulated: Conversion failed!/);
    expect(await readFile(film, 'utf8')).toBe('the previous film');
    expect(await readdir(folder)).toEqual(['film.mp4']);
  });

  it('carries what the real ffmpeg said when it fails', async () => {
    const missing = path.join(directory, 'no such clip.mp4');
    const failure = runFfmpeg(['-v', 'error', '-i', missing, '-f', 'null', '-'], 'reading a missing clip');
    await expect(failure).rejects.toThrow(MediaError);
    await expect(failure).rejects.toThrow(/ffmpeg failed \(exit code 1\) while reading a missing clip/);
    await expect(failure).rejects.toThrow(/No such file or directory/);
  });

  it('stops when asked to, with the caller’s reason, and writes nothing', async () => {
    const folder = path.join(directory, 'aborted');
    const controller = new AbortController();
    controller.abort(new Error('interrupted by the user'));
    await expect(
      joinClips(uniform, path.join(folder, 'film.mp4'), { signal: controller.signal }),
    ).rejects.toThrow('interrupted by the user');
    expect(existsSync(folder) ? await readdir(folder) : []).toEqual([]);
  });

  it('refuses a clip that is not media, naming it', async () => {
    const notMedia = path.join(directory, 'not media.mp4');
    await writeFile(notMedia, 'not a video');
    await expect(joinClips([uniform[0]!, notMedia], path.join(directory, 'never.mp4'))).rejects.toThrow(
      /not media\.mp4/,
    );
  });
});

/** The loudest sample of `file` between `fromSec` and `fromSec + durationSec`, in dB (-91 is digital silence). */
async function maxVolumeDb(file: string, fromSec: number, durationSec: number): Promise<number> {
  const { stderr } = await execa(ffmpegPath(), [
    '-hide_banner',
    '-ss',
    String(fromSec),
    '-t',
    String(durationSec),
    '-i',
    file,
    '-map',
    '0:a:0',
    '-af',
    'volumedetect',
    '-f',
    'null',
    '-',
  ]);
  const match = /max_volume: (-?[\d.]+|-inf) dB/.exec(stderr);
  if (!match) throw new Error(`volumedetect said nothing about ${file}:\n${stderr}`);
  return match[1] === '-inf' ? Number.NEGATIVE_INFINITY : Number(match[1]);
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
