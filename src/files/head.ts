/** The first bytes of a file: enough to tell what it is, without reading all of it. */
import { open } from 'node:fs/promises';

/** Up to `length` bytes from the start of `file` (fewer when it is shorter). */
export async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
