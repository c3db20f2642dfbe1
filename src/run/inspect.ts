/**
 * Reads what the journal and the clip store say about every job of a batch, and decides what to do
 * with each (resume.ts). A clip in the store is checked with ffprobe before it is trusted, unless the
 * journal saw it verified and the file has not been written since (same size, modified no later than
 * the verification): a clip deleted or damaged by hand between runs is fetched or rendered again, not
 * joined into a film, and a rerun with nothing to do does not start 40 ffprobes to learn that.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import pLimit from 'p-limit';
import { MediaError, MediaToolError } from '../errors.js';
import type { JobRecord } from '../job/record.js';
import type { Batch, BatchJob } from './batch.js';
import { sha256File } from './film-current.js';
import type { Journal } from './journal/journal.js';
import { type Decision, decide, type StoredClip } from './resume.js';
import type { MediaTools } from './runner-types.js';

export interface Inspection {
  job: BatchJob;
  record: JobRecord | undefined;
  decision: Decision;
  /** Set when a stored clip exists but failed verification. */
  storedClipProblem?: string;
}

export interface InspectDeps {
  journal: Journal;
  media: Pick<MediaTools, 'verifyClip'>;
  storedClip(jobId: string): string;
}

/** ffprobe runs; two cores, so a few at a time. */
const CHECK_CONCURRENCY = 4;

export async function inspectBatch(
  batch: Batch,
  deps: InspectDeps,
  rerender: ReadonlySet<string> = new Set(),
): Promise<Inspection[]> {
  const limit = pLimit(CHECK_CONCURRENCY);
  return Promise.all(batch.jobs.map((job) => limit(() => inspectJob(job, deps, rerender.has(job.id)))));
}

async function inspectJob(job: BatchJob, deps: InspectDeps, rerender: boolean): Promise<Inspection> {
  const record = await deps.journal.get(job.id);
  const clip = rerender ? { ok: false } : await checkStoredClip(job, record, deps);
  const storedClip = clip.ok ? await whichClip(deps.storedClip(job.id), record) : 'none';
  const decision = decide({ record, storedClip, rerender });
  return { job, record, decision, ...(clip.problem ? { storedClipProblem: clip.problem } : {}) };
}

async function checkStoredClip(
  job: BatchJob,
  record: JobRecord | undefined,
  deps: InspectDeps,
): Promise<{ ok: boolean; problem?: string }> {
  const file = deps.storedClip(job.id);
  let stats: Stats;
  try {
    stats = await stat(file);
  } catch {
    return { ok: false };
  }
  const bytes = stats.size;
  if (record?.clip && record.clip.bytes !== bytes) {
    return { ok: false, problem: `${file} has ${bytes} bytes, the journal says ${record.clip.bytes}` };
  }
  if (record && untouchedSinceVerified(record, stats)) return { ok: true };
  // Written to since it was verified: damage that keeps the size and the structure passes ffprobe,
  // so the checksum journaled at verification decides (hashed only now, when the file was touched).
  if (
    record?.state === 'verified' &&
    record.clip?.sha256 &&
    (await sha256File(file)) !== record.clip.sha256
  ) {
    return { ok: false, problem: `${file} changed on disk since it was verified (its SHA-256 differs)` };
  }
  const { payload } = job.planned;
  try {
    await deps.media.verifyClip(file, {
      durationSec: payload.duration,
      sound: payload.sound,
      aspectRatio: payload.aspect_ratio,
    });
    return { ok: true };
  } catch (error) {
    // A tool that cannot run says nothing about the clip: stop (exit 2) rather than pay for it again.
    if (error instanceof MediaToolError) throw error;
    if (error instanceof MediaError) return { ok: false, problem: error.message.split('\n')[0] };
    throw error;
  }
}

/**
 * A good clip in the store is the one the record describes, or one that came from its latest request
 * and was not journaled yet. Only a record that moved on since its clip was verified (a re-render sent,
 * or collected and killed before the journal write) needs the checksum to tell.
 */
async function whichClip(file: string, record: JobRecord | undefined): Promise<StoredClip> {
  if (!record?.clip?.sha256) return 'unrecorded';
  if (record.state === 'verified') return 'recorded';
  return (await sha256File(file)) === record.clip.sha256 ? 'recorded' : 'unrecorded';
}

/**
 * The journal recorded this clip verified (its size included), and the file's last write is no later
 * than that: writing to a file (by hand, or a truncation) moves its modification time to the present.
 */
function untouchedSinceVerified(record: JobRecord, stats: Stats): boolean {
  if (record.state !== 'verified' || record.clip?.bytes !== stats.size) return false;
  const verified = record.transitions.filter((transition) => transition.state === 'verified').at(-1);
  const verifiedAt = verified ? Date.parse(verified.at) : Number.NaN;
  return Number.isFinite(verifiedAt) && stats.mtimeMs <= verifiedAt;
}

/** Jobs this run will pay for. */
export function toSubmit(inspections: Inspection[]): Inspection[] {
  return inspections.filter((inspection) => inspection.decision.action === 'submit');
}

export function estimatedCostOf(inspections: Inspection[]): number {
  return roundCents(inspections.reduce((sum, inspection) => sum + inspection.job.planned.cost, 0));
}

export function roundCents(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

/** How `plan` and `status`-like views name an inspection: only `toPay` jobs cost money now. */
export function progressOf({ decision }: Inspection): { label: string; toPay: boolean } {
  switch (decision.action) {
    case 'reuse':
      return { label: 'done', toPay: false };
    case 'refetch':
      return { label: 'paid, to download', toPay: false };
    case 'poll':
      return { label: 'submitted, to collect', toPay: false };
    case 'submit': {
      const again: Record<typeof decision.reason, string> = {
        new: 'new',
        failed: 'again (failed)',
        cancelled: 'again (cancelled)',
        maybe_submitted: 'again (answer lost)',
        rerender: 'again (--rerender)',
        clip_lost: 'again (clip lost)',
      };
      return { label: again[decision.reason], toPay: true };
    }
  }
}
