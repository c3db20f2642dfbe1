/**
 * Which takes of each scene the output folder holds: its journal records and stored clips, read
 * once per folder. A take is found by its key (see jobKey): keys of takes 1..99 of each scene are
 * computed and looked up, so nothing but the storyboard is needed to name them.
 */
import { readdir } from 'node:fs/promises';
import type { JobRecord } from '../job/record.js';
import type { JobState } from '../job/state.js';
import { MAX_TAKE, takesOf } from '../plan/takes.js';
import type { Plan, PlannedJob } from '../plan/types.js';
import { jobId } from '../providers/registry.js';
import type { Journal } from './journal/journal.js';
import type { OutputLayout } from './layout.js';

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

/** Per scene of every plan, in plan order: the takes the folder holds. Reads; never writes. */
export async function scenesTakes(
  plans: readonly Plan[],
  deps: { layout: OutputLayout; journal: Journal; provider: string },
): Promise<SceneTakes[]> {
  const [records, clips] = await Promise.all([names(deps.layout.jobsDir), names(deps.layout.storeDir)]);
  const result: SceneTakes[] = [];
  for (const plan of plans) {
    for (const job of plan.jobs) {
      const chosen = job.take ?? 1;
      const takes: TakeOnDisk[] = [];
      for (const take of takesOf(job, Math.max(MAX_TAKE, chosen))) {
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
