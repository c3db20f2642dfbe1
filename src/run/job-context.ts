/** What the steps of one job (submit, watch, fetch) share, and the helpers they all use. */
import { MediaError, MediaToolError, ProviderError, type StoryreelError } from '../errors.js';
import type { JobRecord, RecordedError } from '../job/record.js';
import type { JobState } from '../job/state.js';
import { type BatchJob, jobVariants } from './batch.js';
import type { JobEvent } from './events.js';
import type { PollPlanner } from './poll-schedule.js';
import type { ClipExpectation, JobOutcome, JobResult, RunnerDeps, RunnerOptions } from './runner-types.js';
import type { BatchSlots } from './slots.js';

/** The batch-wide switches a job obeys. */
export interface BatchControl {
  /** Aborted on Ctrl-C or when the batch stops: stop polling and downloading (request ids are kept). */
  signal: AbortSignal;
  /** False once Ctrl-C was pressed, an auth/balance error stopped the batch, or the output lock was lost. */
  submissionsAllowed(): boolean;
  /**
   * Stops the whole batch: the error says every other request would fail too (or must not be sent).
   * `job`: the job whose failure it is (that failure is printed with the reason; the warning need not).
   */
  stopBatch(error: StoryreelError, job?: string): void;
  /** When to poll, learnt from the batch's jobs (see poll-schedule.ts). */
  polls: PollPlanner;
  /**
   * Waits for this job's turn to submit: the batch's first submit goes alone, the others wait for
   * its answer, so a refused token (401/403) is learnt from one request, not from `concurrency` of
   * them. Returns what to call once this submit is answered (or never sent). Optional for fakes.
   */
  turnToSubmit?(): Promise<() => void>;
  /** The generation and download pools (see slots.ts). */
  slots: BatchSlots;
}

export class JobContext {
  submitted = 0;
  requestId: string | undefined;
  private releaseGeneration: (() => void) | undefined;

  constructor(
    readonly job: BatchJob,
    readonly deps: RunnerDeps,
    readonly options: RunnerOptions,
    readonly control: BatchControl,
  ) {}

  /**
   * Takes a generation slot, unless this job holds one already (a job submitted again after its
   * request id was forgotten keeps the slot it watched with).
   */
  async holdGenerationSlot(): Promise<void> {
    this.releaseGeneration ??= await this.control.slots.generation.acquire();
  }

  /** The provider said completed (or the job ended): the slot goes to the next submission. */
  freeGenerationSlot(): void {
    this.releaseGeneration?.();
    this.releaseGeneration = undefined;
  }

  /** Runs `work` (a download and its verification) in a download slot. */
  async inDownloadSlot<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.control.slots.download.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  get id(): string {
    return this.job.id;
  }

  get scenes(): string[] {
    return [...new Set(this.job.uses.map((use) => use.scene))];
  }

  /** `{ take }` for a retake, spread into its events; nothing for take 1 (events as before takes). */
  get takeField(): { take?: number } {
    const take = this.job.planned.take ?? 1;
    return take > 1 ? { take } : {};
  }

  get variants(): string[] {
    return jobVariants(this.job);
  }

  get expectation(): ClipExpectation {
    const { payload } = this.job.planned;
    return { durationSec: payload.duration, sound: payload.sound, aspectRatio: payload.aspect_ratio };
  }

  now(): string {
    return this.deps.journal.timestamp();
  }

  emitState(state: JobState, extra: Partial<Omit<JobEvent, 'type' | 'state'>> = {}): void {
    this.deps.emit({
      type: 'job',
      at: this.now(),
      job: this.job.key,
      scenes: this.scenes,
      ...this.takeField,
      variants: jobVariants(this.job),
      state,
      ...(this.requestId ? { requestId: this.requestId } : {}),
      ...extra,
    });
  }

  warn(code: 'may_have_been_submitted' | 'request_not_found' | 'stored_clip_invalid', message: string): void {
    this.deps.emit({
      type: 'warning',
      at: this.now(),
      code,
      message,
      job: this.job.key,
      scenes: this.scenes,
      ...this.takeField,
    });
  }

  outcome(result: JobResult, error?: RecordedError): JobOutcome {
    return {
      job: this.job,
      result,
      submitted: this.submitted,
      ...(this.requestId ? { requestId: this.requestId } : {}),
      ...(error ? { error } : {}),
    };
  }

  /** Journals a terminal failure and reports it. The request id, if any, stays in the record. */
  async fail(
    state: 'failed' | 'timed_out' | 'cancelled',
    error: RecordedError,
    change: (record: JobRecord) => void = () => {},
  ): Promise<JobOutcome> {
    await this.deps.journal.transition(this.id, state, error.message, (record) => {
      record.error = error;
      change(record);
    });
    this.deps.emit({
      type: 'failed',
      at: this.now(),
      job: this.job.key,
      scenes: this.scenes,
      ...this.takeField,
      variants: jobVariants(this.job),
      state,
      ...(this.requestId ? { requestId: this.requestId } : {}),
      error: { kind: error.kind, message: error.message },
    });
    return this.outcome(state, error);
  }
}

export function recordedError(error: unknown): RecordedError {
  if (error instanceof ProviderError) {
    return {
      kind: error.kind,
      message: error.message,
      ...(error.details.raw !== undefined ? { raw: error.details.raw } : {}),
    };
  }
  if (error instanceof MediaToolError) return { kind: 'tool', message: error.message };
  if (error instanceof MediaError) return { kind: 'media', message: error.message };
  return { kind: 'internal', message: error instanceof Error ? error.message : String(error) };
}
