/**
 * The top-level boxes ("atoms") of an MP4 file, read from their headers only. ffprobe alone does not
 * notice a truncated download when the index (moov) comes first: the header is intact and announces
 * the full duration. The boxes do notice, because the last one claims more bytes than the file has.
 */
import { open } from 'node:fs/promises';

export interface Mp4Box {
  type: string;
  offset: number;
  size: number;
}

export interface Mp4Layout {
  boxes: Mp4Box[];
  fileBytes: number;
  /** Set when the boxes do not tile the file exactly: why, in words. */
  problem?: string;
}

const MAX_BOXES = 10_000;

export async function readMp4Layout(file: string): Promise<Mp4Layout> {
  const handle = await open(file, 'r');
  try {
    const fileBytes = (await handle.stat()).size;
    const boxes: Mp4Box[] = [];
    const header = Buffer.alloc(16);
    let offset = 0;
    while (offset < fileBytes && boxes.length < MAX_BOXES) {
      const { bytesRead } = await handle.read(header, 0, 16, offset);
      if (bytesRead < 8) {
        return { boxes, fileBytes, problem: `${fileBytes - offset} stray bytes after the last box` };
      }
      const type = header.toString('latin1', 4, 8);
      const size = boxSize(header, bytesRead, fileBytes - offset);
      if (size === undefined || size < 8) {
        return { boxes, fileBytes, problem: `an invalid box header at byte ${offset}` };
      }
      boxes.push({ type, offset, size });
      if (offset + size > fileBytes) {
        const missing = offset + size - fileBytes;
        return {
          boxes,
          fileBytes,
          problem: `the '${type}' box ends ${missing} bytes past the end of the file`,
        };
      }
      offset += size;
    }
    return { boxes, fileBytes };
  } finally {
    await handle.close();
  }
}

/** A 32-bit size, or 1 = a 64-bit size follows the type, or 0 = the box runs to the end of the file. */
export function boxSize(header: Buffer, bytesRead: number, bytesLeft: number): number | undefined {
  const size32 = header.readUInt32BE(0);
  if (size32 === 0) return bytesLeft;
  if (size32 !== 1) return size32;
  if (bytesRead < 16) return undefined;
  return Number(header.readBigUInt64BE(8));
}

/** True when the movie index comes before the media data: the file can start playing while it loads. */
export function isFaststart(layout: Mp4Layout): boolean {
  const moov = layout.boxes.findIndex((box) => box.type === 'moov');
  const mdat = layout.boxes.findIndex((box) => box.type === 'mdat');
  return moov !== -1 && (mdat === -1 || moov < mdat);
}
