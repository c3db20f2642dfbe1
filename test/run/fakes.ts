/**
 * In-memory stand-ins for the runner's unit tests: a provider whose jobs follow a script, media tools
 * that check a marker instead of running ffprobe, and plans built by hand. End-to-end tests use the
 * real provider, mock server and ffmpeg.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MediaError, ProviderError } from '../../src/errors.js';
import type { KlingRequest, Plan, PlannedJob } from '../../src/plan/types.js';
import type {
  CancelOutcome,
  DownloadedVideo,
  DownloadOptions,
  GenerationRequest,
  RemoteResult,
  RemoteState,
  VideoProvider,
} from '../../src/providers/provider.js';
import { MemoryJournalStorage } from '../../src/run/journal/storage.js';
import type { ClipExpectation, MediaTools } from '../../src/run/runner-types.js';

/** How a fake job behaves, chosen by its prompt. */
export interface Script {
  /** Polls answered `in_queue` before `in_progress`. Default 1. */
  queuedPolls?: number;
  /** Polls answered `in_progress` before `completed`. Default 1. */
  generatingPolls?: number;
  /** `failed` instead of completing. */
  fails?: string;
  /** Never completes. */
  hangs?: boolean;
  /** Thrown by submit. */
  submitError?: ProviderError;
  /** Thrown by status/result. */
  pollError?: ProviderError;
}

interface FakeJob {
  id: string;
  prompt: string;
  polls: number;
  script: Script;
  /** Completed or failed remotely: no longer takes a slot of the account. */
  done?: boolean;
}

export class FakeProvider implements VideoProvider {
  readonly name = 'runcomfy';
  readonly jobs = new Map<string, FakeJob>();
  readonly submissions: GenerationRequest[] = [];
  /** Every call and journal write, in order, when shared with a LoggingStorage. */
  constructor(
    readonly scripts: Record<string, Script> = {},
    readonly log: string[] = [],
  ) {}
  /** Submitted and not yet completed (or failed): what takes a slot of the account. */
  private active = 0;
  maxActive = 0;
  /** Downloads under way at once, and the most there ever were. */
  downloading = 0;
  maxDownloading = 0;
  /** Submissions that arrived while some completed job's download was still under way. */
  submittedDuringDownload = 0;
  /** While set, every download waits for it before it writes anything. */
  downloadGate: Promise<void> | undefined;
  private counter = 0;

  async submit(request: GenerationRequest): Promise<{ requestId: string }> {
    const script = this.scripts[request.payload.prompt] ?? {};
    this.log.push(`submit ${request.payload.prompt}`);
    this.submissions.push(request);
    if (script.submitError) throw script.submitError;
    if (this.downloading > 0) this.submittedDuringDownload += 1;
    const id = `req-${++this.counter}`;
    this.jobs.set(id, { id, prompt: request.payload.prompt, polls: 0, script });
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    return { requestId: id };
  }

  async status(requestId: string): Promise<RemoteState> {
    this.log.push(`status ${requestId}`);
    return this.advance(requestId);
  }

  async result(requestId: string): Promise<RemoteResult> {
    this.log.push(`result ${requestId}`);
    const state = this.advance(requestId);
    if (state.state === 'completed')
      return { state: 'completed', videoUrl: `fake://${requestId}`, costUsd: 0.5 };
    return state;
  }

  async cancel(requestId: string): Promise<CancelOutcome> {
    this.log.push(`cancel ${requestId}`);
    return 'cancelled';
  }

  async download(
    requestId: string,
    destination: string,
    options: DownloadOptions = {},
  ): Promise<DownloadedVideo> {
    this.log.push(`download ${requestId}`);
    const job = this.jobs.get(requestId);
    if (!job) throw new ProviderError('not_found', `unknown request ${requestId}`);
    this.downloading += 1;
    this.maxDownloading = Math.max(this.maxDownloading, this.downloading);
    try {
      await this.downloadGate;
      const temporary = `${destination}.partial`;
      await mkdir(path.dirname(destination), { recursive: true });
      const text = `clip:${job.prompt}`;
      await writeFile(temporary, text);
      await options.verify?.(temporary);
      await writeFile(destination, text);
      return { bytes: text.length };
    } finally {
      this.downloading -= 1;
    }
  }

  private advance(requestId: string): RemoteState {
    const job = this.jobs.get(requestId);
    if (!job) throw new ProviderError('not_found', `unknown request ${requestId}`);
    if (job.script.pollError) throw job.script.pollError;
    job.polls += 1;
    const queued = job.script.queuedPolls ?? 1;
    const generating = job.script.generatingPolls ?? 1;
    if (job.script.hangs || job.polls <= queued)
      return { state: 'in_queue', queuePosition: queued - job.polls };
    if (job.polls <= queued + generating) return { state: 'in_progress' };
    if (!job.done) {
      job.done = true;
      this.active -= 1;
    }
    if (job.script.fails) return { state: 'failed', reason: job.script.fails };
    return { state: 'completed' };
  }

  /** Forgets every request, like another server (or an expired account history). */
  forgetRequests(): void {
    this.jobs.clear();
  }
}

/** A memory storage whose writes go into the same log as the provider's calls. */
export class LoggingStorage extends MemoryJournalStorage {
  constructor(readonly log: string[]) {
    super();
  }
  override async write(id: string, text: string): Promise<void> {
    const record = JSON.parse(text) as { state: string; requestId?: string };
    this.log.push(`write ${record.state}${record.requestId ? ` ${record.requestId}` : ''}`);
    await super.write(id, text);
  }
}

export const fakeMedia: MediaTools = {
  async verifyClip(file: string, expected: ClipExpectation) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (!text.startsWith('clip:')) throw new MediaError(`${file} is not a clip`);
    return { durationSec: expected.durationSec };
  },
  async joinClips(clips: string[], film: string) {
    const parts = await Promise.all(clips.map((clip) => readFile(clip, 'utf8')));
    await mkdir(path.dirname(film), { recursive: true });
    await writeFile(film, parts.join('\n'));
    return { mode: 'copy', durationSec: clips.length * 3 };
  },
};

export function payload(prompt: string, overrides: Partial<KlingRequest> = {}): KlingRequest {
  return {
    prompt,
    negative_prompt: '',
    duration: 3,
    aspect_ratio: '16:9',
    cfg_scale: 0.5,
    sound: false,
    shot_type: 'intelligent',
    multi_prompt: [],
    ...overrides,
  };
}

export function plannedJob(index: number, scene: string, prompt: string): PlannedJob {
  const body = payload(prompt);
  const key = createHash('sha256')
    .update(JSON.stringify({ model: 'kling', payload: body }))
    .digest('hex');
  return {
    scene,
    index,
    clipName: `${String(index + 1).padStart(2, '0')}-${scene}.mp4`,
    model: 'kling',
    payload: body,
    duration: body.duration,
    key,
    cost: 0.25,
    shots: [{ prompt, duration: body.duration }],
  };
}

/** A plan whose scenes are `{scene: prompt}`. */
export function plan(scenes: Record<string, string>, variant = 'default', storyboard = 'ad'): Plan {
  const jobs = Object.entries(scenes).map(([scene, prompt], index) => plannedJob(index, scene, prompt));
  return {
    file: `${storyboard}.yaml`,
    storyboard,
    title: storyboard,
    variant,
    jobs,
    totalDuration: jobs.reduce((sum, job) => sum + job.duration, 0),
    totalCost: jobs.reduce((sum, job) => sum + job.cost, 0),
  };
}
