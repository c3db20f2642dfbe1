/**
 * The one way storyreel writes a file: to a temporary file beside the destination, renamed into place
 * only once complete, so a crash, a full disk or a failed run never leaves half a clip, film, journal
 * record or report under its real name. Also the scratch folders in the system's temp dir.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A unique, hidden temporary name in the destination's folder (same filesystem, so rename is atomic). */
export function temporaryPathBeside(destination: string): string {
  const directory = path.dirname(destination);
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return path.join(directory, `.${path.basename(destination)}.${suffix}.partial`);
}

/** Runs `write(temporaryPath)`, then renames the result onto `destination`; cleans up on failure. */
export async function writeAtomically<T>(
  destination: string,
  write: (temporaryPath: string) => Promise<T>,
): Promise<T> {
  await mkdir(path.dirname(destination), { recursive: true });
  const temporary = temporaryPathBeside(destination);
  try {
    const result = await write(temporary);
    await rename(temporary, destination);
    return result;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Replaces `file` with `text`. FileHandle.writeFile writes until done or fails (write-file-atomic sent
 * one write() and ignored a short count: past a file size limit it renamed half a record over the
 * whole one). `fsync` for what must survive a power cut, not only a crash: journal records, the report.
 */
export async function replaceFile(
  file: string,
  text: string,
  options: { fsync?: boolean } = {},
): Promise<void> {
  await writeAtomically(file, async (temporary) => {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/**
 * `replaceFile` with `fsync`, done synchronously, for the few writes a paid request waits for (the
 * journal's intent before a submit, the request id after it). Through the thread pool each of its six
 * steps queued behind the other file work of a wave of completing jobs: 7-13 ms per write, against
 * about 0.8 ms here, which the event loop can spare.
 */
export function replaceFileSyncDurably(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = temporaryPathBeside(file);
  try {
    const fd = openSync(temporary, 'w');
    try {
      writeFileSync(fd, text, 'utf8');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** What scratch folders in the system's temp dir are for; their names are `storyreel-<use>-<pid>-XXXXXX`. */
export type ScratchUse = 'cards' | 'sheet' | 'finish' | 'graph' | 'thumbs';

/**
 * A private scratch folder in the system's temp dir. Its name carries this process's pid, so that
 * one a killed process left behind can be told from a live one's and removed by a later render.
 */
export function makeScratchFolder(use: ScratchUse): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `storyreel-${use}-${process.pid}-`));
}

/** The pid in a scratch folder's name, or undefined when the name is not one of ours. */
export function scratchFolderPid(name: string): number | undefined {
  const match = /^storyreel-(?:cards|sheet|finish|graph|thumbs)-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
