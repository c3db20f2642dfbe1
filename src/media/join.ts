/**
 * Clips -> film. Stream copy when every clip shares its codec parameters (the normal case: one model,
 * one aspect ratio), which takes well under a second and loses nothing. storyreel splices such clips
 * itself (mp4-concat.ts: one index built from the clips', their media bytes copied), which costs about
 * what copying the bytes does and keeps each clip's sound at its first frame; ffmpeg's concat demuxer,
 * used when a clip is not in the plain shape that splicing takes, probes every clip first and lets the
 * sound drift by AAC priming at each cut. Clips that differ only in
 * having sound or not (a `sound: false` scene) are copied too: each silent clip first gets a silent
 * AAC track like the others' (its video packets copied). Otherwise one re-encode that brings every
 * clip to a common format first.
 */
import { createHash, type Hash } from 'node:crypto';
import { statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { MediaError } from '../errors.js';
import { temporaryPathBeside, writeAtomically } from '../files/atomic.js';
import { type FilmPlan, planFilm } from './mp4-concat.js';
import { type Movie, readMovie, Unsupported } from './mp4-movie.js';
import { writeFilm } from './mp4-write.js';
import { type AudioInfo, type MediaInfo, probe } from './probe.js';
import {
  concatCopyArgs,
  concatList,
  type NormaliseRecipe,
  normaliseJoinArgs,
  silentTrackArgs,
} from './recipes.js';
import { runFfmpeg } from './run.js';

export interface JoinOptions {
  signal?: AbortSignal;
}

export interface JoinResult {
  mode: 'copy' | 'normalised';
  /** Who copied: storyreel's splice, or ffmpeg (with why splicing was declined). */
  by: 'splice' | 'ffmpeg';
  spliceDeclined?: string;
  durationSec: number;
  /** Clips without sound that were given a silent track to be joined by copy. */
  silencedClips?: number;
  /** SHA-256 (hex) of the film, when it was hashed as it was written (storyreel's splice). */
  sha256?: string;
}

const PROBE_CONCURRENCY = 4;
/** ffmpeg processes adding silent tracks at once (each is short: copy video, encode silence). */
const SILENCE_CONCURRENCY = 2;

/** Joins `clips`, in order, into `film` (written atomically, faststart). */
export async function joinClips(
  clips: string[],
  film: string,
  options: JoinOptions = {},
): Promise<JoinResult> {
  if (clips.length === 0) throw new MediaError(`nothing to join into ${film}: no clips were given`);
  const files = clips.map((clip) => path.resolve(clip));
  const splice = planSplice(files);
  if ('plan' in splice) {
    const { plan } = splice;
    const hash = createHash('sha256');
    await writeAtomically(film, (temporary) => spliceInto(plan, temporary, options.signal, hash));
    return { mode: 'copy', by: 'splice', durationSec: plan.durationSec, sha256: hash.digest('hex') };
  }
  const limit = pLimit(PROBE_CONCURRENCY);
  const infos = await Promise.all(files.map((file) => limit(() => probe(file, options))));
  const withoutVideo = files.filter((_, index) => !infos[index]!.video);
  if (withoutVideo.length > 0) {
    throw new MediaError(`cannot join into ${film}: no video stream in ${withoutVideo.join(', ')}`);
  }
  const silence = canCopy(infos) ? undefined : silenceToAdd(infos);
  const mode = canCopy(infos) || silence ? 'copy' : 'normalised';
  const { durationSec, by } = await writeAtomically(film, async (temporary) => {
    let by: JoinResult['by'] = 'ffmpeg';
    if (silence) by = await copyJoinWithSilence(files, infos, silence, temporary, film, options);
    else if (mode === 'copy') await copyJoin(files, temporary, film, options);
    else
      await runFfmpeg(
        normaliseJoinArgs(normaliseRecipe(files, infos, temporary)),
        `joining ${film}`,
        options,
      );
    return { durationSec: (await probe(temporary, options)).durationSec, by };
  });
  const silenced = silence ? infos.filter((info) => !info.audio).length : 0;
  return {
    mode,
    by,
    ...(by === 'ffmpeg' ? { spliceDeclined: splice.declined } : {}),
    durationSec,
    ...(silenced > 0 ? { silencedClips: silenced } : {}),
  };
}

/**
 * How storyreel would splice `files`, or why it will not. Any failure to read a clip's index (not an
 * MP4, unreadable) declines too: ffmpeg then reads the clip and reports what is wrong with it.
 */
function planSplice(files: string[]): { plan: FilmPlan } | { declined: string } {
  try {
    return { plan: planFilm(files.map(movieOf)) };
  } catch (error) {
    return { declined: (error as Error).message };
  }
}

/**
 * Clip indexes read while the render still waited for other clips (readIndexAhead), by file
 * identity: the join then reads only what it was not given ahead, off the time between the last
 * clip and the film (200 clips: their indexes took ~50 ms there, holding the CPU the contact
 * sheet's preparation needed).
 */
const moviesAhead = new Map<string, Movie>();
/** About 20 KB each (2 s clips): beyond this many, the join reads the rest itself. */
const MAX_MOVIES_AHEAD = 2000;

/** Reads a clip's index now, for a join to come. Best effort: the join reads any it lacks. */
export function readIndexAhead(file: string): void {
  try {
    const identity = identityOf(file);
    if (moviesAhead.size < MAX_MOVIES_AHEAD && !moviesAhead.has(identity)) {
      moviesAhead.set(identity, readMovie(file));
    }
  } catch {
    // Unreadable or not splicable: the join reads it again and says why.
  }
}

/** The clip's index, as read ahead from this very file (a link to it counts) or read now. */
function movieOf(file: string): Movie {
  const ahead = moviesAhead.get(identityOf(file));
  return ahead ? { ...ahead, file } : readMovie(file);
}

/**
 * Device, inode, size and modification time, as probe.ts keys its answers: a clip replaced (a new
 * inode) or rewritten is another file. Not the change time: the variant folder's hard link to the
 * store's clip changes it, and the join reads the clips through those links.
 */
function identityOf(file: string): string {
  const stats = statSync(file, { bigint: true });
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

async function spliceInto(plan: FilmPlan, output: string, signal?: AbortSignal, hash?: Hash) {
  try {
    await writeFilm(plan, output, signal, hash);
  } catch (error) {
    if (error instanceof Unsupported) throw new MediaError(`cannot join into ${output}: ${error.message}`);
    throw error;
  }
}

/**
 * Pure: the audio a silent clip must be given so that every clip can be copied, or undefined when
 * the clips differ in more than sound (or no clip has any, or it is not AAC, which we can write).
 */
export function silenceToAdd(infos: readonly MediaInfo[]): AudioInfo | undefined {
  const withSound = infos.filter((info) => info.audio);
  if (withSound.length === 0 || withSound.length === infos.length || !canCopy(withSound)) return undefined;
  const audio = withSound[0]!.audio!;
  if (audio.codec !== 'aac' || (audio.profile !== undefined && audio.profile !== 'LC')) return undefined;
  const pictures = infos.map((info) => copySignature({ ...info, audio: undefined }));
  return pictures.every((picture) => picture === pictures[0]) ? audio : undefined;
}

async function copyJoinWithSilence(
  files: string[],
  infos: readonly MediaInfo[],
  audio: AudioInfo,
  temporary: string,
  film: string,
  options: JoinOptions,
): Promise<JoinResult['by']> {
  const made: string[] = [];
  const limit = pLimit(SILENCE_CONCURRENCY);
  try {
    const inputs = await Promise.all(
      files.map((file, index) => {
        const info = infos[index]!;
        if (info.audio) return file;
        // Named like every temporary file beside the film, so that a killed join's leftovers are found.
        const output = temporaryPathBeside(path.join(path.dirname(film), `${path.basename(film)}-${index}`));
        made.push(output);
        return limit(async () => {
          const { sampleRate, channels } = audio;
          const track = { input: file, output, durationSec: info.durationSec, sampleRate, channels };
          await runFfmpeg(silentTrackArgs(track), `adding a silent track to ${file}`, options);
          return output;
        });
      }),
    );
    const splice = planSplice(inputs);
    if (!('plan' in splice)) {
      await copyJoin(inputs, temporary, film, options);
      return 'ffmpeg';
    }
    await spliceInto(splice.plan, temporary, options.signal);
    return 'splice';
  } finally {
    await Promise.all(made.map((file) => rm(file, { force: true })));
  }
}

async function copyJoin(
  files: string[],
  temporary: string,
  film: string,
  options: JoinOptions,
): Promise<void> {
  const listFile = `${temporaryPathBeside(film)}.txt`;
  await writeFile(listFile, concatList(files), 'utf8');
  try {
    await runFfmpeg(concatCopyArgs(listFile, temporary), `joining ${film} (stream copy)`, options);
  } finally {
    await rm(listFile, { force: true });
  }
}

/**
 * Everything that must be identical for packets of one clip to be valid in another's track. The
 * extradata hash catches H.264 streams whose SPS/PPS differ although size and profile match.
 */
export function copySignature(info: MediaInfo): string {
  const { video, audio } = info;
  return JSON.stringify({
    video: video && {
      codec: video.codec,
      profile: video.profile,
      width: video.width,
      height: video.height,
      pixFmt: video.pixFmt,
      fps: video.fps,
      timeBase: video.timeBase,
      sampleAspectRatio: video.sampleAspectRatio,
      extradataHash: video.extradataHash,
    },
    audio: audio && {
      codec: audio.codec,
      profile: audio.profile,
      sampleRate: audio.sampleRate,
      channels: audio.channels,
    },
  });
}

/** Pure: whether the clips can be joined by stream copy. */
export function canCopy(infos: readonly MediaInfo[]): boolean {
  const first = infos[0];
  if (!first) return false;
  const signature = copySignature(first);
  return infos.every((info) => copySignature(info) === signature);
}

/** Pure: the common format for a normalised join; the most common size and frame rate win. */
export function normaliseRecipe(
  files: string[],
  infos: readonly MediaInfo[],
  output: string,
): NormaliseRecipe {
  const size = mostCommon(infos.map((info) => `${info.video!.width}x${info.video!.height}`));
  const [width, height] = size.split('x').map(Number) as [number, number];
  const fps = Number(mostCommon(infos.map((info) => String(info.video!.fps || 24))));
  return {
    clips: files.map((file, index) => ({
      file,
      hasAudio: Boolean(infos[index]!.audio),
      durationSec: infos[index]!.durationSec,
    })),
    width: even(width),
    height: even(height),
    fps,
    output,
  };
}

/** The most frequent value; ties go to the one seen first (the film's opening clip). */
function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = values[0]!;
  for (const [value, count] of counts) if (count > counts.get(best)!) best = value;
  return best;
}

function even(value: number): number {
  return Math.max(2, value - (value % 2));
}
