/**
 * An MP4 clip's index (its moov), read into per-sample tables: what the film join needs to splice
 * clips by copying their bytes, without ffmpeg. Only the plain shape that encoders write for a single
 * clip is accepted (one video track, at most one sound track, one sample description, data in the
 * file itself, no fragments); anything else is `Unsupported`, and the join hands the clips to ffmpeg.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { boxSize } from './mp4-boxes.js';

/** The clip is valid media, but not in the plain shape this reader splices: use ffmpeg instead. */
export class Unsupported extends Error {
  override name = 'Unsupported';
}

export interface Box {
  type: string;
  /** The whole box, header included. */
  bytes: Buffer;
  /** Where the payload starts within `bytes` (8, or 16 for a 64-bit size). */
  headerSize: number;
}

export interface Edit {
  /** Where the presentation starts in the track's media, in the track's timescale. */
  mediaTime: number;
  /** How long it lasts, in the movie's timescale. */
  segmentDuration: number;
}

export interface Chunk {
  /** Absolute byte offset in the clip's file. */
  offset: number;
  samples: number;
}

export interface Track {
  kind: 'video' | 'audio';
  timescale: number;
  /** The sample description box as found (the film's track takes the first clip's). */
  stsd: Buffer;
  /** The sample description with what differs between identical encodings (bit rates) blanked. */
  codecKey: string;
  deltas: number[];
  /** Composition offsets, one per sample, when the track has them (B-frames). */
  compositionOffsets?: number[];
  /** Sample numbers (1-based) that are sync samples; undefined when every sample is one. */
  syncSamples?: number[];
  /** Per-sample dependency flags (sdtp), when present. */
  dependencies?: Buffer;
  /** The AAC "roll" group description, when every sample belongs to it (as ffmpeg writes). */
  rollGroup?: Buffer;
  sizes: number[];
  chunks: Chunk[];
  edit?: Edit;
  tkhd: Buffer;
  mdhd: Buffer;
  hdlr: Buffer;
  /** vmhd or smhd, then dinf: copied as they are. */
  mediaHeaders: Buffer[];
}

export interface Movie {
  file: string;
  ftyp: Buffer;
  mvhd: Buffer;
  timescale: number;
  video: Track;
  audio?: Track;
  /** The byte ranges of the media data (mdat payloads), in file order. */
  mediaData: { start: number; end: number }[];
}

/** How much of a clip one read takes first: a faststart clip's ftyp and moov are within it. */
const HEAD_BYTES = 64 * 1024;

/**
 * Reads `file`'s index. Throws Unsupported when the clip is not in the plain shape. Synchronous: a
 * few small reads of a file just written, the whole join waits for them, and through the thread
 * pool (four threads, shared with the report's file copies) 200 clips took 60 ms instead of 10.
 */
export function readMovie(file: string): Movie {
  const descriptor = openSync(file, 'r');
  try {
    const fileBytes = fstatSync(descriptor).size;
    const head = Buffer.alloc(Math.min(HEAD_BYTES, fileBytes));
    readFully(descriptor, head, 0);
    const read = (offset: number, length: number) => {
      if (offset + length <= head.length) return head.subarray(offset, offset + length);
      const bytes = Buffer.alloc(length);
      readFully(descriptor, bytes, offset);
      return bytes;
    };
    const boxes: { type: string; offset: number; size: number; headerSize: number }[] = [];
    for (let offset = 0; offset < fileBytes; ) {
      const header = read(offset, Math.min(16, fileBytes - offset));
      const found = topLevelBox(header, offset, fileBytes, file);
      boxes.push(found);
      offset += found.size;
    }
    const one = (type: string) => {
      const matching = boxes.filter((box) => box.type === type);
      if (matching.length !== 1)
        throw new Unsupported(`${file} has ${matching.length} '${type}' boxes where one belongs`);
      return matching[0]!;
    };
    if (boxes.some((box) => box.type === 'moof')) throw new Unsupported(`${file} is a fragmented MP4`);
    const [ftyp, moov] = [one('ftyp'), one('moov')];
    const mediaData = boxes
      .filter((box) => box.type === 'mdat')
      .map((box) => ({ start: box.offset + box.headerSize, end: box.offset + box.size }));
    // Copies, not views of the 64 KB first read: a render keeps each clip's index until its join
    // (join.ts reads them ahead), and views kept every head alive (1000 clips: 128 MB; copies in
    // buffers of their own, ~20 KB a clip with its tables, measured on 2 s clips).
    const copy = (box: { offset: number; size: number }) => {
      const bytes = Buffer.allocUnsafeSlow(box.size);
      read(box.offset, box.size).copy(bytes);
      return bytes;
    };
    return parseMovie(file, copy(ftyp), copy(moov), mediaData);
  } finally {
    closeSync(descriptor);
  }
}

function topLevelBox(header: Buffer, offset: number, fileBytes: number, file: string) {
  if (header.length < 8) throw new Unsupported(`${file} has stray bytes after its last box`);
  const headerSize = header.readUInt32BE(0) === 1 ? 16 : 8;
  const size = boxSize(header, header.length, fileBytes - offset);
  if (size === undefined || size < headerSize || offset + size > fileBytes) {
    throw new Unsupported(`${file} has a box at byte ${offset} that does not fit the file`);
  }
  return { type: header.toString('latin1', 4, 8), offset, size, headerSize };
}

function readFully(descriptor: number, into: Buffer, position: number): void {
  for (let done = 0; done < into.length; ) {
    const bytesRead = readSync(descriptor, into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Unsupported('the file ended while it was being read');
    done += bytesRead;
  }
}

/** Pure: the moov box's bytes to a Movie. */
export function parseMovie(file: string, ftyp: Buffer, moov: Buffer, mediaData: Movie['mediaData']): Movie {
  const children = childBoxes(moov, 8);
  const mvhd = only(children, 'mvhd', file);
  if (children.some((box) => box.type === 'mvex')) throw new Unsupported(`${file} is a fragmented MP4`);
  const tracks = children.filter((box) => box.type === 'trak').map((trak) => parseTrack(trak, file));
  const video = tracks.filter((track) => track.kind === 'video');
  const audio = tracks.filter((track) => track.kind === 'audio');
  if (video.length !== 1 || audio.length > 1 || tracks.length !== video.length + audio.length) {
    throw new Unsupported(`${file} does not have one picture track and at most one sound track`);
  }
  const movie: Movie = {
    file,
    ftyp,
    mvhd: mvhd.bytes,
    timescale: readTimescale(mvhd),
    video: video[0]!,
    mediaData,
  };
  if (audio[0]) movie.audio = audio[0];
  return movie;
}

function parseTrack(trak: Box, file: string): Track {
  const children = childBoxes(trak.bytes, trak.headerSize);
  const mdia = only(children, 'mdia', file);
  const mdiaChildren = childBoxes(mdia.bytes, mdia.headerSize);
  const hdlr = only(mdiaChildren, 'hdlr', file);
  const handler = hdlr.bytes.toString('latin1', hdlr.headerSize + 8, hdlr.headerSize + 12);
  const kind = handler === 'vide' ? 'video' : handler === 'soun' ? 'audio' : undefined;
  if (!kind) throw new Unsupported(`${file} has a '${handler}' track`);
  const mdhd = only(mdiaChildren, 'mdhd', file);
  const minf = only(mdiaChildren, 'minf', file);
  const minfChildren = childBoxes(minf.bytes, minf.headerSize);
  const stbl = only(minfChildren, 'stbl', file);
  const dinf = only(minfChildren, 'dinf', file);
  requireSelfContained(dinf, file);
  const mediaHeader = only(minfChildren, kind === 'video' ? 'vmhd' : 'smhd', file);
  const tables = parseSampleTables(childBoxes(stbl.bytes, stbl.headerSize), file);
  const edts = children.find((box) => box.type === 'edts');
  const track: Track = {
    kind,
    timescale: readTimescale(mdhd),
    ...tables,
    tkhd: only(children, 'tkhd', file).bytes,
    mdhd: mdhd.bytes,
    hdlr: hdlr.bytes,
    mediaHeaders: [mediaHeader.bytes, dinf.bytes],
  };
  if (edts) track.edit = parseEdit(only(childBoxes(edts.bytes, edts.headerSize), 'elst', file), file);
  return track;
}

type SampleTables = Pick<
  Track,
  | 'stsd'
  | 'codecKey'
  | 'deltas'
  | 'compositionOffsets'
  | 'syncSamples'
  | 'dependencies'
  | 'rollGroup'
  | 'sizes'
  | 'chunks'
>;

/** Boxes a sample table may hold that the film can do without (each is advice to a player). */
const DISPENSABLE = new Set(['cslg', 'stps', 'sgpd', 'sbgp', 'sdtp']);

function parseSampleTables(boxes: Box[], file: string): SampleTables {
  const known = new Set(['stsd', 'stts', 'ctts', 'stss', 'stsc', 'stsz', 'stco', 'co64', ...DISPENSABLE]);
  const strange = boxes.find((box) => !known.has(box.type));
  if (strange) throw new Unsupported(`${file} has a '${strange.type}' sample table`);
  const stsd = only(boxes, 'stsd', file);
  if (payload(stsd).readUInt32BE(4) !== 1) throw new Unsupported(`${file} has several sample descriptions`);
  const sizes = readSizes(only(boxes, 'stsz', file));
  const deltas = expandRuns(only(boxes, 'stts', file), false);
  if (deltas.length !== sizes.length) throw new Unsupported(`${file}: stts and stsz disagree`);
  const offsetsBox = boxes.find((box) => box.type === 'stco') ?? only(boxes, 'co64', file);
  const chunks = readChunks(only(boxes, 'stsc', file), offsetsBox, sizes.length, file);
  const tables: SampleTables = { stsd: stsd.bytes, codecKey: codecKey(stsd), deltas, sizes, chunks };
  const ctts = boxes.find((box) => box.type === 'ctts');
  if (ctts) tables.compositionOffsets = expandRuns(ctts, payload(ctts)[0] === 1);
  if (tables.compositionOffsets && tables.compositionOffsets.length !== sizes.length) {
    throw new Unsupported(`${file}: ctts and stsz disagree`);
  }
  const stss = boxes.find((box) => box.type === 'stss');
  if (stss) tables.syncSamples = readNumbers(stss);
  const sdtp = boxes.find((box) => box.type === 'sdtp');
  if (sdtp && payload(sdtp).length - 4 === sizes.length) tables.dependencies = payload(sdtp).subarray(4);
  const rollGroup = readRollGroup(boxes, sizes.length);
  if (rollGroup) tables.rollGroup = rollGroup;
  return tables;
}

/** The sgpd of an AAC track whose every sample is in its one group (ffmpeg's 'roll' of -1). */
function readRollGroup(boxes: Box[], sampleCount: number): Buffer | undefined {
  const sgpd = boxes.find((box) => box.type === 'sgpd');
  const sbgp = boxes.find((box) => box.type === 'sbgp');
  if (!sgpd || !sbgp) return undefined;
  const group = payload(sbgp);
  if (group[0] !== 0 || group.toString('latin1', 4, 8) !== 'roll') return undefined;
  if (group.readUInt32BE(8) !== 1) return undefined;
  const [count, index] = [group.readUInt32BE(12), group.readUInt32BE(16)];
  return count === sampleCount && index === 1 ? sgpd.bytes : undefined;
}

function requireSelfContained(dinf: Box, file: string): void {
  const dref = only(childBoxes(dinf.bytes, dinf.headerSize), 'dref', file);
  const entries = childBoxes(dref.bytes, dref.headerSize + 8);
  const selfContained = entries.length === 1 && (payload(entries[0]!).readUInt32BE(0) & 1) === 1;
  if (!selfContained) throw new Unsupported(`${file} refers to media in other files`);
}

function parseEdit(elst: Box, file: string): Edit {
  const body = payload(elst);
  const version = body[0];
  const count = body.readUInt32BE(4);
  if (count !== 1) throw new Unsupported(`${file} has an edit list of ${count} entries`);
  const segmentDuration = version === 1 ? Number(body.readBigUInt64BE(8)) : body.readUInt32BE(8);
  const mediaTime = version === 1 ? Number(body.readBigInt64BE(16)) : body.readInt32BE(12);
  const rate = body.readInt16BE(version === 1 ? 24 : 16);
  if (mediaTime < 0 || rate !== 1) throw new Unsupported(`${file} has an empty or scaled edit`);
  return { mediaTime, segmentDuration };
}

/** The sample entry, with what two encodes of the same stream may differ in blanked: bit rates. */
function codecKey(stsd: Box): string {
  const copy = Buffer.from(stsd.bytes);
  blankBitRates(copy);
  return copy.toString('hex');
}

function blankBitRates(stsd: Buffer): void {
  for (const btrt of findAll(stsd, 'btrt')) stsd.fill(0, btrt + 8, Math.min(btrt + 20, stsd.length));
  for (const esds of findAll(stsd, 'esds')) {
    const decoderConfig = decoderConfigFields(stsd, esds + 12);
    // Buffer size (3 bytes), max and average bit rate (4 each): an encoder fills them in from what it wrote.
    if (decoderConfig !== undefined && decoderConfig + 13 <= stsd.length)
      stsd.fill(0, decoderConfig + 2, decoderConfig + 13);
  }
}

/** Where an ES_Descriptor's DecoderConfigDescriptor fields start (ISO 14496-1, 7.2.6.5-6). */
function decoderConfigFields(bytes: Buffer, at: number): number | undefined {
  const descriptorBody = (tagAt: number, tag: number) => {
    if (bytes[tagAt] !== tag) return undefined;
    let cursor = tagAt + 1;
    while (cursor < bytes.length && (bytes[cursor]! & 0x80) !== 0) cursor++;
    return cursor + 1;
  };
  const es = descriptorBody(at, 0x03);
  if (es === undefined || es + 3 > bytes.length) return undefined;
  const flags = bytes[es + 2]!;
  let cursor = es + 3;
  if (flags & 0x80) cursor += 2;
  if (flags & 0x40) cursor += 1 + (bytes[cursor] ?? 0);
  if (flags & 0x20) cursor += 2;
  return descriptorBody(cursor, 0x04);
}

/** Offsets of each box named `type` nested anywhere in `bytes` (a search by name, then checked). */
function findAll(bytes: Buffer, type: string): number[] {
  const found: number[] = [];
  const name = Buffer.from(type, 'latin1');
  for (let at = bytes.indexOf(name, 4); at !== -1; at = bytes.indexOf(name, at + 4)) {
    const start = at - 4;
    const size = bytes.readUInt32BE(start);
    if (size >= 8 && start + size <= bytes.length) found.push(start);
  }
  return found;
}

function readTimescale(box: Box): number {
  const body = payload(box);
  return body.readUInt32BE(body[0] === 1 ? 20 : 12);
}

function readSizes(stsz: Box): number[] {
  const body = payload(stsz);
  const constant = body.readUInt32BE(4);
  const count = body.readUInt32BE(8);
  if (constant !== 0) return new Array<number>(count).fill(constant);
  return Array.from({ length: count }, (_, index) => body.readUInt32BE(12 + index * 4));
}

/** stts or ctts: (count, value) runs expanded to one value per sample. */
function expandRuns(box: Box, signed: boolean): number[] {
  const body = payload(box);
  const values: number[] = [];
  const runs = body.readUInt32BE(4);
  for (let run = 0; run < runs; run++) {
    const count = body.readUInt32BE(8 + run * 8);
    const value = signed ? body.readInt32BE(12 + run * 8) : body.readUInt32BE(12 + run * 8);
    for (let index = 0; index < count; index++) values.push(value);
  }
  return values;
}

function readNumbers(box: Box): number[] {
  const body = payload(box);
  return Array.from({ length: body.readUInt32BE(4) }, (_, index) => body.readUInt32BE(8 + index * 4));
}

function readChunks(stsc: Box, offsetsBox: Box, sampleCount: number, file: string): Chunk[] {
  const wide = offsetsBox.type === 'co64';
  const offsets = payload(offsetsBox);
  const chunkCount = offsets.readUInt32BE(4);
  const offsetOf = (index: number) =>
    wide ? Number(offsets.readBigUInt64BE(8 + index * 8)) : offsets.readUInt32BE(8 + index * 4);
  const runs = payload(stsc);
  const runCount = runs.readUInt32BE(4);
  const chunks: Chunk[] = [];
  for (let run = 0; run < runCount; run++) {
    const first = runs.readUInt32BE(8 + run * 12);
    const samples = runs.readUInt32BE(12 + run * 12);
    if (runs.readUInt32BE(16 + run * 12) !== 1)
      throw new Unsupported(`${file} has several sample descriptions`);
    const next = run + 1 < runCount ? runs.readUInt32BE(8 + (run + 1) * 12) : chunkCount + 1;
    for (let chunk = first; chunk < next; chunk++) chunks.push({ offset: offsetOf(chunk - 1), samples });
  }
  const counted = chunks.reduce((sum, chunk) => sum + chunk.samples, 0);
  if (chunks.length !== chunkCount || counted !== sampleCount) {
    throw new Unsupported(`${file}: its chunks hold ${counted} samples, its tables ${sampleCount}`);
  }
  return chunks;
}

/** The boxes inside `bytes`, from `start` (a container's payload). */
export function childBoxes(bytes: Buffer, start: number): Box[] {
  const boxes: Box[] = [];
  let offset = start;
  while (offset + 8 <= bytes.length) {
    const headerSize = bytes.readUInt32BE(offset) === 1 ? 16 : 8;
    const left = bytes.length - offset;
    const size = boxSize(bytes.subarray(offset, offset + 16), Math.min(16, left), left);
    if (size === undefined || size < headerSize || size > left) break;
    boxes.push({
      type: bytes.toString('latin1', offset + 4, offset + 8),
      bytes: bytes.subarray(offset, offset + size),
      headerSize,
    });
    offset += size;
  }
  return boxes;
}

function only(boxes: Box[], type: string, file: string): Box {
  const matching = boxes.filter((box) => box.type === type);
  if (matching.length !== 1)
    throw new Unsupported(`${file} has ${matching.length} '${type}' boxes where one belongs`);
  return matching[0]!;
}

function payload(box: Box): Buffer {
  return box.bytes.subarray(box.headerSize);
}
