/**
 * The finishing stage's shell: verified clips + a cut -> film.mp4 in one ffmpeg pass (after an
 * audio-only pass that meters the mix, when the cut asks for a loudness). The film is written
 * beside its destination and renamed into place only when ffmpeg succeeded and the result measured:
 * a failure leaves the previous film (and every clip) as it was.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Cut } from '../cut/types.js';
import { MediaError } from '../errors.js';
import { makeScratchFolder, writeAtomically } from '../files/atomic.js';
import { probe } from '../media/probe.js';
import { runFfmpeg, runFfmpegForLog } from '../media/run.js';
import { findFont } from '../media/synth.js';
import {
  type FinishInputs,
  type FinishRecipe,
  finishRecipe,
  gainFor,
  type Level,
  measureRecipe,
} from './graph.js';
import { type MeasuredLoudness, measureLoudness, parseEbur128Summary } from './loudness.js';

/** Measuring passes at most to find a limited gain, and how close to the target is close enough. */
const LIMITED_GAIN_PASSES = 4;
const LIMITED_GAIN_TOLERANCE_LU = 0.2;

export interface FinishOptions {
  signal?: AbortSignal;
}

export interface FinishedFilm {
  durationSec: number;
  /** Measured on the written film (not the target). */
  loudness: MeasuredLoudness;
}

/** The clips' facts the graph needs: which have sound, and the picture size (the first clip's). */
export async function finishInputs(cut: Cut, clips: string[], scratch: string, options: FinishOptions = {}) {
  const infos = await Promise.all(clips.map((clip) => probe(clip, options)));
  const missing = clips.filter((_, k) => !infos[k]!.video);
  if (missing.length > 0) throw new MediaError(`cannot finish: no video stream in ${missing.join(', ')}`);
  const fontFile = cut.font ?? findFont();
  if (!fontFile) {
    throw new MediaError(
      'no font to draw supers with: install dejavu-fonts-ttf (it comes with storyreel) or set finish.font',
    );
  }
  const first = infos[0]!.video!;
  const inputs: FinishInputs = {
    clips: clips.map((file, k) => ({
      file: path.resolve(file),
      hasAudio: Boolean(infos[k]!.audio),
      width: infos[k]!.video!.width,
      height: infos[k]!.video!.height,
    })),
    width: first.width - (first.width % 2),
    height: first.height - (first.height % 2),
    fontFile,
    textDir: scratch,
  };
  return inputs;
}

/** An audio-only pass that meters the mix (with `level` applied, if given). */
async function measurePass(
  cut: Cut,
  inputs: FinishInputs,
  scratch: string,
  film: string,
  level: Level | undefined,
  options: FinishOptions,
): Promise<MeasuredLoudness> {
  const recipe = measureRecipe(cut, inputs, level);
  const graphFile = path.join(scratch, 'measure.graph');
  await writeFile(graphFile, recipe.graph, 'utf8');
  return parseEbur128Summary(
    await runFfmpegForLog(recipe.args(graphFile), `measuring the sound of ${film}`, options),
  );
}

/**
 * How to bring the mix to the cut's loudness: metered with ebur128 (an audio-only pass, cheap), a
 * plain gain when the peaks allow it. Otherwise the limiter takes off some of the loudness the gain
 * adds, by how much depends on the mix: the gain is raised by what a pass with it measured short,
 * a few cheap passes at most (each sound only), since loudness only grows with the gain.
 */
async function levelOf(
  cut: Cut,
  inputs: FinishInputs,
  scratch: string,
  film: string,
  options: FinishOptions,
): Promise<Level | undefined> {
  const target = cut.loudness;
  if (target === undefined) return undefined;
  const metered = await measurePass(cut, inputs, scratch, film, undefined, options);
  const gain = gainFor(target, metered);
  if (gain) return gain;
  let level: Level = { gainDb: round2(target - metered.integrated), limit: true };
  for (let pass = 0; pass < LIMITED_GAIN_PASSES; pass++) {
    const shortfall = target - (await measurePass(cut, inputs, scratch, film, level, options)).integrated;
    if (Math.abs(shortfall) <= LIMITED_GAIN_TOLERANCE_LU) break;
    level = { gainDb: round2(level.gainDb + shortfall), limit: true };
  }
  return level;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

async function writeRecipe(recipe: FinishRecipe, scratch: string): Promise<string> {
  // Storyboard text reaches drawtext only through these files: never inline in the graph.
  for (const text of recipe.texts) await writeFile(path.join(scratch, text.name), text.content, 'utf8');
  const graphFile = path.join(scratch, 'film.graph');
  await writeFile(graphFile, recipe.graph, 'utf8');
  return graphFile;
}

/** Finishes `cut` from `clips` (one per segment, in order) into `film`. */
export async function finishFilm(
  cut: Cut,
  clips: string[],
  film: string,
  options: FinishOptions = {},
): Promise<FinishedFilm> {
  if (clips.length !== cut.segments.length) {
    throw new MediaError(`cannot finish ${film}: ${clips.length} clips for ${cut.segments.length} scenes`);
  }
  const scratch = await makeScratchFolder('finish');
  try {
    const inputs = await finishInputs(cut, clips, scratch, options);
    const level = await levelOf(cut, inputs, scratch, film, options);
    const recipe = finishRecipe(cut, inputs, level);
    const graphFile = await writeRecipe(recipe, scratch);
    return await writeAtomically(film, async (temporary) => {
      await runFfmpeg(recipe.args(graphFile, temporary), `finishing ${film}`, options);
      const info = await probe(temporary, options);
      if (!info.audio) throw new MediaError(`finishing ${film} wrote a film without sound`);
      return { durationSec: info.durationSec, loudness: await measureLoudness(temporary, options) };
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
