/**
 * The finishing stage on real clips with the bundled ffmpeg: one pass, the film exactly the cut's
 * length, sound throughout, loudness measured on the output, storyboard text drawn from files.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Cut } from '../../src/cut/types.js';
import { MediaError } from '../../src/errors.js';
import { finishFilm, finishInputs } from '../../src/finish/finish.js';
import { finishRecipe, gainFor } from '../../src/finish/graph.js';
import { ffmpegPath, ffprobePath } from '../../src/media/binaries.js';
import { synthesizeClip } from '../../src/media/synth.js';
import { planVariant } from '../../src/plan/planner.js';
import { parseStoryboard } from '../../src/storyboard/load.js';
import { makeClickTrackClip } from '../helpers/clips.js';
import { averageColour, SMALL, scratchDir } from '../media/media-helpers.js';

const ASSETS = path.resolve('storyboards/assets');
const NASTY = `'%{pts}:;[\\ "quoted" 100%`;

const STORYBOARD = `version: 1
defaults: { sound: true }
finish:
  loudness: -16
  transition_duration: 0.5
  end_card: { duration: 2, image: logo.png, text: "Thanks: that's all", background: "#204060" }
  music: { file: bed.m4a, volume: -10, fade_out: 1 }
  captions: both
scenes:
  - id: a
    prompt: one
    duration: 3
    trim: { start: 0.5 }
    supers: [{ text: ${JSON.stringify(NASTY)}, at: 0.5, for: 1.5, position: lower-third }]
  - id: b
    prompt: two
    duration: 3
    sound: false
    transition: crossfade
    captions: [{ text: "I've got you", at: 0.5, for: 1.5 }]
  - id: c
    prompt: three
    duration: 3
    transition: dip
`;

const directory = await scratchDir('storyreel-finish-test-');

function cutOf(yaml: string): Cut {
  const result = planVariant(parseStoryboard(yaml, path.join(directory, 'ad.yaml')), 'default');
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  const cut = result.plan.cut!;
  // As the shell's asset check leaves it: absolute paths.
  return {
    ...cut,
    assetsResolved: true,
    ...(cut.music ? { music: { ...cut.music, file: path.join(ASSETS, 'bed.m4a') } } : {}),
    ...(cut.endCard?.image ? { endCard: { ...cut.endCard, image: path.join(ASSETS, 'logo.png') } } : {}),
  };
}

async function makeClips(cut: Cut, silent: string[] = []): Promise<string[]> {
  return Promise.all(
    cut.segments.map(async (segment) => {
      const file = path.join(directory, `${segment.scene}${silent.length ? '-s' : ''}.mp4`);
      if (!existsSync(file)) {
        await synthesizeClip(file, {
          durationSec: segment.clipDuration,
          aspectRatio: cut.aspectRatio,
          sound: segment.sound && !silent.includes(segment.scene),
          size: SMALL,
          shots: [{ prompt: segment.scene, duration: segment.clipDuration }],
        });
      }
      return file;
    }),
  );
}

/** ffprobe, independently: each stream's type, duration and frame count. */
async function streamFacts(file: string) {
  const { stdout } = await execa(ffprobePath(), [
    ...['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,duration,nb_read_frames'],
    ...['-of', 'json', file],
  ]);
  return (
    JSON.parse(stdout) as { streams: { codec_type: string; duration: string; nb_read_frames: string }[] }
  ).streams;
}

/** An EBU R128 meter run on the file, apart from the stage's own measurement. */
async function meter(file: string): Promise<{ integrated: number; truePeak: number }> {
  const { stderr } = await execa(ffmpegPath(), [
    ...['-nostats', '-i', file, '-map', '0:a', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
  ]);
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const number = (re: RegExp) => Number(re.exec(summary)?.[1] ?? Number.NaN);
  return { integrated: number(/I:\s+(-?[\d.]+) LUFS/), truePeak: number(/Peak:\s+(-?[\d.]+|-inf) dBFS/) };
}

describe('finishing a cut into film.mp4', () => {
  const cut = cutOf(STORYBOARD);
  const film = path.join(directory, 'film.mp4');
  let clips: string[];
  let finished: Awaited<ReturnType<typeof finishFilm>>;

  beforeAll(async () => {
    clips = await makeClips(cut);
    finished = await finishFilm(cut, clips, film);
  }, 120_000);

  it('is exactly the cut long, to the frame, with sound for its whole length', async () => {
    // 2.5 (trimmed) + 3 + 3 - 0.5 crossfade + 2 end card (the dip keeps the length).
    expect(cut.duration).toBe(10);
    const facts = await streamFacts(film);
    const video = facts.find((s) => s.codec_type === 'video')!;
    const audio = facts.find((s) => s.codec_type === 'audio')!;
    expect(Number(video.nb_read_frames)).toBe(cut.duration * cut.fps);
    expect(Math.abs(Number(video.duration) - cut.duration)).toBeLessThan(1 / cut.fps / 2);
    expect(audio).toBeDefined();
    expect(Math.abs(Number(audio.duration) - cut.duration)).toBeLessThan(1 / cut.fps);
  });

  it('is at the loudness asked for, measured on the output, with true peak under -1 dBTP', async () => {
    const measured = await meter(film);
    expect(Math.abs(measured.integrated - -16)).toBeLessThanOrEqual(0.5);
    expect(measured.truePeak).toBeLessThanOrEqual(-1);
    // What the stage reports is the film's measurement, not the target echoed.
    expect(finished.loudness.integrated).toBeCloseTo(measured.integrated, 1);
    expect(finished.loudness.truePeak).toBeCloseTo(measured.truePeak, 1);
  });

  it('dips to black between the last scene and the end card, whose background shows', async () => {
    // The dip is 0.5 s around the boundary at 8 s; its darkest frame is the boundary itself.
    const [r, g, b] = await averageColour(film, 8 - 1 / 48);
    expect(r + g + b).toBeLessThan(20);
    // The card's corner, away from the logo and the text: its background (#204060).
    const corner = await averageColour(film, 9.5);
    expect(corner[2]).toBeGreaterThan(corner[0]);
  });

  it('never puts storyboard text in the graph: drawtext reads it from files, with expansion off', async () => {
    const inputs = await finishInputs(cut, clips, '/scratch');
    const recipe = finishRecipe(cut, inputs, undefined);
    for (const text of [NASTY, '%{pts}', "I've got you", "Thanks: that's all"]) {
      expect(recipe.graph).not.toContain(text);
    }
    expect(recipe.texts).toContainEqual({ name: 'super-1.txt', content: NASTY });
    expect(recipe.texts).toContainEqual({ name: 'caption-1.txt', content: "I've got you" });
    const draws = recipe.graph.match(/drawtext=[^,;\]]*/g) ?? [];
    expect(draws).toHaveLength(3);
    for (const draw of draws) expect(draw).toMatch(/textfile=.*:expansion=none/);
    // ffmpeg took it (the film above exists); the super's frames differ from the same frame without it.
    const bare = cutOf(STORYBOARD.replace(/ {4}supers: .*\n/, ''));
    const bareFilm = path.join(directory, 'bare.mp4');
    await finishFilm({ ...bare, loudness: undefined, music: undefined }, clips, bareFilm);
    const withSuper = await averageColour(film, 1);
    const without = await averageColour(bareFilm, 1);
    expect(Math.abs(withSuper[0] - without[0]) + Math.abs(withSuper[1] - without[1])).toBeGreaterThan(0.5);
  }, 60_000);

  it('fails with ffmpeg’s reason and leaves the previous film as it was', async () => {
    const before = await readFile(film);
    const broken = path.join(directory, 'broken.mp4');
    await writeFile(broken, Buffer.concat([(await readFile(clips[0]!)).subarray(0, 4000)]));
    const error = await finishFilm(cut, [broken, clips[1]!, clips[2]!], film).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect(String((error as Error).message)).toMatch(/ffprobe|ffmpeg/);
    expect((await readFile(film)).equals(before)).toBe(true);
  }, 60_000);
});

describe('a long cut', () => {
  it('finishes twelve crossfaded scenes under a music bed (a chain of acrossfade crashed the 2018 ffmpeg)', async () => {
    const scenes = Array.from(
      { length: 12 },
      (_, k) =>
        `  - id: s${k}\n    prompt: p${k}\n    duration: 5\n${k < 11 ? '    transition: crossfade\n' : ''}`,
    ).join('');
    const cut = cutOf(
      `version: 1\ndefaults: { sound: true }\nfinish:\n  loudness: -14\n  music: { file: bed.m4a, volume: -12 }\n  end_card: { duration: 5.5, background: "#223344" }\nscenes:\n${scenes}`,
    );
    const clip = path.join(directory, 'five.mp4');
    await synthesizeClip(clip, {
      durationSec: 5,
      aspectRatio: '16:9',
      sound: true,
      size: { width: 160, height: 90 },
      shots: [{ prompt: 'five', duration: 5 }],
    });
    const film = path.join(directory, 'long.mp4');
    const finished = await finishFilm(cut, Array(12).fill(clip), film);
    expect(cut.duration).toBe(60);
    const video = (await streamFacts(film)).find((s) => s.codec_type === 'video')!;
    expect(Number(video.nb_read_frames)).toBe(60 * 24);
    expect(Math.abs(finished.loudness.integrated - -14)).toBeLessThanOrEqual(0.5);
  }, 120_000);
});

describe('the level of the mix', () => {
  it('is a plain gain when the peaks stay under the ceiling, a limited one when they would not', () => {
    // -27.8 LUFS, peaks at -20 dBTP: +13.8 dB leaves them at -6.2.
    expect(gainFor(-14, { integrated: -27.8, truePeak: -20 })).toEqual({ gainDb: 13.8 });
    // Peaks at -3 dBTP: +13.8 dB would put them over 0 dBTP: the limiter is needed.
    expect(gainFor(-14, { integrated: -27.8, truePeak: -3 })).toBeUndefined();
    // Louder than the target: turned down, whatever the peaks.
    expect(gainFor(-23, { integrated: -10, truePeak: 0.5 })).toEqual({ gainDb: -13 });
    // Silence is left silent (its meter reads -70 LUFS or -inf).
    expect(gainFor(-14, { integrated: -70, truePeak: Number.NEGATIVE_INFINITY })).toEqual({ gainDb: 0 });
  });
});

describe('a mix whose peaks a gain would clip', () => {
  it.each([-23, -14])(
    'is brought to %d LUFS through a true-peak limiter: on target, true peak under -1 dBTP',
    async (target) => {
      // A quiet tone with a loud click every half second: -24.6 LUFS with peaks at 0 dBFS, so even
      // the +1.6 dB to -23 LUFS would put the clicks over the ceiling; -14 needs the limiter to take
      // about 10 dB off every click (loudnorm, before, stopped at -17.8 LUFS there).
      const clip = path.join(directory, 'clicks.mp4');
      await makeClickTrackClip(clip, { width: 160, height: 90 });
      const cut = cutOf(
        `version: 1\ndefaults: { sound: true }\nfinish:\n  loudness: ${target}\nscenes:\n  - id: a\n    prompt: a\n    duration: 5\n    transition: crossfade\n  - id: b\n    prompt: b\n    duration: 5\n`,
      );
      expect(gainFor(target, await meter(clip))).toBeUndefined();
      const film = path.join(directory, `clicks-film${target}.mp4`);
      const finished = await finishFilm(cut, [clip, clip], film);
      const measured = await meter(film);
      expect(Math.abs(measured.integrated - target)).toBeLessThanOrEqual(0.5);
      expect(measured.truePeak).toBeLessThanOrEqual(-1);
      expect(finished.loudness.integrated).toBeCloseTo(measured.integrated, 1);
      expect(finished.durationSec).toBeCloseTo(9.5, 1);
    },
    60_000,
  );
});
