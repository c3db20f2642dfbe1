/** What the journal says about each scene of a batch: for `storyreel status` and `cancel`. Reads only. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { type JobRecord, unansweredSubmissions } from '../job/record.js';
import type { JobState } from '../job/state.js';
import type { Plan } from '../plan/types.js';
import { jobId } from '../providers/registry.js';
import { closestMatch } from '../storyboard/suggest.js';
import type { Journal } from './journal/journal.js';
import type { OutputLayout } from './layout.js';
import { liveHolder } from './lock.js';
import { type BatchRequest, openBatch } from './open-batch.js';

/**
 * - done: verified, clip in the store; in_flight: a request id the provider is working on;
 * - being_submitted: a live render is sending it (waiting in its client's rate limiter, or for the
 *   answer): not lost, see `submitter`;
 * - may_have_been_submitted: a POST whose answer was lost (a render submits it again, reported);
 * - failed / timed_out / cancelled: see `error`; not_started: nothing journaled yet (or the clip is gone).
 */
export type SceneCondition =
  | 'done'
  | 'in_flight'
  | 'being_submitted'
  | 'may_have_been_submitted'
  | 'failed'
  | 'timed_out'
  | 'cancelled'
  | 'not_started';

export interface SceneStatus {
  index: number;
  scene: string;
  key: string;
  condition: SceneCondition;
  state?: JobState;
  requestId?: string;
  queuePosition?: number;
  /** When the journal last recorded a change. */
  since?: string;
  error?: { kind: string; message: string };
  /** Submissions whose answer never came, over the job's whole history. */
  unansweredSubmissions: number;
  /** For `being_submitted`: the render that is sending it. */
  submitter?: Submitter;
}

export interface Submitter {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface VariantStatus {
  storyboard: string;
  variant: string;
  scenes: SceneStatus[];
}

/** `storyreel status` as a library call: what the journal says, per variant and scene. */
export interface BatchStatusReport {
  /** The output folder, absolute. */
  out: string;
  provider: string;
  variants: VariantStatus[];
}

export async function statusOf(request: BatchRequest & { provider: string }): Promise<BatchStatusReport> {
  const { plans, layout, journal } = await openBatch(request);
  await requireRenderFolder(layout);
  const variants = await batchStatus(plans, layout, journal, request.provider);
  return { out: layout.root, provider: request.provider, variants };
}

export async function batchStatus(
  plans: Plan[],
  layout: OutputLayout,
  journal: Journal,
  provider: string,
): Promise<VariantStatus[]> {
  const statuses: VariantStatus[] = [];
  const holder = await liveHolder(layout);
  for (const plan of plans) {
    const scenes: SceneStatus[] = [];
    for (const job of plan.jobs) {
      const id = jobId(provider, job.key);
      const record = await journal.get(id);
      const stored = await exists(layout.storedClip(id));
      const sending = record && holder && beingSubmittedBy(record, holder.pid);
      scenes.push({
        index: job.index,
        scene: job.scene,
        key: job.key,
        condition: sending ? 'being_submitted' : conditionOf(record, stored),
        ...(record ? recordFacts(record) : { unansweredSubmissions: 0 }),
        ...(sending ? { submitter: holder } : {}),
      });
    }
    statuses.push({ storyboard: plan.storyboard, variant: plan.variant, scenes });
  }
  return statuses;
}

function recordFacts(record: JobRecord): Omit<SceneStatus, 'index' | 'scene' | 'key' | 'condition'> {
  const last = record.transitions.at(-1);
  return {
    state: record.state,
    ...(record.requestId ? { requestId: record.requestId } : {}),
    ...(record.remote?.queuePosition !== undefined && record.state === 'queued'
      ? { queuePosition: record.remote.queuePosition }
      : {}),
    ...(last ? { since: last.at } : {}),
    ...(record.error && record.state !== 'verified'
      ? { error: { kind: record.error.kind, message: record.error.message } }
      : {}),
    unansweredSubmissions: unansweredSubmissions(record).length,
  };
}

/**
 * A submission still `pending` (intent written, no answer yet) sent by the process that holds the
 * folder now is in that render's hands: its answer is not lost, it has not come yet. The run id
 * names its process (`<start>#<pid>`).
 */
function beingSubmittedBy(record: JobRecord, pid: number): boolean {
  const latest = record.submissions.at(-1);
  return (
    record.state === 'submitting' &&
    !record.requestId &&
    latest?.outcome === 'pending' &&
    latest.runId.endsWith(`#${pid}`)
  );
}

export function conditionOf(record: JobRecord | undefined, stored: boolean): SceneCondition {
  if (stored && (!record || record.state === 'verified')) return 'done';
  if (!record) return 'not_started';
  switch (record.state) {
    case 'submitting':
      return record.requestId ? 'in_flight' : 'may_have_been_submitted';
    case 'queued':
    case 'generating':
    case 'downloading':
      return 'in_flight';
    case 'failed':
    case 'timed_out':
    case 'cancelled':
      return record.state;
    default:
      return stored ? 'done' : 'not_started';
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * `status` and `cancel` read an output folder a render wrote: one without `.storyreel/` holds no
 * render (most often a mistyped --out), which must not read as "nothing started" or "nothing to
 * cancel" with exit 0, nor be created. Names a sibling folder that does hold one, when one is close.
 */
export async function requireRenderFolder(layout: OutputLayout, flag = '--out'): Promise<void> {
  if (await isFolder(layout.stateDir)) return;
  const parent = path.dirname(layout.root);
  const siblings = await readdir(parent, { withFileTypes: true }).catch(() => []);
  const renders: string[] = [];
  for (const entry of siblings) {
    if (entry.isDirectory() && (await isFolder(path.join(parent, entry.name, '.storyreel'))))
      renders.push(entry.name);
  }
  const close = closestMatch(path.basename(layout.root), renders);
  const hint = close ? ` Did you mean ${flag} ${path.join(path.dirname(layout.root), close)}?` : '';
  throw new UsageError(
    `${layout.root} holds no render (no .storyreel folder in it); nothing was changed. ` +
      `Give the folder the render wrote to with ${flag} (default: output).${hint}`,
  );
}

async function isFolder(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
