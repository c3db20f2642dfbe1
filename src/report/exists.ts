import { access } from 'node:fs/promises';

/** True when `file` exists (any kind); false for any reason it cannot be reached. */
export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
