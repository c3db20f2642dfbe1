/**
 * Writes a media file atomically: ffmpeg writes a temporary file beside the destination, which is
 * renamed into place only once complete, so a crash or a failed run never leaves a half-written clip
 * or film under its real name.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
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
