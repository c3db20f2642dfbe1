/**
 * The I/O shell of the HTML reports: makes the images, renders the pages (render-report.ts,
 * render-index.ts) and writes them atomically.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { replaceFile } from '../files/atomic.js';
import { exists } from './exists.js';
import {
  CONTACT_SHEET_FILE,
  makeContactSheet,
  makePoster,
  makeStaleThumbnails,
  POSTER_FILE,
  placeThumbnails,
  planThumbnails,
  THUMBS_DIR,
} from './images.js';
import { type IndexEntry, renderIndexHtml } from './render-index.js';
import { renderReportHtml } from './render-report.js';
import type { ThumbnailsAhead } from './thumbnails-ahead.js';
import type { FilmReport } from './types.js';

export const REPORT_HTML_FILE = 'report.html';
export const REPORT_JSON_FILE = 'report.json';
export const INDEX_HTML_FILE = 'index.html';

/**
 * Writes `report.html` into `variantDir`, with `thumbs/NN-<scene>.jpg` and `contact-sheet.jpg`
 * made from the clips listed in `report` (paths relative to `variantDir`). Nothing that describes an
 * earlier render is left beside the new report.json: when the pictures cannot be made, the old ones
 * are removed and the page is written without them; when the page cannot be written, the old page
 * is removed. Either way it throws afterwards, saying which, for the caller to tell.
 */
export async function writeReportHtml(
  report: FilmReport,
  variantDir: string,
  options: { ahead?: ThumbnailsAhead; early?: Promise<SheetPictures>; firstFrameOf?: string } = {},
): Promise<void> {
  await mkdir(variantDir, { recursive: true });
  let pictures: { thumbnails: Record<string, string>; contactSheet?: string; poster?: string } = {
    thumbnails: {},
  };
  let picturesFailed: unknown;
  try {
    // The poster comes from the film, the rest from the clips (started before the join, if `early`).
    const sheet = options.early ?? makeSheetPictures(report, variantDir, options.ahead);
    // Both settle before a failure removes the pictures, so that neither writes after the removal.
    const poster = makePoster(report, variantDir, {
      ...(options.ahead ? { ahead: options.ahead } : {}),
      ...(options.firstFrameOf ? { firstFrameOf: options.firstFrameOf } : {}),
    });
    const [made, posterMade] = await Promise.allSettled([sheet, poster]);
    if (made.status === 'rejected') throw made.reason;
    if (posterMade.status === 'rejected') throw posterMade.reason;
    const { thumbnails, contactSheet } = made.value;
    const posterFile = posterMade.value;
    pictures = {
      thumbnails,
      ...(contactSheet ? { contactSheet } : {}),
      ...(posterFile ? { poster: posterFile } : {}),
    };
  } catch (error) {
    picturesFailed = error;
    await removePictures(variantDir);
  }
  // Only the film report.json names: a film.mp4 left by an earlier render is not this render's film.
  const filmAvailable = report.film !== undefined && (await exists(path.join(variantDir, report.film.path)));
  const page = renderReportHtml(report, { ...pictures, filmAvailable });
  const file = path.join(variantDir, REPORT_HTML_FILE);
  await replaceFile(file, page).catch(async (error: Error) => {
    await rm(file, { force: true });
    throw new Error(`it could not be written, and the older one was removed: ${error.message}`);
  });
  if (picturesFailed !== undefined) {
    const why = picturesFailed instanceof Error ? picturesFailed.message : String(picturesFailed);
    throw new Error(`it was written without its pictures (the older ones were removed): ${why}`);
  }
}

export interface SheetPictures {
  thumbnails: Record<string, string>;
  contactSheet?: string;
}

/**
 * The thumbnails and the contact sheet, which need the report's clips but not its film: the render
 * starts them before the film is joined and hands the promise to writeReportHtml.
 */
export async function makeSheetPictures(
  report: FilmReport,
  variantDir: string,
  ahead?: ThumbnailsAhead,
  /** Called once the contact sheet's ffmpeg has started, or none is to be made. */
  onSheetStarted: () => void = () => {},
): Promise<SheetPictures> {
  await mkdir(variantDir, { recursive: true });
  const plan = await planThumbnails(report, variantDir, ahead);
  const made = makeStaleThumbnails(plan);
  // The sheet, the longest of the pictures (200 scenes: ~230 ms), starts as soon as the missing
  // ones are made, reading the pictures made ahead where they are; they are copied into place once
  // it runs (200 scenes: the copies took ~100 ms of the time from the last clip to the summary).
  let sheetStarted = () => {};
  const started = new Promise<void>((resolve) => {
    let told = false;
    sheetStarted = () => {
      resolve();
      if (!told) onSheetStarted();
      told = true;
    };
  });
  const sheet = made
    .then(() => makeContactSheet(report, variantDir, plan.sheetTiles, sheetStarted))
    .finally(sheetStarted);
  const [placed, sheetMade] = await Promise.allSettled([
    started.then(() => placeThumbnails(plan, made)),
    sheet,
  ]);
  if (placed.status === 'rejected') throw placed.reason;
  if (sheetMade.status === 'rejected') throw sheetMade.reason;
  const contactSheet = sheetMade.value;
  return { thumbnails: plan.thumbnails, ...(contactSheet ? { contactSheet } : {}) };
}

/** The contact sheet and thumbnails of an earlier render: gone rather than shown as this one's. */
async function removePictures(variantDir: string): Promise<void> {
  await Promise.all([
    rm(path.join(variantDir, CONTACT_SHEET_FILE), { force: true }),
    rm(path.join(variantDir, POSTER_FILE), { force: true }),
    rm(path.join(variantDir, THUMBS_DIR), { recursive: true, force: true }),
  ]);
}

/**
 * Writes `<outDir>/index.html`: one card per variant film in the output folder, grouped by
 * storyboard. `reports` (this run's, already in memory) win over what is on disk; every other
 * `<outDir>/<storyboard>/<variant>/report.json` is listed too, so the index stays whole when a run
 * renders only some variants. Returns the page's path.
 */
export async function writeIndexHtml(
  outDir: string,
  reports: readonly { variantDir: string; report: FilmReport }[],
): Promise<string> {
  const root = path.resolve(outDir);
  const fresh = new Map(reports.map((entry) => [path.resolve(entry.variantDir), entry.report]));
  const { found, unreadable } = await findReportsOnDisk(root);
  for (const [variantDir, report] of found) if (!fresh.has(variantDir)) fresh.set(variantDir, report);
  const entries = await Promise.all(
    [...fresh].map(([variantDir, report]) => indexEntry(root, variantDir, report)),
  );
  const file = path.join(root, INDEX_HTML_FILE);
  await mkdir(root, { recursive: true });
  // An index that cannot be rewritten would list another render's films: it goes.
  await replaceFile(file, renderIndexHtml(entries, unreadable)).catch(async (error: unknown) => {
    await rm(file, { force: true });
    throw error;
  });
  return file;
}

async function indexEntry(root: string, variantDir: string, report: FilmReport): Promise<IndexEntry> {
  const [hasSheet, hasHtml] = await Promise.all([
    exists(path.join(variantDir, CONTACT_SHEET_FILE)),
    exists(path.join(variantDir, REPORT_HTML_FILE)),
  ]);
  return {
    report,
    folder: toPosix(path.relative(root, variantDir)),
    ...(hasSheet ? { contactSheet: CONTACT_SHEET_FILE } : {}),
    ...(hasHtml ? { reportHtml: REPORT_HTML_FILE } : {}),
  };
}

/** Every `<root>/<storyboard>/<variant>/report.json`; the state folder `.storyreel` is not a storyboard. */
async function findReportsOnDisk(
  root: string,
): Promise<{ found: Map<string, FilmReport>; unreadable: string[] }> {
  const found = new Map<string, FilmReport>();
  const unreadable: string[] = [];
  for (const storyboard of await subfolders(root)) {
    for (const variant of await subfolders(path.join(root, storyboard))) {
      const variantDir = path.join(root, storyboard, variant);
      const text = await readFile(path.join(variantDir, REPORT_JSON_FILE), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const report = parseReport(text);
      if (report) found.set(variantDir, report);
      else unreadable.push(toPosix(path.relative(root, variantDir)));
    }
  }
  return { found, unreadable };
}

/** Enough of a check that the index can render it; report.json's writer owns the full shape. */
function parseReport(text: string): FilmReport | undefined {
  try {
    const value = JSON.parse(text) as Partial<FilmReport>;
    const usable =
      value.version === 1 &&
      typeof value.title === 'string' &&
      typeof value.storyboard === 'string' &&
      typeof value.variant === 'string' &&
      Array.isArray(value.scenes) &&
      typeof value.cost?.estimatedTotal === 'number';
    return usable ? (value as FilmReport) : undefined;
  } catch {
    return undefined;
  }
}

async function subfolders(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}
