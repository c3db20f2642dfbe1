/**
 * `storyreel cancel`: asks the provider to cancel every job of the batch whose request may still be
 * alive remotely: in flight, timed out here, failed here after the provider accepted it. The same
 * inspection as `render` (inspect.ts) decides which those are, so a job a render would poll is a job
 * cancel tries. Queued jobs are cancelled (and journaled so, so a rerun submits them anew); jobs
 * already generating or finished cannot be, and are reported as charged (a rerun collects them).
 * Submissions whose answer was lost have no request id to cancel: they are reported as possibly
 * charged.
 */
import { readdir } from 'node:fs/promises';
import { ProviderError } from '../errors.js';
import { unansweredSubmissions } from '../job/record.js';
import { verifyClip } from '../media/verify.js';
import { MAX_TAKE } from '../plan/takes.js';
import type { CancelOutcome, VideoProvider } from '../providers/provider.js';
import { createProvider, type ProviderName } from '../providers/registry.js';
import { type Batch, buildBatch, jobLabel } from './batch.js';
import { type Inspection, inspectBatch } from './inspect.js';
import type { Journal } from './journal/journal.js';
import { lockOutput } from './lock.js';
import { type BatchRequest, openBatch } from './open-batch.js';
import { requireRenderFolder } from './status.js';

export interface CancelReport {
  scenes: string;
  /** Absent for `unknown_request`: a submission whose answer (and request id) was lost. */
  requestId?: string;
  outcome: CancelOutcome | 'failed' | 'unknown_request';
  message?: string;
  /** What a job that was not cancelled costs, at the estimate. */
  estimatedUsd: number;
}

/**
 * `storyreel cancel` as a library call: the batch's jobs that may still be alive remotely, asked to
 * stop, with the output folder locked. Takes asked for by `render --takes N` are in no film, but may
 * be queued remotely too: every take the journal knows is included.
 */
export async function cancelRender(
  request: BatchRequest & { provider: ProviderName; env: Record<string, string | undefined> },
): Promise<CancelReport[]> {
  const { plans, layout, journal } = await openBatch(request);
  await requireRenderFolder(layout);
  const provider = await createProvider(request.provider, request.env);
  const lock = await lockOutput(layout, `storyreel cancel ${request.files.join(' ')}`);
  try {
    const journaled = new Set(await readdir(layout.jobsDir).catch(() => [] as string[]));
    const batch = buildBatch(plans, provider.name, {
      upTo: MAX_TAKE,
      scenes: [],
      keep: (id) => journaled.has(`${id}.json`),
    });
    const inspections = await inspectBatch(batch, {
      journal,
      media: { verifyClip },
      storedClip: (id) => layout.storedClip(id),
    });
    return await cancelBatch(batch, inspections, provider, journal);
  } finally {
    await lock.release();
  }
}

export async function cancelBatch(
  batch: Batch,
  inspections: Inspection[],
  provider: VideoProvider,
  journal: Journal,
): Promise<CancelReport[]> {
  const reports: CancelReport[] = [];
  for (const inspection of inspections) {
    const report = await cancelOne(inspection, provider, journal);
    if (report) reports.push(report);
  }
  // In batch order, whatever order the inspections came in.
  const order = new Map(batch.jobs.map((job, index) => [jobLabel(job), index]));
  return reports.sort((a, b) => (order.get(a.scenes) ?? 0) - (order.get(b.scenes) ?? 0));
}

async function cancelOne(
  { job, record, decision }: Inspection,
  provider: VideoProvider,
  journal: Journal,
): Promise<CancelReport | undefined> {
  const scenes = jobLabel(job);
  const estimatedUsd = job.planned.cost;
  if (decision.action === 'submit' && decision.reason === 'maybe_submitted' && record) {
    const lost = unansweredSubmissions(record).length;
    return {
      scenes,
      outcome: 'unknown_request',
      message: `${lost} submission(s) whose answer was lost: if the provider created the job, it runs and is charged`,
      estimatedUsd,
    };
  }
  if (decision.action !== 'poll') return undefined;
  const { requestId } = decision;
  let outcome: CancelOutcome;
  try {
    outcome = await provider.cancel(requestId);
  } catch (error) {
    if (error instanceof ProviderError && error.fatalForBatch) throw error;
    return { scenes, requestId, outcome: 'failed', message: (error as Error).message, estimatedUsd };
  }
  if (outcome === 'cancelled') {
    await journal.transition(job.id, 'cancelled', 'cancelled by storyreel cancel', (r) => {
      r.error = { kind: 'cancelled', message: 'cancelled by storyreel cancel' };
    });
  } else if (record?.state === 'queued') {
    // Past its queue (generating or done): `status` must not go on showing the render's last word,
    // "queued, position 0", for a job that is being charged. A render polls it as before.
    await journal.transition(
      job.id,
      'generating',
      'not cancellable: already generating (storyreel cancel)',
      (r) => {
        r.remote = { state: 'not_cancellable', at: journal.timestamp() };
      },
    );
  }
  return { scenes, requestId, outcome, estimatedUsd };
}
