/**
 * The runner: every job of a batch, at most `concurrency` generating at once (a job holds its
 * generation slot from submit until the provider says completed, then downloads and verifies in a
 * download slot, see slots.ts). A failing job does not stop the others; an auth or balance error
 * stops new submissions at once, since every other request would fail the same way.
 */
import pLimit from 'p-limit';
import { LockLostError, type StoryreelError } from '../errors.js';
import type { Inspection } from './inspect.js';
import { type BatchControl, JobContext } from './job-context.js';
import { runJob } from './job-runner.js';
import { PollPlanner } from './poll-schedule.js';
import type { JobOutcome, RunnerDeps, RunnerOptions } from './runner-types.js';
import { batchSlots } from './slots.js';

export interface RunResult {
  outcomes: JobOutcome[];
  /** The auth/balance error (or the lost output lock) that stopped the batch, if one did. */
  stoppedBy?: StoryreelError;
}

export async function runJobs(
  inspections: Inspection[],
  deps: RunnerDeps,
  options: RunnerOptions,
): Promise<RunResult> {
  const stop = new AbortController();
  let stoppedBy: StoryreelError | undefined;
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let firstAnswer: Promise<void> | undefined;
  const control: BatchControl = {
    async turnToSubmit() {
      if (firstAnswer) {
        await firstAnswer;
        return () => {};
      }
      let answered = () => {};
      firstAnswer = new Promise<void>((resolve) => {
        answered = resolve;
      });
      return answered;
    },
    signal,
    polls: new PollPlanner(options.pollIntervalMs, options.concurrency),
    slots: batchSlots(options.concurrency),
    // The lock is asked right before each paid request: a renderer resumed after `kill -STOP` must
    // not pay for anything once another process may be rendering into the same folder.
    submissionsAllowed: () => !signal.aborted && !lockLost(),
    stopBatch(error, job) {
      if (stoppedBy) return;
      stoppedBy = error;
      deps.emit({
        type: 'warning',
        at: deps.journal.timestamp(),
        code: 'batch_stopped',
        message: `no more submissions: ${error.message}`,
        ...(job ? { job } : {}),
      });
      stop.abort(error);
    },
  };

  for (const { job, decision } of inspections) {
    // --no-submit leaves no trace of a job it will not send (a merged store stays as merged).
    if (options.noSubmit && decision.action === 'submit') continue;
    await deps.journal.getOrCreate({
      id: job.id,
      key: job.key,
      provider: deps.provider.name,
      model: job.model,
      payload: job.planned.payload,
      take: job.planned.take ?? 1,
      estimatedCost: job.planned.cost,
    });
  }

  function lockLost(): boolean {
    const why = options.lockLost?.();
    if (why !== undefined) control.stopBatch(new LockLostError(why));
    return why !== undefined;
  }

  // Jobs under way at once, generating or collecting: the slots bound each phase, this bounds how
  // many completed jobs can wait for a download slot when downloads are slower than generations.
  const { generation, download } = control.slots;
  const limit = pLimit(generation.size + download.size);
  // An unexpected error (a journal write failing on a full disk, a bug) stops the whole batch: the
  // other jobs wind down to a safe point before it is rethrown, so nothing runs on unlocked.
  const run = (inspection: Inspection) => {
    const context = new JobContext(inspection.job, deps, options, control);
    return runJob(context, inspection.decision)
      .catch((error) => {
        stop.abort(error);
        throw error;
      })
      .finally(() => context.freeGenerationSlot());
  };
  const byId = new Map<string, Promise<JobOutcome>>();
  // Reused clips need no slot. Jobs an earlier run submitted go first: they already hold a remote
  // slot, and collecting them costs nothing.
  for (const inspection of inspections) {
    if (inspection.decision.action === 'reuse') byId.set(inspection.job.id, run(inspection));
  }
  for (const inspection of [...inspections].sort((a, b) => priority(a) - priority(b))) {
    if (!byId.has(inspection.job.id))
      byId.set(
        inspection.job.id,
        limit(() => run(inspection)),
      );
  }
  const settled = await Promise.allSettled(inspections.map((inspection) => byId.get(inspection.job.id)!));
  const broken = settled.find((result) => result.status === 'rejected');
  if (broken) throw broken.reason;
  const outcomes = settled.map((result) => (result as PromiseFulfilledResult<JobOutcome>).value);
  return { outcomes, ...(stoppedBy ? { stoppedBy } : {}) };
}

function priority(inspection: Inspection): number {
  return inspection.decision.action === 'submit' ? 1 : 0;
}
