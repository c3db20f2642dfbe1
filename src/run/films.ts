/**
 * From verified clips in the store to a variant's folder: `clips/NN-<scene>.mp4` as hard links to
 * the store (a copy where links are impossible), and `film.mp4` joined only when every scene is
 * verified. A film that no longer matches the storyboard is removed rather than left looking current.
 */
import { copyFile, link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Plan } from '../plan/types.js';
import type { EmitEvent } from './events.js';
import {
  currentFilm,
  type FilmIngredients,
  type FilmOnDisk,
  filmFingerprint,
  sha256File,
} from './film-current.js';
import { jobId } from './journal/record.js';
import type { OutputLayout } from './layout.js';
import type { MediaTools } from './runner-types.js';

export type VariantFilm = FilmOnDisk;

export interface AssembleInput {
  plan: Plan;
  provider: string;
  layout: OutputLayout;
  media: MediaTools;
  emit: EmitEvent;
  /** Job ids whose clip is verified in the store, with the clip's SHA-256 (its identity in the film). */
  verified: ReadonlyMap<string, string>;
  /** The finishing stage's fingerprint of the cut, when the film is finished (see film-current.ts). */
  cutFingerprint?: string;
  signal?: AbortSignal;
  /** False after Ctrl-C: clips are linked, the film waits for the rerun (which joins at once). */
  join: boolean;
}

export interface AssembledVariant {
  /** Per scene, in plan order: the clip relative to the variant folder, if present. */
  clips: (string | undefined)[];
  film?: VariantFilm;
}

const CLIP_FILE = /^\d{2,}-.+\.mp4$/;

export async function assembleVariant(input: AssembleInput): Promise<AssembledVariant> {
  const { plan, layout } = input;
  const variantDir = layout.variantDir(plan.storyboard, plan.variant);
  const clipsDir = path.join(variantDir, 'clips');
  await mkdir(clipsDir, { recursive: true });
  const clips: (string | undefined)[] = [];
  const wanted = new Set<string>();
  for (const job of plan.jobs) {
    const id = jobId(input.provider, job.key);
    if (!input.verified.has(id)) {
      clips.push(undefined);
      continue;
    }
    await linkOrCopy(layout.storedClip(id), layout.variantClip(plan.storyboard, plan.variant, job.clipName));
    wanted.add(job.clipName);
    clips.push(`clips/${job.clipName}`);
  }
  await removeStaleClips(clipsDir, wanted);

  const filmPath = layout.film(plan.storyboard, plan.variant);
  const complete = clips.every((clip) => clip !== undefined);
  if (!complete) {
    await rm(filmPath, { force: true });
    return { clips };
  }
  if (!input.join) return { clips };
  try {
    return { clips, film: await joinFilm(input, filmPath, clips as string[]) };
  } catch (error) {
    // Ctrl-C during the join: joinClips wrote nothing; the rerun joins.
    if (input.signal?.aborted) return { clips };
    throw error;
  }
}

async function joinFilm(input: AssembleInput, filmPath: string, clips: string[]): Promise<VariantFilm> {
  const { plan, layout } = input;
  const variantDir = layout.variantDir(plan.storyboard, plan.variant);
  const ingredients: FilmIngredients = {
    provider: input.provider,
    clips: plan.jobs.map((job) => input.verified.get(jobId(input.provider, job.key)) ?? ''),
    ...(input.cutFingerprint !== undefined ? { cutFingerprint: input.cutFingerprint } : {}),
  };
  const current = await currentFilm(layout.reportJson(plan.storyboard, plan.variant), filmPath, ingredients);
  let film: VariantFilm;
  let joinMode = 'unchanged';
  if (current) {
    film = current;
  } else {
    const joined = await input.media.joinClips(
      clips.map((clip) => path.join(variantDir, clip)),
      filmPath,
      input.signal ? { signal: input.signal } : {},
    );
    joinMode = joined.mode;
    film = {
      path: 'film.mp4',
      duration: joined.durationSec,
      bytes: (await stat(filmPath)).size,
      sha256: await sha256File(filmPath),
      fingerprint: filmFingerprint(ingredients),
    };
  }
  input.emit({
    type: 'film',
    at: new Date().toISOString(),
    storyboard: plan.storyboard,
    variant: plan.variant,
    path: filmPath,
    durationSec: film.duration,
    bytes: film.bytes,
    joinMode,
  });
  return film;
}

async function linkOrCopy(source: string, destination: string): Promise<void> {
  await rm(destination, { force: true });
  try {
    await link(source, destination);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw error;
    await copyFile(source, destination);
  }
}

/** Clips of scenes that were removed, renamed, reordered or are not verified any more. */
async function removeStaleClips(clipsDir: string, wanted: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(clipsDir)) {
    if (CLIP_FILE.test(name) && !wanted.has(name)) await rm(path.join(clipsDir, name), { force: true });
  }
}
