/**
 * Following a submitted job until its clip is verified: polls with a growing interval (see
 * poll-schedule.ts) until the job completes, fails, is cancelled, or passes its deadline. While a job
 * is generating, `/result` is asked instead of `/status`: it answers the state just the same and,
 * once done, carries the video link, which saves a request per job.
 */
import { ProviderError } from '../errors.js';
import type { JobState } from '../job/state.js';
import type { RemoteResult, RemoteState } from '../providers/provider.js';
import { napUnlessAborted } from '../sleep.js';
import { downloadFailed, fetchClip } from './fetch.js';
import { type JobContext, recordedError } from './job-context.js';
import { JobPollClock, pollDelay } from './poll-schedule.js';
import type { JobOutcome } from './runner-types.js';

/** Polls that fail in a row (after the client's own retries) before the job is given up for this run. */
export const MAX_CONSECUTIVE_POLL_ERRORS = 5;

export type WatchResult = { outcome: JobOutcome } | { notFound: ProviderError };

/**
 * `submittedNow`: the job was submitted by this run, so its elapsed time is its whole age and its
 * completion teaches the poll planner how long jobs take. Its age is counted from `submittedAtMs`,
 * when the POST left (the provider's clock for it starts about then, not once its answer is
 * journaled).
 */
export async function watchJob(
  context: JobContext,
  requestId: string,
  { submittedNow, submittedAtMs }: { submittedNow: boolean; submittedAtMs?: number | undefined },
): Promise<WatchResult> {
  const { provider } = context.deps;
  const { signal } = context.control;
  const startedAt = Date.now();
  const bornAt = submittedNow ? Math.min(submittedAtMs ?? startedAt, startedAt) : startedAt;
  const deadline = startedAt + context.options.timeoutMs;
  let consecutiveErrors = 0;
  let lastQueuePosition: number | undefined;
  const { polls } = context.control;
  const clock = submittedNow ? new JobPollClock(polls, context.expectation.durationSec, bornAt) : undefined;

  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { outcome: await timedOut(context, requestId) };
    const wait = clock
      ? clock.nextWait(Date.now())
      : pollDelay({ intervalMs: context.options.pollIntervalMs, elapsedMs: Date.now() - startedAt });
    // A job of this run wakes when another of its length is seen done, and plans again from that.
    const nap = await napUnlessAborted(
      Math.min(wait, remaining),
      signal,
      clock ? (wakeUp) => polls.onChange(clock.kind, wakeUp) : undefined,
    );
    if (nap === 'aborted') return { outcome: context.outcome('in_flight') };
    if (nap === 'woken') {
      clock?.woken();
      continue;
    }

    let answer: RemoteState | RemoteResult;
    // When the poll left the client's limiter: the job was in the state it answers at least then.
    let sentAt: number | undefined;
    const call = {
      signal,
      onSent: () => {
        sentAt = Date.now();
        clock?.sent(sentAt);
      },
    };
    try {
      // Once a job of its length was seen done, its next answer is likely the result: asking for it
      // at once saves the second request a status answer would need.
      answer =
        currentState(context) === 'generating' || clock?.expectsResult()
          ? await provider.result(requestId, call)
          : await provider.status(requestId, call);
      consecutiveErrors = 0;
    } catch (error) {
      if (signal.aborted) return { outcome: context.outcome('in_flight') };
      if (error instanceof ProviderError) {
        if (error.fatalForBatch) {
          context.control.stopBatch(error);
          return { outcome: context.outcome('in_flight') };
        }
        // A 404 for a request id we were given is a glitch (a replica that has not seen it yet, a
        // proxy's hiccup) until it repeats, whether this run or an earlier one was given it: believing
        // one at once paid for the scene again (within a run on the rerun, after a restart at once).
        if (error.kind === 'generation' || error.kind === 'rejected') {
          return { outcome: await context.fail('failed', recordedError(error)) };
        }
      }
      consecutiveErrors += 1;
      if (consecutiveErrors >= MAX_CONSECUTIVE_POLL_ERRORS) {
        if (error instanceof ProviderError && error.kind === 'not_found') return { notFound: error };
        const recorded = recordedError(error);
        recorded.message = `asking for the job's state failed ${consecutiveErrors} times in a row (request ${requestId} kept; a rerun asks again): ${recorded.message}`;
        return { outcome: await context.fail('failed', recorded) };
      }
      continue;
    }

    if (answer.state === 'in_queue' || answer.state === 'in_progress' || answer.state === 'completed')
      clock?.seen(answer.state, sentAt ?? Date.now());
    switch (answer.state) {
      case 'in_queue':
        if (currentState(context) !== 'queued' || answer.queuePosition !== lastQueuePosition) {
          lastQueuePosition = answer.queuePosition;
          await noteRemote(context, 'queued', 'in_queue', answer.queuePosition);
        }
        break;
      case 'in_progress':
        if (currentState(context) !== 'generating') {
          await noteRemote(context, 'generating', 'in_progress', undefined, answer.raw);
        }
        break;
      case 'completed': {
        // Nothing runs remotely for this job any more: its slot goes to the next submission while
        // this one downloads in a slot of the download pool (fetchClip).
        context.freeGenerationSlot();
        const fetched = await fetchClip(context, requestId, completedResult(answer));
        return { outcome: fetched.ok ? fetched.outcome : await downloadFailed(context, fetched.error) };
      }
      case 'cancelled':
        return {
          outcome: await context.fail('cancelled', {
            kind: 'cancelled',
            message: 'the job was cancelled remotely',
          }),
        };
      case 'failed':
        return {
          outcome: await context.fail('failed', {
            kind: 'generation',
            message: `the generation failed: ${answer.reason}`,
            ...(answer.raw !== undefined ? { raw: answer.raw } : {}),
          }),
        };
    }
  }
}

/** The link and cost when the answer came from `/result`; a `/status` answer has neither. */
function completedResult(answer: RemoteState | RemoteResult): { videoUrl?: string; costUsd?: number } {
  if (answer.state !== 'completed' || !('videoUrl' in answer)) return {};
  const result = answer as Extract<RemoteResult, { state: 'completed' }>;
  return { videoUrl: result.videoUrl, ...(result.costUsd !== undefined ? { costUsd: result.costUsd } : {}) };
}

function currentState(context: JobContext): JobState | undefined {
  return context.deps.journal.peek(context.id)?.state;
}

async function noteRemote(
  context: JobContext,
  state: 'queued' | 'generating',
  remoteState: string,
  queuePosition?: number,
  raw?: unknown,
): Promise<void> {
  const remote = {
    state: remoteState,
    at: context.now(),
    ...(queuePosition !== undefined ? { queuePosition } : {}),
    ...(raw !== undefined ? { raw } : {}),
  };
  const change = (record: { remote?: unknown }) => {
    record.remote = remote;
  };
  if (currentState(context) === state) await context.deps.journal.update(context.id, change);
  else await context.deps.journal.transition(context.id, state, undefined, change);
  context.emitState(state, queuePosition !== undefined ? { queuePosition } : {});
}

async function timedOut(context: JobContext, requestId: string): Promise<JobOutcome> {
  const seconds = context.options.timeoutMs / 1000;
  const limit =
    seconds < 120 ? `${Math.round(seconds * 10) / 10} s` : `${Math.round((seconds / 60) * 10) / 10} min`;
  return context.fail('timed_out', {
    kind: 'timeout',
    message: `no clip after ${limit} (request ${requestId} kept: a rerun asks for it again; --rerender ${context.scenes[0]} pays for a new one)`,
  });
}
