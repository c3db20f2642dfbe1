/**
 * Thumbnails made while the jobs still generate. A render spends most of its time waiting for the
 * provider with the CPU idle, and used to make every thumbnail after the last clip (40 clips: four
 * ffmpeg runs between the film and the summary). Each verified clip's picture is made in the
 * background instead, the clips of a wave in one ffmpeg run, into a scratch folder; the report takes
 * the picture whose clip is the same file (same identity) and makes any other itself. Best effort: a
 * picture that fails here is made by the report as before, and nothing here is ever shown unless
 * its clip's identity matches.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { makeScratchFolder } from '../files/atomic.js';
import { runFfmpeg } from '../media/run.js';
import { fileIdentity, inputKey } from './freshness.js';
import { THUMBNAILS_PER_RUN, type ThumbnailJob, thumbnailsArgs } from './image-recipes.js';

interface AheadJob extends ThumbnailJob {
  identity: string;
}

/** How long the first clip of a wave waits for the others, so that a wave costs one ffmpeg run. */
const GATHER_MS = 100;

export class ThumbnailsAhead {
  private readonly queued: string[] = [];
  /** Clip identity -> its picture in the scratch folder. */
  private readonly made = new Map<string, string>();
  /** Clips (store paths) whose first frame starts a film: their full-size frame is made too. */
  private readonly postersWanted = new Set<string>();
  /** Clip identity -> its full-size first frame in the scratch folder. */
  private readonly posters = new Map<string, string>();
  private folder: Promise<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private gatherMs = GATHER_MS) {}

  /** A verified clip (its path in the store): its picture is made soon, in the background. */
  add(clip: string): void {
    if (this.stopped) return;
    this.queued.push(clip);
    this.schedule();
  }

  /**
   * This clip starts a film: with its thumbnail, make its first frame at full size, the poster of a
   * film that is its clips' stream copy (the same decode: a few ms while the jobs generate, against
   * an ffmpeg run on the film after the join, between the film and the summary).
   */
  wantPoster(clip: string): void {
    this.postersWanted.add(clip);
  }

  /**
   * The last wave has begun: its clips come one by one and the report waits for the last of them,
   * so from now on each picture is made as soon as its clip comes (40 scenes: the last wave's
   * pictures were done 65 ms after the last clip instead of about when it came).
   */
  hurry(): void {
    this.gatherMs = 0;
    this.flush();
  }

  /** No more clips will come (the jobs are over): the last wave's need not wait for company. */
  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.start();
  }

  /**
   * The picture made from this very file (by identity): at once if it is made, else once every clip
   * added so far is done.
   */
  async picture(identity: string): Promise<string | undefined> {
    this.flush();
    while (!this.made.has(identity) && this.running) await this.running;
    return this.made.get(identity);
  }

  /** The full-size first frame made from this very file (see wantPoster), as `picture` waits. */
  async poster(identity: string): Promise<string | undefined> {
    await this.picture(identity);
    return this.posters.get(identity);
  }

  /**
   * Stops making pictures and removes them: called once the reports have copied what they needed
   * and their contact sheets, which read these files where they are, are made.
   */
  async dispose(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.folder) await rm(await this.folder, { recursive: true, force: true });
  }

  private schedule(): void {
    if (this.timer || this.running) return;
    this.timer = setTimeout(() => this.flush(), this.gatherMs);
    // Never what keeps the process alive.
    this.timer.unref();
  }

  private start(): void {
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.queued.length > 0 && !this.stopped) this.schedule();
    });
  }

  private async drain(): Promise<void> {
    while (this.queued.length > 0 && !this.stopped) {
      await this.make(this.queued.splice(0, THUMBNAILS_PER_RUN)).catch(() => {});
    }
  }

  private async make(clips: string[]): Promise<void> {
    this.folder ??= makeScratchFolder('thumbs');
    const folder = await this.folder;
    const jobs: AheadJob[] = [];
    for (const clip of clips) {
      const identity = await fileIdentity(clip);
      if (!identity || this.made.has(identity) || jobs.some((job) => job.identity === identity)) continue;
      const name = inputKey(identity);
      jobs.push({
        clip,
        identity,
        output: path.join(folder, `${name}.jpg`),
        ...(this.postersWanted.has(clip) ? { poster: path.join(folder, `${name}-poster.jpg`) } : {}),
      });
    }
    await this.run(jobs);
  }

  /** One ffmpeg run for them all; when it fails, one each, so that one bad clip costs only its own. */
  private async run(jobs: AheadJob[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await runFfmpeg(thumbnailsArgs(jobs), `making ${jobs.length} thumbnails ahead`, { background: true });
      for (const job of jobs) {
        this.made.set(job.identity, job.output);
        if (job.poster) this.posters.set(job.identity, job.poster);
      }
    } catch (error) {
      if (jobs.length === 1) throw error;
      for (const job of jobs) await this.run([job]).catch(() => {});
    }
  }
}
