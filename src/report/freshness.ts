/**
 * Which report images were made from which inputs, so that a rerun with nothing new makes none of
 * them again (40 thumbnails and a contact sheet are 41 ffmpeg runs: seconds on a busy machine).
 * `thumbs/.made-from.json` maps each image (relative to the variant folder) to the key of its
 * inputs: for a thumbnail its clip's file identity (device, inode, size, modification time in ns;
 * the store's clip and the variant's link are one file, a new take or a re-render is another) and
 * the recipe; for the contact sheet its tiles (each thumbnail's key and label), heading and
 * layout. An image is remade when its key changed or the file is gone; a missing or unreadable
 * manifest only means everything is made again.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { replaceFile } from '../files/atomic.js';

export const MANIFEST_FILE = path.posix.join('thumbs', '.made-from.json');

export type Manifest = Record<string, string>;

export async function readManifest(variantDir: string): Promise<Manifest> {
  try {
    const value = JSON.parse(await readFile(path.join(variantDir, MANIFEST_FILE), 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter(([, key]) => typeof key === 'string'));
  } catch {
    return {};
  }
}

/** Writes the manifest when it differs from `before` (an unchanged rerun writes nothing). */
async function writeManifest(variantDir: string, before: Manifest, after: Manifest): Promise<void> {
  const text = `${JSON.stringify(sorted(after), null, 2)}\n`;
  if (text === `${JSON.stringify(sorted(before), null, 2)}\n`) return;
  // No fsync: losing this file costs a rerun some ffmpeg runs, never a wrong picture.
  await replaceFile(path.join(variantDir, MANIFEST_FILE), text);
}

const updating = new Map<string, Promise<unknown>>();

/**
 * Reads the manifest, changes it with `change` and writes it back, one update at a time per folder:
 * the poster is made while the thumbnails and the contact sheet are, and none may lose another's key.
 */
export function updateManifest(variantDir: string, change: (current: Manifest) => Manifest): Promise<void> {
  const previous = updating.get(variantDir) ?? Promise.resolve();
  const next = previous
    .catch(() => {})
    .then(async () => {
      const before = await readManifest(variantDir);
      await writeManifest(variantDir, before, change({ ...before }));
    });
  updating.set(variantDir, next);
  const forget = () => {
    if (updating.get(variantDir) === next) updating.delete(variantDir);
  };
  next.then(forget, forget);
  return next;
}

/** `dev:ino:size:mtimeNs`, or undefined when the file cannot be read. */
export async function fileIdentity(file: string): Promise<string | undefined> {
  try {
    const stats = await stat(file, { bigint: true });
    return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`;
  } catch {
    return undefined;
  }
}

/** A short hash of anything JSON can say. */
export function inputKey(inputs: unknown): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 32);
}

/** Whether `image` (relative to `variantDir`) was made from `key` and is still on disk. */
export async function isFresh(variantDir: string, manifest: Manifest, image: string, key: string) {
  return manifest[image] === key && (await fileIdentity(path.join(variantDir, image))) !== undefined;
}

/** By code unit, not localeCompare: its first call sets up ICU's collator, ~50 ms of a rerun. */
function sorted(manifest: Manifest): Manifest {
  return Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
