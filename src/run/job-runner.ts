/**
 * One job, from what the journal says to a verified clip in the store: reuse it, collect it by its
 * request id, or submit it, then watch it. The steps live in submit.ts, watch.ts and fetch.ts.
 */
import { stat } from 'node:fs/promises';
import { ProviderError } from '../errors.js';
import { type JobState, REMOTE_STATES } from '../job/state.js';
import { downloadFailed, fetchClip } from './fetch.js';
import { sha256File } from './film-current.js';
import type { JobContext } from './job-context.js';
import type { Decision } from './resume.js';
import type { JobOutcome } from './runner-types.js';
import { submitJob } from './submit.js';
import { watchJob } from './watch.js';

/** Verdicts after which a request id can never give a clip again. */
const GONE = new Set(['not_found', 'generation', 'rejected']);

export async function runJob(context: JobContext, decision: Decision): Promise<JobOutcome> {
  switch (decision.action) {
    case 'reuse':
      return reuse(context, decision.clip);
    case 'refetch':
      return refetch(context, decision.requestId);
    case 'poll':
      // A request of an earlier run still generating takes up a remote slot like a new one.
      await context.holdGenerationSlot();
      context.requestId = decision.requestId;
      // Shown as in flight from the start, even when the journal says timed out or failed locally.
      context.emitState(inFlightState(context), {
        detail: `resuming request ${decision.requestId} (${decision.reason.replace('_', ' ')})`,
      });
      return follow(context, decision.requestId, { fromEarlierRun: true });
    case 'submit':
      return submitAndFollow(context);
  }
}

function inFlightState(context: JobContext): JobState {
  const state = context.deps.journal.peek(context.id)?.state;
  return state && REMOTE_STATES.has(state) ? state : 'queued';
}

async function submitAndFollow(context: JobContext): Promise<JobOutcome> {
  await context.holdGenerationSlot();
  const submitted = await submitJob(context);
  if ('outcome' in submitted) return submitted.outcome;
  return follow(context, submitted.requestId, { fromEarlierRun: false, submittedAtMs: submitted.sentAtMs });
}

async function follow(
  context: JobContext,
  requestId: string,
  { fromEarlierRun, submittedAtMs }: { fromEarlierRun: boolean; submittedAtMs?: number },
): Promise<JobOutcome> {
  const watched = await watchJob(
    context,
    requestId,
    fromEarlierRun ? { submittedNow: false } : { submittedNow: true, submittedAtMs },
  );
  if ('outcome' in watched) return watched.outcome;
  // The provider no longer knows the request id: its 404 persisted through every poll a run allows
  // (watch.ts, the same rule for a request of this run and of an earlier one). From an earlier run (expired, or another server):
  // the only way to a clip is a new submission, reported. From this run: something is badly wrong.
  if (!fromEarlierRun) {
    return context.fail('failed', { kind: 'not_found', message: watched.notFound.message });
  }
  await forgetRequest(context, requestId, watched.notFound.message);
  return submitAndFollow(context);
}

async function reuse(context: JobContext, clip: 'recorded' | 'unrecorded'): Promise<JobOutcome> {
  const { journal } = context.deps;
  const record = journal.peek(context.id);
  if (record) {
    if (clip === 'unrecorded') await recordStoredClip(context);
    // The request the clip came from: a later request that gave nothing (failed, cancelled, its answer
    // lost) never takes the old clip's place in the journal.
    const clipRequest = record.clip?.requestId;
    context.requestId = clipRequest ?? record.requestId;
    if (record.state !== 'verified') {
      const gaveNone = record.requestId !== clipRequest ? record.requestId : undefined;
      await journal.transition(
        context.id,
        'verified',
        gaveNone
          ? `the clip in the store is kept (request ${gaveNone} gave none)`
          : 'verified clip found in the store',
        (r) => {
          delete r.error;
          if (clipRequest) r.requestId = clipRequest;
        },
      );
    }
  }
  context.emitState('verified', { reused: true });
  return context.outcome('reused');
}

/**
 * A verified clip the record does not describe: it reached the store from the record's latest request
 * and the process died before journaling it (or the journal predates checksums). Its SHA-256 is
 * computed once, now.
 */
async function recordStoredClip(context: JobContext): Promise<void> {
  const file = context.deps.storedClip(context.id);
  const [sha256, { size }] = await Promise.all([sha256File(file), stat(file)]);
  await context.deps.journal.update(context.id, (record) => {
    const sameClip = record.clip?.bytes === size && record.state === 'verified';
    record.clip = {
      bytes: size,
      durationSec: sameClip ? record.clip!.durationSec : context.expectation.durationSec,
      sha256,
      ...(record.requestId ? { requestId: record.requestId } : {}),
    };
  });
}

/** A verified job whose clip left the store: fetch it again by request id, or submit anew if it is gone. */
async function refetch(context: JobContext, requestId: string): Promise<JobOutcome> {
  context.requestId = requestId;
  if (!context.control.submissionsAllowed()) return context.outcome('not_started');
  const fetched = await fetchClip(context, requestId);
  if (fetched.ok) return fetched.outcome;
  const { error } = fetched;
  if (error instanceof ProviderError && GONE.has(error.kind)) {
    await forgetRequest(context, requestId, error.message);
    return submitAndFollow(context);
  }
  return downloadFailed(context, error);
}

async function forgetRequest(context: JobContext, requestId: string, why: string): Promise<void> {
  await context.deps.journal.update(context.id, (record) => {
    for (const submission of record.submissions) {
      if (submission.requestId === requestId) submission.outcome = 'not_found';
    }
    record.error = { kind: 'not_found', message: why };
  });
  context.warn(
    'request_not_found',
    `${context.scenes.join(', ')}: the provider no longer knows request ${requestId} (${why}); submitting it again.`,
  );
  context.requestId = undefined;
}
