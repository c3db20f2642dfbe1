/**
 * A JPEG's size and chroma layout from its frame header, without decoding it: the contact sheet reads
 * its thumbnails as one input only when they all decode to frames of one size and pixel format
 * (report/image-recipes.ts).
 */
import { readHead } from '../files/head.js';

export interface JpegFrame {
  width: number;
  height: number;
  /** Components and their sampling factors, like `3:22,11,11` (4:2:0): what the pixel format follows. */
  sampling: string;
}

/** Start-of-frame markers (baseline, progressive, ...): every 0xC0-0xCF but DHT, JPG and DAC. */
function isFrameHeader(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** The frame header in a JPEG's bytes, or undefined when they are not a JPEG or it is not among them. */
export function jpegFrame(bytes: Uint8Array): JpegFrame | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    // Fill bytes before a marker.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (isFrameHeader(marker)) return frameAt(bytes, at + 4, length - 2);
    at += 2 + length;
  }
  return undefined;
}

/** The SOF segment's body: precision, height, width, then (id, sampling, table) per component. */
function frameAt(bytes: Uint8Array, start: number, length: number): JpegFrame | undefined {
  if (length < 6 || start + length > bytes.length) return undefined;
  const height = (bytes[start + 1]! << 8) | bytes[start + 2]!;
  const width = (bytes[start + 3]! << 8) | bytes[start + 4]!;
  const components = bytes[start + 5]!;
  if (width === 0 || height === 0 || length < 6 + 3 * components) return undefined;
  const factors = Array.from({ length: components }, (_, index) => {
    const factor = bytes[start + 6 + 3 * index + 1]!;
    return `${factor >> 4}${factor & 0x0f}`;
  });
  return { width, height, sampling: `${components}:${factors.join(',')}` };
}

/** Our thumbnails put their frame header within the first 200 bytes or so. */
const HEADER_BYTES = 8 * 1024;

/** The frame header of the JPEG file at `file`, or undefined (not a JPEG, unreadable). */
export async function readJpegFrame(file: string): Promise<JpegFrame | undefined> {
  try {
    return jpegFrame(await readHead(file, HEADER_BYTES));
  } catch {
    return undefined;
  }
}
