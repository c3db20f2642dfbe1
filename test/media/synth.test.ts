import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaError } from '../../src/errors.js';
import { probe } from '../../src/media/probe.js';
import { findFont, synthesizeClip } from '../../src/media/synth.js';
import { averageColour, failingFfmpeg, framePixels, SMALL, scratchDir } from './media-helpers.js';

const AWKWARD_PROMPT =
  `He said "don't": 50% off, 100%% sure, a back\\slash \\n, [brackets]; semi, {braces} %{pts} ` +
  `'quoted' ünïcödé — ñ, emoji 🎬, tab\there`;

const directory = await scratchDir('storyreel-synth-');

describe('synthesizeClip', () => {
  it('makes a clip of the exact duration, aspect ratio and audio format asked, whatever the prompt says', async () => {
    const clip = path.join(directory, 'awkward.mp4');
    await synthesizeClip(clip, {
      durationSec: 3,
      aspectRatio: '16:9',
      sound: true,
      size: SMALL,
      title: `A "title": 100% \\ odd`,
      shots: [
        { prompt: AWKWARD_PROMPT, duration: 1 },
        { prompt: 'second shot', duration: 2 },
      ],
    });
    const info = await probe(clip);
    expect(info.durationSec).toBeCloseTo(3, 2);
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 180, pixFmt: 'yuv420p', fps: 24 });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 48_000, channels: 2 });
  });

  it('draws the prompt text on the card (white pixels in the middle of a dark card)', async () => {
    expect(findFont()).toBeDefined();
    const clip = path.join(directory, 'text.mp4');
    await synthesizeClip(clip, {
      durationSec: 3,
      aspectRatio: '16:9',
      sound: false,
      size: SMALL,
      shots: [{ prompt: AWKWARD_PROMPT, duration: 3 }],
    });
    const middle = await framePixels(clip, 1, { x: 40, y: 60, width: 240, height: 60 });
    const brightest = Math.max(...middle);
    expect(brightest).toBeGreaterThan(200);
  });

  it('shows one card per shot, each in its own colour, for the shot’s seconds', async () => {
    const clip = path.join(directory, 'shots.mp4');
    await synthesizeClip(clip, {
      durationSec: 3,
      aspectRatio: '16:9',
      sound: false,
      size: SMALL,
      shots: [
        { prompt: '', duration: 1 },
        { prompt: '', duration: 2 },
      ],
    });
    const first = await averageColour(clip, 0.5);
    const secondEarly = await averageColour(clip, 1.3);
    const secondLate = await averageColour(clip, 2.7);
    expect(distance(first, secondEarly)).toBeGreaterThan(30);
    expect(distance(secondEarly, secondLate)).toBeLessThan(5);
  });

  it('has no audio stream when sound is off, and uses Kling standard sizes by default', async () => {
    const portrait = path.join(directory, 'portrait.mp4');
    const square = path.join(directory, 'square.mp4');
    await synthesizeClip(portrait, { durationSec: 3, aspectRatio: '9:16', sound: false });
    await synthesizeClip(square, { durationSec: 3, aspectRatio: '1:1', sound: false });
    const [portraitInfo, squareInfo] = await Promise.all([probe(portrait), probe(square)]);
    expect(portraitInfo.audio).toBeUndefined();
    expect(portraitInfo.video).toMatchObject({ width: 720, height: 1280 });
    expect(portraitInfo.durationSec).toBeCloseTo(3, 2);
    expect(squareInfo.video).toMatchObject({ width: 960, height: 960 });
  });

  it('gives the same bytes for the same spec', async () => {
    const spec = {
      durationSec: 3,
      aspectRatio: '16:9' as const,
      sound: true,
      size: SMALL,
      shots: [{ prompt: 'same', duration: 3 }],
    };
    const first = path.join(directory, 'same-1.mp4');
    const second = path.join(directory, 'same-2.mp4');
    await synthesizeClip(first, spec);
    await synthesizeClip(second, spec);
    expect(await sha256(second)).toBe(await sha256(first));
  });

  it('accepts a font file whose path has spaces, quotes, colons and commas', async () => {
    const font = findFont()!;
    const oddDir = path.join(directory, `fonts: it's "odd", [really]; yes`);
    await mkdir(oddDir, { recursive: true });
    const oddFont = path.join(oddDir, 'Deja Vu.ttf');
    await copyFile(font, oddFont);
    const clip = path.join(directory, 'odd-font.mp4');
    await synthesizeClip(clip, {
      durationSec: 3,
      aspectRatio: '16:9',
      sound: false,
      size: SMALL,
      fontFile: oddFont,
      shots: [{ prompt: 'text', duration: 3 }],
    });
    expect((await probe(clip)).durationSec).toBeCloseTo(3, 2);
  });
});

describe('synthesizeClip failures', () => {
  const savedPath = process.env.FFMPEG_PATH;
  afterEach(() => {
    if (savedPath === undefined) delete process.env.FFMPEG_PATH;
    else process.env.FFMPEG_PATH = savedPath;
  });

  it('leaves no clip and no partial file behind when ffmpeg fails half-way', async () => {
    const folder = path.join(directory, 'failing');
    await mkdir(folder);
    process.env.FFMPEG_PATH = await failingFfmpeg(directory);
    const failure = synthesizeClip(path.join(folder, 'clip.mp4'), {
      durationSec: 3,
      aspectRatio: '1:1',
      sound: true,
    });
    await expect(failure).rejects.toThrow(MediaError);
    await expect(failure).rejects.toThrow(/simulated: Conversion failed!/);
    expect(await readdir(folder)).toEqual([]);
  });

  it('refuses sizes libx264 cannot encode, before running ffmpeg', async () => {
    await expect(
      synthesizeClip(path.join(directory, 'odd.mp4'), {
        durationSec: 3,
        aspectRatio: '16:9',
        sound: false,
        size: { width: 321, height: 180 },
      }),
    ).rejects.toThrow(/even width and height/);
  });
});

function distance(a: number[], b: number[]): number {
  return Math.hypot(...a.map((value, index) => value - b[index]!));
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}
