/**
 * The mock's job queue, driven by the server's clock: a job waits `queueMs`, then for a free
 * generation slot (first come, first served), then generates for `generationMs`. State is computed
 * from timestamps whenever someone looks, so jobs keep progressing while no client is connected (a
 * renderer killed and restarted finds them where a real queue would have them).
 */
import { randomUUID } from 'node:crypto';
import type { KlingRequest } from '../../plan/types.js';

export interface JobTiming {
  queueMs: number;
  generationMs: number;
  slots: number;
}

export type MockJobState = 'in_queue' | 'in_progress' | 'completed' | 'failed' | 'cancelled';
/** How a job ends once generated: normally, or as a fault asked. */
export type JobEnding = { as: 'completed' } | { as: 'failed'; reason: string } | { as: 'cancelled' };

export interface MockJob {
  id: string;
  model: string;
  payload: KlingRequest;
  state: MockJobState;
  ending: JobEnding;
  submittedAt: number;
  readyAt: number;
  /** Taken from the timing in force when the generation starts. */
  generationMs?: number;
  startedAt?: number;
  finishedAt?: number;
}

export class JobBoard {
  private readonly jobs = new Map<string, MockJob>();
  private readonly waiting: MockJob[] = [];
  private readonly running: MockJob[] = [];
  /** Time of the last event applied; events are applied in time order. */
  private cursor = 0;

  constructor(
    private timing: JobTiming,
    private readonly now: () => number = Date.now,
  ) {}

  setTiming(timing: Partial<JobTiming>): JobTiming {
    this.advance();
    // Nothing may start "in the past" because of a change made now.
    this.cursor = Math.max(this.cursor, this.now());
    this.timing = { ...this.timing, ...timing };
    return { ...this.timing };
  }

  create(model: string, payload: KlingRequest, ending: JobEnding = { as: 'completed' }): MockJob {
    this.advance();
    const submittedAt = this.now();
    const job: MockJob = {
      id: randomUUID(),
      model,
      payload,
      state: 'in_queue',
      ending,
      submittedAt,
      readyAt: submittedAt + this.timing.queueMs,
    };
    this.jobs.set(job.id, job);
    this.waiting.push(job);
    return job;
  }

  get(id: string): MockJob | undefined {
    this.advance();
    return this.jobs.get(id);
  }

  all(): MockJob[] {
    this.advance();
    return [...this.jobs.values()];
  }

  /** Jobs ahead of this one in the queue (0: it starts next); undefined once it left the queue. */
  queuePosition(job: MockJob): number | undefined {
    const index = this.waiting.indexOf(job);
    return index < 0 ? undefined : index;
  }

  /** Queued jobs can be cancelled; running or finished ones cannot. */
  cancel(id: string): 'cancelled' | 'not_cancellable' | undefined {
    const job = this.get(id);
    if (!job) return undefined;
    if (job.state === 'cancelled') return 'cancelled';
    if (job.state !== 'in_queue') return 'not_cancellable';
    this.waiting.splice(this.waiting.indexOf(job), 1);
    job.state = 'cancelled';
    job.finishedAt = this.now();
    return 'cancelled';
  }

  /** Applies every start and finish that happened up to now, in time order. */
  private advance(): void {
    const now = this.now();
    for (;;) {
      const finishing = this.nextToFinish();
      const finishAt = finishing ? finishAtOf(finishing) : Infinity;
      const head = this.waiting[0];
      const startAt =
        head && this.running.length < this.timing.slots ? Math.max(head.readyAt, this.cursor) : Infinity;
      if (finishing && finishAt <= now && finishAt <= startAt) {
        this.finish(finishing, finishAt);
      } else if (head && startAt <= now) {
        this.start(head, startAt);
      } else {
        return;
      }
    }
  }

  private nextToFinish(): MockJob | undefined {
    let first: MockJob | undefined;
    for (const job of this.running) {
      if (!first || finishAtOf(job) < finishAtOf(first)) first = job;
    }
    return first;
  }

  private start(job: MockJob, at: number): void {
    this.waiting.shift();
    this.running.push(job);
    job.state = 'in_progress';
    job.startedAt = at;
    job.generationMs = this.timing.generationMs;
    this.cursor = Math.max(this.cursor, at);
  }

  private finish(job: MockJob, at: number): void {
    this.running.splice(this.running.indexOf(job), 1);
    job.state = job.ending.as;
    job.finishedAt = at;
    this.cursor = Math.max(this.cursor, at);
  }
}

function finishAtOf(job: MockJob): number {
  return job.startedAt! + job.generationMs!;
}
