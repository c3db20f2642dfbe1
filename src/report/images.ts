/**
 * The report's images, made with ffmpeg beside report.json: `thumbs/NN-<scene>.jpg` (each clip's first
 * frame) and `contact-sheet.jpg` (every scene in one picture, for a chat message or a review deck).
 * Each file is written atomically, and made again only when its inputs changed (freshness.ts): a
 * re-rendered scene never keeps an old picture, and a rerun with nothing new makes none.
 */
import { copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { makeScratchFolder, temporaryPathBeside, writeAtomically } from '../files/atomic.js';
import { readJpegFrame } from '../media/jpeg-size.js';
import { runFfmpeg } from '../media/run.js';
import { findFont } from '../media/synth.js';
import { formatDuration, plural, sceneNumber, takeThumbnailKey } from './format.js';
import { fileIdentity, inputKey, isFresh, type Manifest, readManifest, updateManifest } from './freshness.js';
import {
  contactSheetArgs,
  labelledImageList,
  posterArgs,
  type SheetTile,
  sheetColumns,
  THUMBNAIL_BOX,
  THUMBNAILS_PER_RUN,
  type ThumbnailJob,
  thumbnailArgs,
  thumbnailsArgs,
} from './image-recipes.js';
import type { ThumbnailsAhead } from './thumbnails-ahead.js';
import type { FilmReport, SceneReport, TakeReport } from './types.js';

export const THUMBS_DIR = 'thumbs';
export const CONTACT_SHEET_FILE = 'contact-sheet.jpg';
export const POSTER_FILE = 'poster.jpg';

/** Two ffmpeg processes at a time: thumbnails are quick, and the machine may be rendering too. */
const THUMBNAIL_CONCURRENCY = 2;
/** Scenes whose thumbnail is checked (and copied) at once: file operations, not processes. */
const SCENE_CHECK_CONCURRENCY = 16;

/** What the thumbnails of a report will be, decided before any is copied or made. */
export interface ThumbnailPlan {
  variantDir: string;
  /** Scene id (or take key) -> its thumbnail, relative to the variant folder. */
  thumbnails: Record<string, string>;
  /** Scene id -> where its picture can be read as soon as the stale ones are made, and its key. */
  sheetTiles: Record<string, SheetPicture>;
  /** Pictures made ahead, to be copied into place. */
  copies: { from: string; output: string }[];
  /** Pictures to be made by ffmpeg. */
  stale: ThumbnailJob[];
  after: Manifest;
}

/** A tile's picture for the contact sheet: a file to read, and the key of what it shows. */
export interface SheetPicture {
  image: string;
  key: string;
}

/**
 * Decides, per scene and take, whether its thumbnail is fresh, is copied from the picture made
 * `ahead` from the same file, or is to be made. Touches nothing but the manifest's reading.
 */
export async function planThumbnails(
  report: FilmReport,
  variantDir: string,
  ahead?: ThumbnailsAhead,
): Promise<ThumbnailPlan> {
  const before = await readManifest(variantDir);
  const plan: ThumbnailPlan = {
    variantDir,
    thumbnails: {},
    sheetTiles: {},
    copies: [],
    stale: [],
    after: {},
  };
  // Scenes side by side: each is a few small file operations, and one after the other they were
  // most of the time between a render's last clip and its contact sheet (40 scenes: ~100 ms).
  const checks = pLimit(SCENE_CHECK_CONCURRENCY);
  const scenes = await Promise.all(
    report.scenes.map((scene) => checks(() => sceneThumbnail(scene, variantDir, before, ahead))),
  );
  for (const [index, found] of scenes.entries()) {
    if (!found) continue;
    const scene = report.scenes[index]!.scene;
    const output = path.join(variantDir, found.thumbnail);
    if (found.stale) plan.stale.push(found.stale);
    if (found.from) plan.copies.push({ from: found.from, output });
    plan.after[found.thumbnail] = found.key;
    plan.thumbnails[scene] = found.thumbnail;
    // The copy may not be in place yet: the sheet reads the picture it is copied from.
    plan.sheetTiles[scene] = { image: found.from ?? output, key: found.key };
  }
  // The other takes of each scene (report.json's `takes`), shown side by side in the scene's card.
  for (const { scene, take } of otherTakes(report)) {
    const clip = path.join(variantDir, take.clip!);
    const identity = await fileIdentity(clip);
    if (!identity) continue;
    const thumbnail = takeThumbnailPath(take.clip!);
    const key = inputKey({ clip: identity, recipe: thumbnailArgs(take.clip!, 'out.jpg') });
    if (!(await isFresh(variantDir, before, thumbnail, key))) {
      plan.stale.push({ clip, output: path.join(variantDir, thumbnail) });
    }
    plan.after[thumbnail] = key;
    plan.thumbnails[takeThumbnailKey(scene.scene, take.take)] = thumbnail;
  }
  return plan;
}

/** Runs ffmpeg for the plan's stale thumbnails, a few per run. */
export async function makeStaleThumbnails(plan: ThumbnailPlan): Promise<void> {
  const limit = pLimit(THUMBNAIL_CONCURRENCY);
  await Promise.all(batches(plan.stale, THUMBNAILS_PER_RUN).map((batch) => limit(() => makeBatch(batch))));
}

/**
 * Copies the pictures made ahead into place and, once `made` (the stale ones) has too, removes the
 * thumbnails no scene has any more and records every key.
 */
export async function placeThumbnails(plan: ThumbnailPlan, made: Promise<void>): Promise<void> {
  const copying = pLimit(SCENE_CHECK_CONCURRENCY);
  const settled = await Promise.allSettled([
    made,
    ...plan.copies.map(({ from, output }) =>
      copying(() => writeAtomically(output, (temporary) => copyFile(from, temporary))),
    ),
  ]);
  // Every copy has ended before a failure is told (the pictures ahead are removed right after).
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  await removeStaleThumbnails(plan.variantDir, new Set(Object.values(plan.thumbnails)));
  // The thumbnails' keys are replaced as a whole; the poster's and the sheet's are theirs to set.
  await updateManifest(plan.variantDir, (current) => {
    const others = Object.entries(current).filter(([image]) => !image.startsWith(`${THUMBS_DIR}/`));
    return { ...Object.fromEntries(others), ...plan.after };
  });
}

type SceneThumbnail = { thumbnail: string; key: string; stale?: ThumbnailJob; from?: string } | undefined;

/**
 * A scene's thumbnail: fresh already, to be copied `from` the one made `ahead` from the same file,
 * or to be made (`stale`); undefined for a scene without a clip on disk.
 */
async function sceneThumbnail(
  scene: SceneReport,
  variantDir: string,
  before: Manifest,
  ahead: ThumbnailsAhead | undefined,
): Promise<SceneThumbnail> {
  const clip = scene.clip ? path.join(variantDir, scene.clip) : undefined;
  const identity = clip ? await fileIdentity(clip) : undefined;
  if (!(clip && identity)) return undefined;
  const thumbnail = thumbnailPath(scene);
  // The recipe is part of the key (with a stand-in output name): a new look remakes them all.
  const key = inputKey({ clip: identity, recipe: thumbnailArgs(scene.clip!, 'out.jpg') });
  if (await isFresh(variantDir, before, thumbnail, key)) return { thumbnail, key };
  const from = await ahead?.picture(identity);
  if (!from) return { thumbnail, key, stale: { clip, output: path.join(variantDir, thumbnail) } };
  return { thumbnail, key, from };
}

/** One ffmpeg run for several thumbnails, each written to a temporary name and renamed when all are made. */
async function makeBatch(jobs: readonly ThumbnailJob[]): Promise<void> {
  await mkdir(path.dirname(jobs[0]!.output), { recursive: true });
  const temporary = jobs.map((job) => ({ clip: job.clip, output: temporaryPathBeside(job.output) }));
  try {
    const what = jobs.length === 1 ? `the thumbnail of ${jobs[0]!.clip}` : `${jobs.length} thumbnails`;
    await runFfmpeg(thumbnailsArgs(temporary), `making ${what}`);
    await Promise.all(jobs.map((job, index) => rename(temporary[index]!.output, job.output)));
  } finally {
    await Promise.all(temporary.map((job) => rm(job.output, { force: true })));
  }
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** Where a poster made ahead may come from (see ThumbnailsAhead.wantPoster). */
export interface PosterAhead {
  ahead?: ThumbnailsAhead;
  /**
   * The clip (relative to the variant folder) whose first frame is the film's, given only when the
   * film was just joined from the clips by stream copy: its first frame is then the clip's, decoded
   * from the same bytes. Absent for a finished film (titles, fades) or a re-encoded join.
   */
  firstFrameOf?: string;
}

/**
 * `poster.jpg` from the film's first frame, full size (made again only when the film changed);
 * undefined, and none left, without a film. The frame made ahead from the clip the film starts with
 * is copied instead of running ffmpeg on the film, when there is one (see PosterAhead).
 */
export async function makePoster(
  report: FilmReport,
  variantDir: string,
  from: PosterAhead = {},
): Promise<string | undefined> {
  const output = path.join(variantDir, POSTER_FILE);
  const before = await readManifest(variantDir);
  const film = report.film ? path.join(variantDir, report.film.path) : undefined;
  const identity = film ? await fileIdentity(film) : undefined;
  if (!(film && identity)) {
    await rm(output, { force: true });
    await updateManifest(variantDir, ({ [POSTER_FILE]: _gone, ...others }) => others);
    return undefined;
  }
  const key = inputKey({ film: identity, recipe: posterArgs(report.film!.path, 'out.jpg') });
  if (!(await isFresh(variantDir, before, POSTER_FILE, key))) {
    const madeAhead = await posterMadeAhead(variantDir, from);
    await writeAtomically(output, (temporary) =>
      madeAhead
        ? copyFile(madeAhead, temporary)
        : runFfmpeg(posterArgs(film, temporary), 'making the poster'),
    );
    await updateManifest(variantDir, (current) => ({ ...current, [POSTER_FILE]: key }));
  }
  return POSTER_FILE;
}

async function posterMadeAhead(variantDir: string, { ahead, firstFrameOf }: PosterAhead) {
  if (!(ahead && firstFrameOf)) return undefined;
  const identity = await fileIdentity(path.join(variantDir, firstFrameOf));
  return identity ? ahead.poster(identity) : undefined;
}

/** Takes other than the film's, with a clip in the variant folder. */
function otherTakes(report: FilmReport): { scene: SceneReport; take: TakeReport }[] {
  return report.scenes.flatMap((scene) =>
    (scene.takes ?? []).filter((take) => !take.chosen && take.clip).map((take) => ({ scene, take })),
  );
}

/** `thumbs/01-street-take2.jpg`: named like the take's file. */
function takeThumbnailPath(clip: string): string {
  return path.posix.join(THUMBS_DIR, `${path.basename(clip, path.extname(clip))}.jpg`);
}

/** `thumbs/01-street.jpg`: named like the scene's clip. */
export function thumbnailPath(scene: SceneReport): string {
  const stem = scene.clip
    ? path.basename(scene.clip, path.extname(scene.clip))
    : `${sceneNumber(scene)}-${scene.scene}`;
  return path.posix.join(THUMBS_DIR, `${stem}.jpg`);
}

/**
 * One tile per scene (a grey "not rendered" tile where a scene has no clip). Returns the sheet's
 * relative path, or undefined (and removes an old sheet) when no scene has a picture yet.
 */
export async function makeContactSheet(
  report: FilmReport,
  variantDir: string,
  pictures: Readonly<Record<string, SheetPicture>>,
  /** Called once its ffmpeg has started (not when the sheet is fresh or not made). */
  onStarted: () => void = () => {},
): Promise<string | undefined> {
  const destination = path.join(variantDir, CONTACT_SHEET_FILE);
  const before = await readManifest(variantDir);
  if (Object.keys(pictures).length === 0) {
    await rm(destination, { force: true });
    await updateManifest(variantDir, ({ [CONTACT_SHEET_FILE]: _gone, ...others }) => others);
    return undefined;
  }
  const tiles: SheetTile[] = report.scenes.map((scene) => {
    const picture = pictures[scene.scene];
    return {
      ...(picture ? { image: picture.image } : {}),
      label: `${sceneNumber(scene)}  ${scene.scene}  ·  ${formatDuration(scene.duration)}`,
    };
  });
  const { width, height } = tileSize(report);
  const columns = sheetColumns(tiles.length, width, height);
  const fontFile = findFont();
  const heading = sheetHeading(report, columns * width);
  // Each tile by what its picture shows (its thumbnail's key), not by the file read: a picture made
  // ahead is read from the scratch folder while its copy is put in place.
  const key = inputKey({
    look: SHEET_LOOK,
    tiles: report.scenes.map((scene, index) => ({
      label: tiles[index]!.label,
      image: pictures[scene.scene]?.key,
    })),
    heading,
    width,
    height,
    columns,
    fontFile,
  });
  if (await isFresh(variantDir, before, CONTACT_SHEET_FILE, key)) return CONTACT_SHEET_FILE;
  const textDir = await makeScratchFolder('sheet');
  try {
    const headingFile = path.join(textDir, 'heading.txt');
    await writeFile(headingFile, heading, 'utf8');
    const imageList = await oneInputImageList(tiles, textDir);
    await writeAtomically(destination, (temporary) =>
      runFfmpeg(
        contactSheetArgs({
          tiles,
          headingFile,
          tileWidth: width,
          tileHeight: height,
          columns,
          ...(fontFile ? { fontFile } : {}),
          ...(imageList ? { imageList } : {}),
          output: temporary,
        }),
        `making the contact sheet of ${report.storyboard}/${report.variant}`,
        { onSpawned: onStarted },
      ),
    );
  } finally {
    await rm(textDir, { recursive: true, force: true });
  }
  await updateManifest(variantDir, (current) => ({ ...current, [CONTACT_SHEET_FILE]: key }));
  return CONTACT_SHEET_FILE;
}

/**
 * The tiles' images and labels as one concat list, written into `folder`, when the sheet can be made
 * from one input: every tile has an image, and every image decodes to a frame of one size and pixel
 * format. Otherwise undefined (one input per tile).
 */
async function oneInputImageList(tiles: SheetTile[], folder: string): Promise<string | undefined> {
  const images = tiles.map((tile) => tile.image);
  if (!images.every((image): image is string => image !== undefined)) return undefined;
  const reads = pLimit(SCENE_CHECK_CONCURRENCY);
  const frames = await Promise.all(images.map((image) => reads(() => readJpegFrame(image))));
  const first = frames[0];
  const alike = frames.every(
    (frame) =>
      frame &&
      first &&
      frame.width === first.width &&
      frame.height === first.height &&
      frame.sampling === first.sampling,
  );
  if (!alike) return undefined;
  const list = path.join(folder, 'images.txt');
  // Absolute: the demuxer takes a relative path from the list's folder, a scratch folder.
  const absolute = tiles.map((tile) => ({ ...tile, image: path.resolve(tile.image!) }));
  await writeFile(list, labelledImageList(absolute), 'utf8');
  return list;
}

/** Part of the contact sheet's key: bump it when the sheet's look changes, to remake old sheets. */
const SHEET_LOOK = 1;

/** Tiles take the shape of the film's first scene (a variant's scenes almost always share it). */
function tileSize(report: FilmReport): { width: number; height: number } {
  const ratio = report.scenes[0]?.aspectRatio;
  if (ratio === '9:16') return { width: 180, height: THUMBNAIL_BOX };
  if (ratio === '1:1') return { width: 240, height: 240 };
  return { width: THUMBNAIL_BOX, height: 180 };
}

/** `Autumn bike ride — vertical · 4 scenes · 32 s`, or as much of it as fits the sheet's width. */
export function sheetHeading(report: FilmReport, widthPx: number): string {
  const total = report.scenes.reduce((sum, scene) => sum + scene.duration, 0);
  const titled = `${report.title} — ${report.variant}`;
  // DejaVu Sans at 22 px averages about 13 px per character.
  const fits = Math.max(12, Math.floor(widthPx / 13));
  const candidates = [
    `${titled} · ${plural(report.scenes.length, 'scene')} · ${formatDuration(total)}`,
    titled,
    report.title,
  ];
  return candidates.find((candidate) => candidate.length <= fits) ?? `${report.title.slice(0, fits - 1)}…`;
}

async function removeStaleThumbnails(variantDir: string, keep: ReadonlySet<string>): Promise<void> {
  const directory = path.join(variantDir, THUMBS_DIR);
  const names = await readdir(directory).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => name.endsWith('.jpg') && !keep.has(path.posix.join(THUMBS_DIR, name)))
      .map((name) => rm(path.join(directory, name), { force: true })),
  );
}
