/** What the runner is given and what it gives back. It never knows which provider it drives. */

import type { RecordedError } from '../job/record.js';
import type { AspectRatio } from '../plan/types.js';
import type { VideoProvider } from '../providers/provider.js';
import type { BatchJob } from './batch.js';
import type { EmitEvent } from './events.js';
import type { Journal } from './journal/journal.js';

export interface ClipExpectation {
  durationSec: number;
  sound: boolean;
  aspectRatio?: AspectRatio;
}

/** The ffmpeg side, injected so that unit tests can run the runner without real media. */
export interface MediaTools {
  /**
   * Throws a MediaToolError (exit 2) when ffmpeg or ffprobe cannot run: called before anything is
   * paid for. Optional so that unit tests with fake media need none.
   */
  checkTools?(): Promise<void>;
  /** Throws a MediaError when the file is not the clip that was asked for. */
  verifyClip(file: string, expected: ClipExpectation): Promise<{ durationSec: number }>;
  joinClips(
    clips: string[],
    film: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ mode: string; durationSec: number; sha256?: string }>;
  /** A verified clip a film will join: what the join needs of it may be read now (best effort). */
  readAhead?(clip: string): Promise<void>;
}

export interface RunnerDeps {
  provider: VideoProvider;
  journal: Journal;
  media: MediaTools;
  /** Where the clip store keeps a job's clip. */
  storedClip(jobId: string): string;
  emit: EmitEvent;
}

export interface RunnerOptions {
  /**
   * Jobs generating at once, from submit until the provider says completed (the remote slots this
   * batch takes). Default 4. As many more may download and verify their clips meanwhile.
   */
  concurrency: number;
  /** First poll interval; polls back off from there (see poll-schedule.ts). */
  pollIntervalMs: number;
  /** Per job, from submission (or from when this run took it over) to a verified clip. */
  timeoutMs: number;
  /** Aborted on Ctrl-C: no new submissions, polling stops, request ids are kept. */
  signal?: AbortSignal;
  /** Names this run in the journal's submission history. */
  runId: string;
  /**
   * Why this process no longer holds the output folder's lock, or undefined while it does. Asked
   * before every submission; once it answers, the batch stops as on an auth error.
   */
  lockLost?: () => string | undefined;
  /**
   * `render --no-submit`: nothing is ever submitted (not even a job whose request id the provider
   * forgot); jobs an earlier run submitted are still collected. A job that would need a submission
   * ends `not_started` with the error kind `missing`.
   */
  noSubmit?: boolean;
}

/** The error of a job --no-submit did not send. */
export const MISSING_KIND = 'missing';

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_TIMEOUT_MIN = 30;

/**
 * How a job ended in this run:
 * - reused: its clip was already in the store; generated: submitted or collected, and verified now;
 * - failed / timed_out / cancelled: see `error`;
 * - in_flight: a request exists remotely and its id is journaled, but this run stopped watching it
 *   (Ctrl-C, or the batch stopped on an auth/balance error);
 * - not_started: never submitted by this run (Ctrl-C or a stopped batch came first).
 */
export type JobResult =
  | 'reused'
  | 'generated'
  | 'failed'
  | 'timed_out'
  | 'cancelled'
  | 'in_flight'
  | 'not_started';

export interface JobOutcome {
  job: BatchJob;
  result: JobResult;
  requestId?: string;
  error?: RecordedError;
  /** POSTs sent by this run for this job. */
  submitted: number;
  /** What the provider says the clip collected by this run cost, when it says. */
  actualCostUsd?: number;
}
