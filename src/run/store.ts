/** Housekeeping of the clip store. */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { OutputLayout } from './layout.js';

/**
 * Downloads are streamed to hidden `.partial` files beside their place in the store and renamed once
 * verified; a process killed mid-download leaves one behind. Called under the output lock, so no live
 * download can be touched.
 */
export async function cleanPartialDownloads(layout: OutputLayout): Promise<void> {
  let names: string[];
  try {
    names = await readdir(layout.storeDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith('.') && /\.part(ial)?$/.test(name)) {
      await rm(path.join(layout.storeDir, name), { force: true });
    }
  }
}
