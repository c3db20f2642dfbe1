/**
 * A JPEG's width and height from its frame header, without decoding it: the contact sheet reads its
 * thumbnails as one input only when they are all one size (report/image-recipes.ts).
 */
import { open } from 'node:fs/promises';

export interface ImageSize {
  width: number;
  height: number;
}

/** Start-of-frame markers (baseline, progressive, ...): every 0xC0-0xCF but DHT, JPG and DAC. */
function isFrameHeader(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** The size in a JPEG's bytes, or undefined when they are not a JPEG or its header is not among them. */
export function jpegSize(bytes: Uint8Array): ImageSize | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    // Fill bytes before a marker.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (isFrameHeader(marker)) {
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    at += 2 + length;
  }
  return undefined;
}

/** Thumbnails put their header within the first few hundred bytes; 64 KB leaves room for metadata. */
const HEADER_BYTES = 64 * 1024;

/** The size of the JPEG file at `file`, or undefined (not a JPEG, unreadable). */
export async function readJpegSize(file: string): Promise<ImageSize | undefined> {
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
      return jpegSize(buffer.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}
