/**
 * A FilmPlan to a file: ftyp, the film's moov (before the media: faststart), then one mdat holding
 * every clip's media data copied byte for byte. The copy is the whole cost: about what `cat` takes.
 */
import type { Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { FilmPlan, FilmTrack } from './mp4-concat.js';
import { Unsupported } from './mp4-movie.js';

const COPY_BUFFER_BYTES = 8 * 1024 * 1024;
const MAX_32 = 0xffff_ffff;

/**
 * Writes the film. Clips are read synchronously into one buffer (page-cache copies of a few milliseconds; through the
 * thread pool, each small clip cost several round trips) while the other buffer is being written.
 */
export async function writeFilm(
  plan: FilmPlan,
  output: string,
  signal?: AbortSignal,
  /** Fed every byte written, in order: the film's hash without reading it back. */
  hash?: Hash,
): Promise<void> {
  const head = filmHead(plan);
  const handle = await open(output, 'w');
  const size = Math.min(COPY_BUFFER_BYTES, plan.mediaBytes + head.length);
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  let writing: Promise<void> = Promise.resolve();
  let position = 0;
  let filled = 0;
  const flush = async () => {
    const bytes = buffers[0]!.subarray(0, filled);
    hash?.update(bytes);
    await writing;
    writing = writeAll(handle, bytes, position);
    position += filled;
    filled = 0;
    buffers.reverse();
  };
  try {
    for (let at = 0; at < head.length; ) {
      const copied = head.copy(buffers[0]!, filled, at);
      [filled, at] = [filled + copied, at + copied];
      if (filled === size) await flush();
    }
    for (const piece of plan.pieces) {
      const source = openSync(piece.file, 'r');
      try {
        for (let at = piece.start; at < piece.end; ) {
          const bytesRead = readSync(
            source,
            buffers[0]!,
            filled,
            Math.min(size - filled, piece.end - at),
            at,
          );
          if (bytesRead === 0) throw new Unsupported(`${piece.file} ended while it was being copied`);
          [filled, at] = [filled + bytesRead, at + bytesRead];
          if (filled === size) {
            signal?.throwIfAborted();
            await flush();
          }
        }
      } finally {
        closeSync(source);
      }
    }
    signal?.throwIfAborted();
    if (filled > 0) await flush();
    await writing;
  } catch (error) {
    // A write still in flight is finished (or failed) before the file is closed under it.
    await writing.catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let written = 0; written < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
}

/** Pure: everything before the media bytes (ftyp, moov, the mdat header). */
export function filmHead(plan: FilmPlan): Buffer {
  const mdatHeaderSize = plan.mediaBytes + 8 > MAX_32 ? 16 : 8;
  let wide = false;
  let moov = movieBox(plan, 0, wide);
  if (plan.ftyp.length + moov.length + mdatHeaderSize + plan.mediaBytes > MAX_32) {
    wide = true;
    moov = movieBox(plan, 0, wide);
  }
  const dataStart = plan.ftyp.length + moov.length + mdatHeaderSize;
  moov = movieBox(plan, dataStart, wide);
  return Buffer.concat([plan.ftyp, moov, mdatHeader(plan.mediaBytes, mdatHeaderSize)]);
}

function mdatHeader(mediaBytes: number, headerSize: number): Buffer {
  const header = Buffer.alloc(headerSize);
  if (headerSize === 16) {
    header.writeUInt32BE(1, 0);
    header.writeBigUInt64BE(BigInt(mediaBytes + 16), 8);
  } else {
    header.writeUInt32BE(mediaBytes + 8, 0);
  }
  header.write('mdat', 4, 'latin1');
  return header;
}

function movieBox(plan: FilmPlan, dataStart: number, wide: boolean): Buffer {
  const tracks = plan.audio ? [plan.video, plan.audio] : [plan.video];
  const duration = Math.max(...tracks.map((track) => track.edit.segmentDuration));
  return box('moov', [
    withDuration(plan.mvhd, { v0: 24, v1: 32 }, duration),
    ...tracks.map((track) => trackBox(track, dataStart, wide)),
  ]);
}

function trackBox(track: FilmTrack, dataStart: number, wide: boolean): Buffer {
  const { template } = track;
  return box('trak', [
    withDuration(template.tkhd, { v0: 28, v1: 36 }, track.edit.segmentDuration),
    box('edts', [editList(track)]),
    box('mdia', [
      withDuration(template.mdhd, { v0: 24, v1: 32 }, track.mediaDuration),
      template.hdlr,
      box('minf', [...template.mediaHeaders, sampleTable(track, dataStart, wide)]),
    ]),
  ]);
}

function editList(track: FilmTrack): Buffer {
  const { segmentDuration, mediaTime } = track.edit;
  if (segmentDuration > MAX_32 || mediaTime > 0x7fff_ffff) {
    const body = Buffer.alloc(28);
    body.writeUInt32BE(0x0100_0000, 0);
    body.writeUInt32BE(1, 4);
    body.writeBigUInt64BE(BigInt(segmentDuration), 8);
    body.writeBigInt64BE(BigInt(mediaTime), 16);
    body.writeInt16BE(1, 24);
    return box('elst', [body]);
  }
  const body = Buffer.alloc(20);
  body.writeUInt32BE(1, 4);
  body.writeUInt32BE(segmentDuration, 8);
  body.writeInt32BE(mediaTime, 12);
  body.writeInt16BE(1, 16);
  return box('elst', [body]);
}

function sampleTable(track: FilmTrack, dataStart: number, wide: boolean): Buffer {
  const parts = [track.template.stsd, runs('stts', track.deltas)];
  if (track.syncSamples) parts.push(fullBox('stss', 0, [track.syncSamples.length], track.syncSamples));
  if (track.compositionOffsets) {
    const negative = track.compositionOffsets.some((offset) => offset < 0);
    parts.push(runs('ctts', track.compositionOffsets, negative ? 1 : 0));
  }
  if (track.dependencies) parts.push(box('sdtp', [Buffer.alloc(4), track.dependencies]));
  parts.push(chunkRuns(track), sampleSizes(track.sizes), chunkOffsets(track, dataStart, wide));
  if (track.rollGroup) {
    parts.push(track.rollGroup);
    const group = Buffer.alloc(20);
    group.write('roll', 4, 'latin1');
    group.writeUInt32BE(1, 8);
    group.writeUInt32BE(track.sizes.length, 12);
    group.writeUInt32BE(1, 16);
    parts.push(box('sbgp', [group]));
  }
  return box('stbl', parts);
}

/** stts or ctts: one (count, value) entry per run of equal values. */
function runs(type: string, values: readonly number[], version = 0): Buffer {
  const entries: number[] = [];
  for (let index = 0; index < values.length; ) {
    let end = index + 1;
    while (end < values.length && values[end] === values[index]) end++;
    entries.push(end - index, values[index]!);
    index = end;
  }
  const body = Buffer.alloc(8 + entries.length * 4);
  body.writeUInt8(version, 0);
  body.writeUInt32BE(entries.length / 2, 4);
  entries.forEach((value, index) => {
    if (value < 0) body.writeInt32BE(value, 8 + index * 4);
    else body.writeUInt32BE(value, 8 + index * 4);
  });
  return box(type, [body]);
}

function chunkRuns(track: FilmTrack): Buffer {
  const entries: number[] = [];
  track.chunks.forEach((chunk, index) => {
    if (index === 0 || track.chunks[index - 1]!.samples !== chunk.samples)
      entries.push(index + 1, chunk.samples, 1);
  });
  return fullBox('stsc', 0, [entries.length / 3], entries);
}

function sampleSizes(sizes: readonly number[]): Buffer {
  const constant = sizes.length > 0 && sizes.every((size) => size === sizes[0]);
  return constant
    ? fullBox('stsz', 0, [sizes[0]!, sizes.length])
    : fullBox('stsz', 0, [0, sizes.length], sizes);
}

function chunkOffsets(track: FilmTrack, dataStart: number, wide: boolean): Buffer {
  if (!wide)
    return fullBox(
      'stco',
      0,
      [track.chunks.length],
      track.chunks.map((chunk) => dataStart + chunk.offset),
    );
  const body = Buffer.alloc(8 + track.chunks.length * 8);
  body.writeUInt32BE(track.chunks.length, 4);
  track.chunks.forEach((chunk, index) => {
    body.writeBigUInt64BE(BigInt(dataStart + chunk.offset), 8 + index * 8);
  });
  return box('co64', [body]);
}

/** A copy of a full box (mvhd, tkhd, mdhd) with its duration field set, 32- or 64-bit as its version says. */
function withDuration(source: Buffer, at: { v0: number; v1: number }, duration: number): Buffer {
  const copy = Buffer.from(source);
  if (copy[8] === 1) copy.writeBigUInt64BE(BigInt(duration), at.v1);
  else if (duration <= MAX_32) copy.writeUInt32BE(duration, at.v0);
  else throw new Unsupported(`the film is too long for a 32-bit '${copy.toString('latin1', 4, 8)}' duration`);
  return copy;
}

/**
 * A full box whose payload is 32-bit numbers after its version and flags: `head`, then `table`
 * (apart, not spread into one array: a film's tables hold tens of thousands of entries).
 */
function fullBox(
  type: string,
  version: number,
  head: readonly number[],
  table: readonly number[] = [],
): Buffer {
  const body = Buffer.alloc(4 + (head.length + table.length) * 4);
  body.writeUInt8(version, 0);
  let at = 4;
  for (const value of head) at = body.writeUInt32BE(value, at);
  for (let index = 0; index < table.length; index++) at = body.writeUInt32BE(table[index]!, at);
  return box(type, [body]);
}

function box(type: string, parts: readonly Buffer[]): Buffer {
  const size = 8 + parts.reduce((total, part) => total + part.length, 0);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, ...parts]);
}
