/** Housekeeping of the output folder: what a killed render leaves behind. */
import type { Dirent } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scratchFolderPid } from '../files/atomic.js';
import type { OutputLayout } from './layout.js';

/**
 * Temporary names storyreel's own writers use, and nothing else, so that a file of the user's is
 * never matched: every write goes through src/files/atomic.ts, `.<name>.<pid>-<hex>.partial` beside
 * its destination (clips in the store, journal records, films, images, reports, sidecars; a join's
 * list `....partial.txt`). Older versions also left `.<key>.mp4.<hex>.part` downloads, `.<key>.json.<hex>.tmp`
 * records and write-file-atomic's `<name>.<number>` report files: still removed.
 */
const IN_STORE = [/^\..+\.part(ial)?$/];
const IN_JOURNAL = [
  /^\..+\.json\.\d+-[0-9a-f]{8}\.partial$/,
  /^\..+\.json\.[0-9a-f]{8}\.tmp$/, // the journal's own writer before src/files/atomic.ts
];
const IN_FILMS = [
  /^\..+\.\d+-[0-9a-f]{8}\.partial(\.txt)?$/,
  /^(report\.json|report\.html|index\.html)\.\d+$/,
];

/** How deep below the output folder storyreel writes: <storyboard>/<variant>/clips/<file>. */
const DEPTH = 3;

/**
 * Removes what killed writers left: downloads streamed to hidden files in the clip store, temporary
 * journal records, half-joined films, report files. Called under the output lock, so no live
 * writer's file can be touched (only storyreel writes these names, and only under the lock).
 */
export async function cleanLeftovers(layout: OutputLayout): Promise<void> {
  await cleanFolder(layout.storeDir, IN_STORE, 0);
  await cleanFolder(layout.jobsDir, IN_JOURNAL, 0);
  await cleanFolder(layout.root, IN_FILMS, DEPTH, layout.stateDir);
}

async function cleanFolder(dir: string, names: RegExp[], depth: number, skip?: string): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth > 0 && file !== skip) await cleanFolder(file, names, depth - 1);
    } else if (entry.isFile() && names.some((pattern) => pattern.test(entry.name))) {
      await rm(file, { force: true });
    }
  }
}

/**
 * A scratch folder this old is no live render's (each lives for one ffmpeg run, seconds): the age
 * guards against a pid that is alive in another pid namespace sharing the temp dir.
 */
const SCRATCH_STALE_MS = 10 * 60_000;

/**
 * Removes the scratch folders (preview cards, contact sheets) that killed storyreel processes left in
 * the system's temp dir: those whose pid no longer runs and that are old. Folders of other users
 * cannot be removed (sticky /tmp) and are left, silently.
 */
export async function cleanDeadScratchFolders(now = Date.now()): Promise<void> {
  const dir = os.tmpdir();
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const pid = scratchFolderPid(name);
    if (pid === undefined || processRuns(pid)) continue;
    const folder = path.join(dir, name);
    const info = await stat(folder).catch(() => undefined);
    if (!info?.isDirectory() || now - info.mtimeMs < SCRATCH_STALE_MS) continue;
    await rm(folder, { recursive: true, force: true }).catch(() => {});
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
