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
  type Meter,
  measureRecipe,
} from './graph.js';
import {
  type MeasuredLoudness,
  measureLoudness,
  parseEbur128Summary,
  parseLoudnormJson,
} from './loudness.js';

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

async function measurePass(
  cut: Cut,
  inputs: FinishInputs,
  scratch: string,
  film: string,
  meter: Meter,
  options: FinishOptions,
): Promise<string> {
  const recipe = measureRecipe(cut, inputs, meter);
  const graphFile = path.join(scratch, `measure-${meter}.graph`);
  await writeFile(graphFile, recipe.graph, 'utf8');
  return runFfmpegForLog(recipe.args(graphFile), `measuring the sound of ${film}`, options);
}

/**
 * How to bring the mix to the cut's loudness: metered with ebur128 (an audio-only pass, cheap), a
 * plain gain when the peaks allow it; otherwise loudnorm's own analysis (a second audio-only pass)
 * for loudnorm to limit the peaks while it levels.
 */
async function levelOf(
  cut: Cut,
  inputs: FinishInputs,
  scratch: string,
  film: string,
  options: FinishOptions,
): Promise<Level | undefined> {
  if (cut.loudness === undefined) return undefined;
  const metered = parseEbur128Summary(await measurePass(cut, inputs, scratch, film, 'ebur128', options));
  const gain = gainFor(cut.loudness, metered);
  if (gain) return gain;
  const analysis = await measurePass(cut, inputs, scratch, film, 'loudnorm', options);
  return { loudnorm: parseLoudnormJson(analysis) };
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
