/**
 * A batch: the plans of every storyboard and variant in one render, folded into distinct jobs. Jobs
 * with the same key (the same exact request) are generated once and used by every film that needs them.
 */

import { withTake } from '../plan/takes.js';
import type { Plan, PlannedJob } from '../plan/types.js';
import { jobId } from '../providers/registry.js';

/** One place a job's clip appears: a scene of a variant of a storyboard. */
export interface JobUse {
  storyboard: string;
  variant: string;
  scene: string;
  index: number;
  clipName: string;
}

export interface BatchJob {
  /** The journal and clip-store id (see jobId). */
  id: string;
  key: string;
  model: string;
  planned: PlannedJob;
  uses: JobUse[];
  /**
   * A take asked for by `render --takes N` that no film uses: generated and stored for comparison
   * only. Its one use names the scene it is a take of (it is not linked into that film).
   */
  extraTake?: true;
}

/** `render --takes N [--scene ID]...`: takes 1..N of these scenes (all when empty). */
export interface TakesRequest {
  upTo: number;
  scenes: readonly string[];
  /** Only the takes this accepts (by job id): `cancel` keeps those the journal has a record of. */
  keep?: (id: string) => boolean;
}

export interface Batch {
  provider: string;
  plans: Plan[];
  /** Distinct jobs, in the order their first scene appears. */
  jobs: BatchJob[];
}

export function buildBatch(plans: Plan[], provider: string, takes?: TakesRequest): Batch {
  const byId = new Map<string, BatchJob>();
  for (const plan of plans) {
    for (const planned of plan.jobs) {
      const id = jobId(provider, planned.key);
      const use: JobUse = {
        storyboard: plan.storyboard,
        variant: plan.variant,
        scene: planned.scene,
        index: planned.index,
        clipName: planned.clipName,
      };
      const existing = byId.get(id);
      if (existing) existing.uses.push(use);
      else byId.set(id, { id, key: planned.key, model: planned.model, planned, uses: [use] });
    }
  }
  // After every film's jobs: a take a film uses is that film's job, never an extra one.
  if (takes) addExtraTakes(plans, provider, takes, byId);
  return { provider, plans, jobs: [...byId.values()] };
}

function addExtraTakes(plans: Plan[], provider: string, takes: TakesRequest, byId: Map<string, BatchJob>) {
  for (const plan of plans) {
    for (const job of plan.jobs) {
      if (takes.scenes.length > 0 && !takes.scenes.includes(job.scene)) continue;
      for (let take = 1; take <= takes.upTo; take += 1) {
        const planned = withTake(job, take);
        const id = jobId(provider, planned.key);
        if (byId.has(id) || (takes.keep && !takes.keep(id))) continue;
        const use: JobUse = {
          storyboard: plan.storyboard,
          variant: plan.variant,
          scene: job.scene,
          index: job.index,
          clipName: job.clipName,
        };
        byId.set(id, { id, key: planned.key, model: planned.model, planned, uses: [use], extraTake: true });
      }
    }
  }
}

/** How a job is named to people: its scene id, plus where else it is used. */
export function jobLabel(job: BatchJob): string {
  const scenes = [...new Set(job.uses.map((use) => use.scene))];
  return scenes.join('+') + takeSuffix(job.planned.take);
}

/** ` take 2` for a retake, nothing for take 1 (what every job was before takes existed). */
export function takeSuffix(take: number | undefined): string {
  return take !== undefined && take > 1 ? ` take ${take}` : '';
}

/**
 * A job named for people when the batch makes several films: its scene(s) and the film(s) it is
 * for. A job several films share is one job (generated and paid once), so it says so once.
 */
export function servedLabel(scenes: readonly string[], variants: readonly string[]): string {
  const name = scenes.join('+');
  if (variants.length === 0) return name;
  if (variants.length === 1) return `${name} (${variants[0]})`;
  return `${name} (shared by ${variants.join(', ')})`;
}

/** `ad/default`-style names of the variants that use the job. */
export function jobVariants(job: BatchJob): string[] {
  return [...new Set(job.uses.map((use) => `${use.storyboard}/${use.variant}`))];
}
