/**
 * `storyreel merge DIR... --out DIR`: the stores of several output folders (the shards of a CI
 * matrix) united into one. Clips and journal records are keyed by job, so shards never collide;
 * when two folders do hold the same job, they must agree: a record whose request id differs, or a
 * clip whose bytes differ, is refused with the reason, never overwritten. Every clip is verified
 * before it is copied: its bytes match the SHA-256 its verified record journaled, or ffprobe checks
 * it against its record's request. Each file is written atomically
 * (temporary file, fsync for records, rename), so merging again, or after a crash, is safe.
 * Records of jobs still in flight are copied with their request ids: the finishing render polls
 * them rather than paying again.
 */
import { copyFile, readdir, readFile, stat } from 'node:fs/promises';
import { JournalCorruptError, MediaError, UsageError } from '../errors.js';
import { writeAtomically } from '../files/atomic.js';
import { type JobRecord, parseRecord } from '../job/record.js';
import { sha256File } from './film-current.js';
import { FileJournalStorage } from './journal/storage.js';
import { type OutputLayout, outputLayout } from './layout.js';
import { lockOutput } from './lock.js';
import type { MediaTools } from './runner-types.js';

export interface MergeReport {
  source: string;
  records: { copied: number; kept: number };
  clips: { copied: number; kept: number };
  /** What was not merged, and why: each names the file. */
  refused: string[];
}

export async function mergeStores(
  sources: string[],
  out: string,
  media: Pick<MediaTools, 'verifyClip'>,
): Promise<MergeReport[]> {
  const target = outputLayout(out);
  const layouts = await Promise.all(sources.map((source) => sourceLayout(source, target)));
  const lock = await lockOutput(target, `storyreel merge ${sources.join(' ')} --out ${out}`);
  try {
    const reports: MergeReport[] = [];
    for (const layout of layouts) reports.push(await mergeOne(layout, target, media));
    return reports;
  } finally {
    await lock.release();
  }
}

async function sourceLayout(source: string, target: OutputLayout): Promise<OutputLayout> {
  const layout = outputLayout(source);
  if (layout.root === target.root) {
    throw new UsageError(
      `storyreel merge: ${source} is the --out folder itself; name the folders to merge into it.`,
    );
  }
  const exists = await stat(layout.stateDir).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!exists) {
    throw new UsageError(
      `storyreel merge: ${source} holds no store (no ${layout.stateDir}); give the --out folder of a render (a shard's output folder).`,
    );
  }
  return layout;
}

async function mergeOne(
  source: OutputLayout,
  target: OutputLayout,
  media: Pick<MediaTools, 'verifyClip'>,
): Promise<MergeReport> {
  const report: MergeReport = {
    source: source.root,
    records: { copied: 0, kept: 0 },
    clips: { copied: 0, kept: 0 },
    refused: [],
  };
  const storage = new FileJournalStorage(target);
  const ids = await listNames(source.jobsDir, '.json');
  const records = new Map<string, JobRecord>();
  for (const id of ids) {
    const file = source.jobRecord(id);
    try {
      records.set(id, parseRecord(await readFile(file, 'utf8'), file, id));
    } catch (error) {
      if (!(error instanceof JournalCorruptError)) throw error;
      report.refused.push(`${file}: ${error.message.split('\n')[0]}`);
    }
  }
  // Clips first: a record saying "verified" with no clip yet is only a refetch by request id.
  for (const id of await listNames(source.storeDir, '.mp4')) {
    const refusal = await mergeClip(
      id,
      source,
      target,
      records.get(id) ?? (await targetRecord(target, id)),
      media,
    );
    if (refusal === 'copied') report.clips.copied += 1;
    else if (refusal === 'kept') report.clips.kept += 1;
    else report.refused.push(refusal);
  }
  for (const record of records.values()) {
    const outcome = await mergeRecord(record, source, target, storage);
    if (outcome === 'copied') report.records.copied += 1;
    else if (outcome === 'kept') report.records.kept += 1;
    else report.refused.push(outcome);
  }
  return report;
}

async function listNames(dir: string, extension: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  // Hidden names are temporary files of an interrupted write, never a record or a clip.
  return names
    .filter((name) => name.endsWith(extension) && !name.startsWith('.'))
    .map((name) => name.slice(0, -extension.length));
}

async function targetRecord(target: OutputLayout, id: string): Promise<JobRecord | undefined> {
  const file = target.jobRecord(id);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseRecord(text, file, id);
}

/** 'copied', 'kept' (the same clip is there already), or why it was refused. */
async function mergeClip(
  id: string,
  source: OutputLayout,
  target: OutputLayout,
  record: JobRecord | undefined,
  media: Pick<MediaTools, 'verifyClip'>,
): Promise<string> {
  const file = source.storedClip(id);
  if (!record)
    return `${file}: no journal record says which request it is the clip of, so it cannot be verified`;
  const { payload } = record;
  const sha256 = await sha256File(file);
  // The very bytes the shard verified (their SHA-256 journaled then) need no ffprobe again: a finish
  // job merges every clip of the campaign, and probing each one took most of its time.
  const verifiedAlready = record.state === 'verified' && record.clip?.sha256 === sha256;
  if (!verifiedAlready) {
    try {
      await media.verifyClip(file, {
        durationSec: payload.duration,
        sound: payload.sound,
        aspectRatio: payload.aspect_ratio,
      });
    } catch (error) {
      if (!(error instanceof MediaError)) throw error;
      return `${file}: fails verification (${error.message.split('\n')[0]})`;
    }
  }
  const destination = target.storedClip(id);
  const existing = await sha256File(destination).catch(() => undefined);
  if (existing !== undefined) {
    if (existing === sha256) return 'kept';
    return `${file}: differs from the clip of the same job already in ${target.root}, which is kept (delete one of them to choose)`;
  }
  await writeAtomically(destination, (temporary) => copyFile(file, temporary));
  return 'copied';
}

/** 'copied', 'kept', or why it was refused. Of two agreeing records, the one further along wins. */
async function mergeRecord(
  record: JobRecord,
  source: OutputLayout,
  target: OutputLayout,
  storage: FileJournalStorage,
): Promise<string> {
  const file = source.jobRecord(record.id);
  let existing: JobRecord | undefined;
  try {
    existing = await targetRecord(target, record.id);
  } catch (error) {
    if (!(error instanceof JournalCorruptError)) throw error;
    return `${file}: the record of this job in ${target.root} cannot be read (${error.message.split('\n')[0]}); it is left as is`;
  }
  if (existing) {
    if (JSON.stringify(existing) === JSON.stringify(record)) return 'kept';
    if (existing.requestId && record.requestId && existing.requestId !== record.requestId) {
      return (
        `${file}: request ${record.requestId} disagrees with request ${existing.requestId} of the same job in ` +
        `${target.root}; both may be paid, so neither is dropped (keep one folder's record by hand)`
      );
    }
    if (progress(record) <= progress(existing)) return 'kept';
  }
  await storage.write(record.id, `${JSON.stringify(record, null, 2)}\n`);
  return 'copied';
}

/** How far a record got: a verified clip, then a known request id, then nothing paid. */
function progress(record: JobRecord): number {
  if (record.state === 'verified') return 3;
  return record.requestId ? 2 : 1;
}
