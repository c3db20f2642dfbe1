/**
 * Collecting a finished job: the provider streams the video to a temporary file beside the store
 * path, we verify it (ffprobe: video, duration, sound, aspect ratio), and only then is it renamed into
 * the store. So a clip in the store is always a verified one.
 */
import { ExitCode, MediaError, MediaToolError, ProviderError } from '../errors.js';
import { sleepUnlessAborted } from '../sleep.js';
import { sha256File } from './film-current.js';
import { type JobContext, recordedError } from './job-context.js';
import type { JobOutcome } from './runner-types.js';

/**
 * The provider has just said the job completed, so a 404 for its result or link is a glitch (a
 * replica that has not caught up), not a verdict: ask again a few times before failing the scene.
 */
const NOT_FOUND_AFTER_COMPLETION_RETRIES = [1_000, 3_000];

export type FetchResult =
  | { ok: true; outcome: JobOutcome }
  | { ok: false; error: unknown; outcome?: JobOutcome };

export async function fetchClip(
  context: JobContext,
  requestId: string,
  known: { videoUrl?: string; costUsd?: number } = {},
): Promise<FetchResult> {
  // Journaled before waiting for a download slot: the record says what the provider said.
  await context.deps.journal.transition(context.id, 'downloading', undefined, (record) => {
    record.remote = { state: 'completed', at: context.now() };
  });
  context.emitState('downloading');
  return context.inDownloadSlot(() => collect(context, requestId, known));
}

async function collect(
  context: JobContext,
  requestId: string,
  known: { videoUrl?: string; costUsd?: number },
): Promise<FetchResult> {
  let result = await downloadOnce(context, requestId, known);
  for (const pause of NOT_FOUND_AFTER_COMPLETION_RETRIES) {
    if (result.ok || !(result.error instanceof ProviderError && result.error.kind === 'not_found')) break;
    if (!(await sleepUnlessAborted(pause, context.control.signal))) break;
    // The link we had may be the stale one: let the provider ask for a fresh result.
    result = await downloadOnce(context, requestId, { ...known, videoUrl: undefined });
  }
  return result;
}

async function downloadOnce(
  context: JobContext,
  requestId: string,
  known: { videoUrl?: string | undefined; costUsd?: number },
): Promise<FetchResult> {
  const { journal, provider, media, storedClip } = context.deps;
  let durationSec = context.expectation.durationSec;
  let sha256 = '';
  try {
    const downloaded = await provider.download(requestId, storedClip(context.id), {
      signal: context.control.signal,
      ...(known.videoUrl ? { videoUrl: known.videoUrl } : {}),
      verify: async (temporaryPath) => {
        durationSec = (await media.verifyClip(temporaryPath, context.expectation)).durationSec;
        // The clip's identity, once, from the very bytes that go into the store: films record it.
        sha256 = await sha256File(temporaryPath);
      },
    });
    const actualCost = downloaded.costUsd ?? known.costUsd;
    await journal.transition(context.id, 'verified', undefined, (record) => {
      record.clip = { bytes: downloaded.bytes, durationSec, requestId, ...(sha256 ? { sha256 } : {}) };
      if (actualCost !== undefined) {
        record.cost.actual = actualCost;
        // Kept per submission too: the ledger sums what each job the provider created cost.
        for (const submission of record.submissions) {
          if (submission.requestId === requestId) submission.costUsd = actualCost;
        }
      }
      delete record.error;
    });
    context.deps.emit({
      type: 'downloaded',
      at: context.now(),
      job: context.job.key,
      scenes: context.scenes,
      ...context.takeField,
      variants: context.variants,
      requestId,
      bytes: downloaded.bytes,
      durationSec,
    });
    context.emitState('verified');
    const outcome = context.outcome('generated');
    return {
      ok: true,
      outcome: actualCost === undefined ? outcome : { ...outcome, actualCostUsd: actualCost },
    };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * What a failed download means. Ctrl-C or a stopped batch: the job stays `downloading` with its
 * request id, and a rerun collects it. A clip that fails verification, or any other fault: the job
 * fails here, request id kept (a rerun asks again before paying anew).
 */
export async function downloadFailed(context: JobContext, error: unknown): Promise<JobOutcome> {
  if (context.control.signal.aborted) return context.outcome('in_flight');
  if (error instanceof ProviderError && error.fatalForBatch) {
    context.control.stopBatch(error);
    return context.outcome('in_flight');
  }
  if (error instanceof MediaToolError) {
    // Not the clip's fault: it is paid for and its request id kept (the job stays `downloading`), and
    // every other clip would fail the same way. The rerun collects it once the tool runs; no re-render.
    context.control.stopBatch(
      new MediaToolError(
        `${error.message.split('\n')[0]}\nNo clip is at fault: finished jobs keep their request ids and the rerun ` +
          'downloads and verifies them again, paying nothing more.',
        error.stderr,
        ExitCode.sceneFailed,
      ),
    );
    return context.outcome('in_flight');
  }
  const recorded = recordedError(error);
  if (error instanceof MediaError) {
    recorded.message = `the downloaded clip failed verification: ${error.message}`;
  }
  if (error instanceof ProviderError && error.kind === 'not_found') {
    // The provider had just said the job completed: a 404 for its link is a glitch, not a verdict.
    // Recorded as such, the rerun asks for this request again; as `not_found` it paid for it anew.
    recorded.kind = 'transient';
  }
  return context.fail('failed', recorded);
}
