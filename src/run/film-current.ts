/**
 * Is film.mp4 the film these ingredients make? A film is current only when it was made from exactly
 * these clips (their SHA-256, computed once when each clip was verified), by the same provider, and,
 * when finished, from the same cut. Job keys and byte sizes are not enough: `--rerender` gives a new
 * clip under the same key, and a preview animatic has the keys of the real film.
 *
 * What was joined is recorded in report.json (`film.fingerprint`, with the film's own SHA-256), so the
 * next run can tell without joining again.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { FilmReport } from '../report/types.js';

/** Everything a film is made of. Another stage adds its own part (the cut) to the same list. */
export interface FilmIngredients {
  provider: string;
  /** SHA-256 (hex) of each clip, in film order. */
  clips: readonly string[];
  /** The finishing stage's fingerprint of the cut (supers, music, transitions...), when it finishes. */
  cutFingerprint?: string;
}

/** What report.json keeps of a film that was written. */
export interface FilmOnDisk {
  /** Relative to the variant folder. */
  path: string;
  duration: number;
  bytes: number;
  /** SHA-256 of film.mp4 itself: the file is still the one that was joined. */
  sha256: string;
  /** filmFingerprint of the ingredients it was made from. */
  fingerprint: string;
  /** A finished film's sound as measured on the file (EBU R128), not the target. */
  loudness?: { integrated: number; truePeak: number };
}

/** One string for the ingredients: equal exactly when every ingredient is. */
export function filmFingerprint(ingredients: FilmIngredients): string {
  const canonical = JSON.stringify({
    provider: ingredients.provider,
    clips: ingredients.clips,
    cut: ingredients.cutFingerprint ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The film on disk, as the previous report describes it, when that report says it was made from these
 * ingredients and the file is still the one it wrote; undefined means: join again.
 */
export async function currentFilm(
  reportFile: string,
  filmPath: string,
  ingredients: FilmIngredients,
): Promise<FilmOnDisk | undefined> {
  let previous: FilmReport;
  try {
    previous = JSON.parse(await readFile(reportFile, 'utf8')) as FilmReport;
  } catch {
    return undefined;
  }
  const film = previous.film as Partial<FilmOnDisk> | undefined;
  if (previous.status !== 'complete' || !film?.fingerprint || !film.sha256) return undefined;
  if (film.fingerprint !== filmFingerprint(ingredients)) return undefined;
  try {
    const { size, mtimeMs } = await stat(filmPath);
    if (size !== film.bytes) return undefined;
    // Not written since that report was (the film is written before its report): the file is the one
    // it describes, as inspect.ts trusts a clip verified before its last write. Hashing a 40-scene
    // film of real clips (100+ MB) was most of a rerun with nothing to do.
    if (writtenBefore(mtimeMs, previous.finishedAt)) return film as FilmOnDisk;
    if ((await sha256File(filmPath)) !== film.sha256) return undefined;
  } catch {
    return undefined;
  }
  return film as FilmOnDisk;
}

function writtenBefore(mtimeMs: number, reportedAt: string | undefined): boolean {
  const at = reportedAt ? Date.parse(reportedAt) : Number.NaN;
  return Number.isFinite(at) && mtimeMs <= at;
}

const HASH_CHUNK_BYTES = 1 << 20;

/** SHA-256 (hex) of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  // 1 MB reads, not the stream's default 64 KB: a 4.5 MB film took 70 round trips through the
  // thread pool (12-45 ms at the end of a render, against ~10 ms of hashing).
  for await (const chunk of createReadStream(file, { highWaterMark: HASH_CHUNK_BYTES }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}
