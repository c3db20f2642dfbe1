/**
 * Which takes of each scene the output folder holds: its journal records and stored clips, read
 * once per folder. A take is found by its key (see jobKey): keys of takes 1..99 of each scene are
 * computed and looked up, so nothing but the storyboard is needed to name them.
 */
import { readdir } from 'node:fs/promises';
import type { JobRecord } from '../job/record.js';
import type { JobState } from '../job/state.js';
import { checkSceneIds } from '../plan/batch.js';
import { MAX_TAKE, takesOf } from '../plan/takes.js';
import type { Plan, PlannedJob } from '../plan/types.js';
import { jobId } from '../providers/registry.js';
import type { Journal } from './journal/journal.js';
import type { OutputLayout } from './layout.js';
import { type BatchRequest, openBatch } from './open-batch.js';

export interface TakeOnDisk {
  take: number;
  key: string;
  /** The journal and store id (see jobId in providers/registry.ts). */
  id: string;
  /** The journal's state; `verified` for a stored clip whose record is gone. */
  state: JobState;
  /** The clip is in the store (`.storyreel/clips/<id>.mp4`). */
  stored: boolean;
  requestId?: string;
  estimatedCost: number;
  /** What the provider reported for it, when it did. */
  actualCost?: number;
  /** The film (this variant) uses this take. */
  chosen: boolean;
}

export interface SceneTakes {
  storyboard: string;
  variant: string;
  scene: string;
  index: number;
  /** The take the storyboard chooses for this variant. */
  chosen: number;
  /** The takes the folder holds, by take number, plus the chosen one even when it is not there yet. */
  takes: TakeOnDisk[];
  /** The chosen take's clip is stored: choosing it costs nothing. */
  chosenStored: boolean;
}

async function names(dir: string): Promise<Set<string>> {
  return new Set(await readdir(dir).catch(() => [] as string[]));
}

function describeTake(
  job: PlannedJob,
  id: string,
  record: JobRecord | undefined,
  stored: boolean,
  chosen: boolean,
): TakeOnDisk {
  return {
    take: job.take ?? 1,
    key: job.key,
    id,
    state: record?.state ?? (stored ? 'verified' : 'planned'),
    stored,
    ...(record?.requestId ? { requestId: record.requestId } : {}),
    estimatedCost: job.cost,
    ...(record?.cost.actual !== undefined ? { actualCost: record.cost.actual } : {}),
    chosen,
  };
}

/** Ids of the records and stored clips in the folder (temporary files, hidden, left out). */
function idsOnDisk(records: Set<string>, clips: Set<string>): Set<string> {
  const ids = new Set<string>();
  const add = (names: Set<string>, extension: string) => {
    for (const name of names) {
      if (!name.startsWith('.') && name.endsWith(extension)) ids.add(name.slice(0, -extension.length));
    }
  };
  add(records, '.json');
  add(clips, '.mp4');
  return ids;
}

/**
 * The takes to look up for each job. Every take's key is a hash, so a folder is searched by computing
 * the keys of takes 1..99 of each scene (4,000 hashes for 40 scenes, most of a rerun's CPU time)
 * unless the chosen take and take 1 of every scene already account for every record and clip in it,
 * as they do in a folder that never held another take.
 */
function candidateTakes(plans: readonly Plan[], onDisk: Set<string>, provider: string) {
  const few = (job: PlannedJob) => {
    const chosen = job.take ?? 1;
    return chosen === 1 ? [job] : takesOf(job, 1).concat(job);
  };
  const found = new Set<string>();
  for (const plan of plans) {
    for (const job of plan.jobs) {
      for (const take of few(job)) {
        const id = jobId(provider, take.key);
        if (onDisk.has(id)) found.add(id);
      }
    }
  }
  if (found.size === onDisk.size) return few;
  return (job: PlannedJob) => takesOf(job, Math.max(MAX_TAKE, job.take ?? 1));
}

/** `storyreel takes` as a library call: per scene (of `scenes`, else every one), the takes the folder holds. */
export async function takesInFolder(
  request: BatchRequest & { provider: string; scenes: string[] },
): Promise<{ out: string; provider: string; scenes: SceneTakes[] }> {
  const { plans, layout, journal } = await openBatch(request);
  checkSceneIds(plans, request.scenes, '--scene');
  const all = await scenesTakes(plans, { layout, journal, provider: request.provider });
  const scenes =
    request.scenes.length > 0 ? all.filter((scene) => request.scenes.includes(scene.scene)) : all;
  return { out: layout.root, provider: request.provider, scenes };
}

/** Per scene of every plan, in plan order: the takes the folder holds. Reads; never writes. */
export async function scenesTakes(
  plans: readonly Plan[],
  deps: {
    layout: OutputLayout;
    journal: Journal;
    provider: string;
    /** Every plan of the batch, when `plans` is a part of it: their clips share the store. */
    batchPlans?: readonly Plan[];
  },
): Promise<SceneTakes[]> {
  const [records, clips] = await Promise.all([names(deps.layout.jobsDir), names(deps.layout.storeDir)]);
  const onDisk = idsOnDisk(records, clips);
  const takesToLookUp = candidateTakes(deps.batchPlans ?? plans, onDisk, deps.provider);
  const result: SceneTakes[] = [];
  for (const plan of plans) {
    for (const job of plan.jobs) {
      const chosen = job.take ?? 1;
      const takes: TakeOnDisk[] = [];
      for (const take of takesToLookUp(job)) {
        const id = jobId(deps.provider, take.key);
        const stored = clips.has(`${id}.mp4`);
        const journaled = records.has(`${id}.json`);
        const isChosen = take.take === chosen;
        if (!stored && !journaled && !isChosen) continue;
        const record = journaled ? await deps.journal.get(id) : undefined;
        takes.push(describeTake(take, id, record, stored, isChosen));
      }
      result.push({
        storyboard: plan.storyboard,
        variant: plan.variant,
        scene: job.scene,
        index: job.index,
        chosen,
        takes,
        chosenStored: takes.some((take) => take.chosen && take.stored),
      });
    }
  }
  return result;
}
