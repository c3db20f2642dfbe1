/**
 * From verified clips in the store to a variant's folder: `clips/NN-<scene>.mp4` as hard links to
 * the store (a copy where links are impossible), and `film.mp4` joined only when every scene is
 * verified. A film that no longer matches the storyboard is removed rather than left looking current.
 */
import { copyFile, link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { toOtio } from '../cut/otio.js';
import { toSrt, toVtt } from '../cut/subtitles.js';
import type { Cut } from '../cut/types.js';
import { MediaError } from '../errors.js';
import { replaceFile } from '../files/atomic.js';
import { cutFingerprint } from '../finish/fingerprint.js';
import { finishFilm } from '../finish/finish.js';
import type { Plan } from '../plan/types.js';
import { jobId } from '../providers/registry.js';
import type { EmitEvent } from './events.js';
import {
  currentFilm,
  type FilmIngredients,
  type FilmOnDisk,
  filmFingerprint,
  sha256File,
} from './film-current.js';
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
  /**
   * The clip (relative to the variant folder) the film was just joined from first, by stream copy:
   * the film's first frame is this clip's (the report's poster is made from it ahead).
   */
  firstFrameOf?: string;
  /** Every clip is there but the film could not be made: why (ffmpeg's reason). */
  filmError?: { message: string };
}

const CLIP_FILE = /^\d{2,}-.+\.mp4$/;

export interface LinkedClips {
  /** Per scene, in plan order: the clip relative to the variant folder, if verified. */
  clips: (string | undefined)[];
  /** Every scene has its clip: the film can be made. */
  complete: boolean;
}

/**
 * The first half of assembling: each verified clip linked into `clips/`, stale ones removed, and a
 * film that can no longer be whole removed. What the report's pictures need, before the join.
 */
export async function linkVariantClips(
  input: Omit<AssembleInput, 'join' | 'media' | 'emit'>,
): Promise<LinkedClips> {
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
  const complete = clips.every((clip) => clip !== undefined);
  if (!complete) await rm(layout.film(plan.storyboard, plan.variant), { force: true });
  return { clips, complete };
}

/** The second half: the film joined (or finished) from the linked clips, when they are all there. */
export async function joinVariant(input: AssembleInput, linked: LinkedClips): Promise<AssembledVariant> {
  const { plan, layout } = input;
  const { clips } = linked;
  if (!linked.complete || !input.join) return { clips };
  const filmPath = layout.film(plan.storyboard, plan.variant);
  try {
    return { clips, ...(await joinFilm(input, filmPath, clips as string[])) };
  } catch (error) {
    // Ctrl-C during the join: joinClips wrote nothing; the rerun joins.
    if (input.signal?.aborted) return { clips };
    if (!isFilmFailure(error)) throw error;
    // One variant's failed finish (a full disk, an ffmpeg error) must not cost the other variants
    // their films and reports: it is recorded, the batch goes on, and the render exits 1. Nothing
    // was renamed over film.mp4 (written beside it, see finish.ts/join), so the previous film stays.
    const message = (error as Error).message;
    input.emit({
      type: 'warning',
      at: new Date().toISOString(),
      code: 'film_failed',
      message: `${plan.storyboard}/${plan.variant}: the film was not made: ${message}`,
    });
    return { clips, filmError: { message } };
  }
}

/** ffmpeg failed on the film, or the disk filled while it was written: the film's fault, not the batch's. */
function isFilmFailure(error: unknown): boolean {
  if (error instanceof MediaError) return true;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
}

/** The cut to finish, or undefined when nothing is finished (the film is the stream-copy join). */
function finishing(plan: Plan): Cut | undefined {
  return plan.cut && !plan.cut.plain ? plan.cut : undefined;
}

async function joinFilm(
  input: AssembleInput,
  filmPath: string,
  clips: string[],
): Promise<{ film: VariantFilm; firstFrameOf?: string }> {
  const { plan, layout } = input;
  const variantDir = layout.variantDir(plan.storyboard, plan.variant);
  const cut = finishing(plan);
  const fingerprint = input.cutFingerprint ?? (cut ? await cutFingerprint(cut) : undefined);
  const ingredients: FilmIngredients = {
    provider: input.provider,
    clips: plan.jobs.map((job) => input.verified.get(jobId(input.provider, job.key)) ?? ''),
    ...(fingerprint !== undefined ? { cutFingerprint: fingerprint } : {}),
  };
  const current = await currentFilm(layout.reportJson(plan.storyboard, plan.variant), filmPath, ingredients);
  const files = clips.map((clip) => path.join(variantDir, clip));
  const signal = input.signal ? { signal: input.signal } : {};
  let film: VariantFilm;
  let joinMode = 'unchanged';
  if (current) {
    film = current;
  } else if (cut) {
    // One ffmpeg pass from the verified clips; a failure leaves the previous film and every clip.
    const finished = await finishFilm(cut, files, filmPath, signal);
    joinMode = 'finished';
    film = {
      ...(await filmOnDisk(filmPath, finished.durationSec, ingredients)),
      loudness: finished.loudness,
    };
  } else {
    const joined = await input.media.joinClips(files, filmPath, signal);
    joinMode = joined.mode;
    film = await filmOnDisk(filmPath, joined.durationSec, ingredients, joined.sha256);
  }
  await writeCutFiles(plan, variantDir, cut);
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
  return { film, ...(joinMode === 'copy' ? { firstFrameOf: clips[0]! } : {}) };
}

async function filmOnDisk(
  filmPath: string,
  duration: number,
  ingredients: FilmIngredients,
  /** Known when the join hashed the film as it wrote it. */
  sha256?: string,
): Promise<VariantFilm> {
  return {
    path: 'film.mp4',
    duration,
    bytes: (await stat(filmPath)).size,
    sha256: sha256 ?? (await sha256File(filmPath)),
    fingerprint: filmFingerprint(ingredients),
  };
}

export const SIDECAR_FILES = { srt: 'film.srt', vtt: 'film.vtt', otio: 'timeline.otio' } as const;

/**
 * Beside a finished film: its captions as film.srt and film.vtt (when it has sidecar captions) and
 * timeline.otio for an editor. Files of an earlier finish that no longer apply are removed.
 */
async function writeCutFiles(plan: Plan, variantDir: string, cut: Cut | undefined): Promise<void> {
  const at = (name: string) => path.join(variantDir, name);
  const sidecar =
    cut && cut.captions.length > 0 && (cut.captionMode === 'sidecar' || cut.captionMode === 'both');
  if (sidecar) {
    await replaceFile(at(SIDECAR_FILES.srt), toSrt(cut));
    await replaceFile(at(SIDECAR_FILES.vtt), toVtt(cut));
  } else {
    await rm(at(SIDECAR_FILES.srt), { force: true });
    await rm(at(SIDECAR_FILES.vtt), { force: true });
  }
  if (!cut) {
    await rm(at(SIDECAR_FILES.otio), { force: true });
    return;
  }
  const otio = toOtio(cut, {
    name: plan.title,
    clipUrl: (segment) => `clips/${plan.jobs[segment.index]!.clipName}`,
  });
  await replaceFile(at(SIDECAR_FILES.otio), otio);
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
