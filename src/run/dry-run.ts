/**
 * `storyreel plan` as a library call: the plans, and where each job stands in the output folder.
 * What is done, in flight and still to pay comes from the same inspection a render makes
 * (inspect.ts: journal and verified clips), so `plan` and `render --max-cost` agree. Reads only.
 */
import { verifyClip } from '../media/verify.js';
import type { JobProgress } from '../plan/plan-table.js';
import type { Plan, PriceTable } from '../plan/types.js';
import { buildBatch } from './batch.js';
import { inspectBatch, progressOf } from './inspect.js';
import { type BatchRequest, type OpenBatch, openBatch } from './open-batch.js';
import { scenesTakes } from './takes.js';

export interface DryRun {
  plans: Plan[];
  prices: PriceTable;
  /** By job key: done, in flight, or what it costs to generate. */
  progress: Map<string, JobProgress>;
  /** By the chosen take's job key: the take numbers of its scene whose clips are stored. */
  takes: Map<string, number[]>;
}

/**
 * `provider`: whose journal and clips to look at (a preview's clips are not RunComfy's:
 * `--provider preview` sees what a preview render made).
 */
export async function dryRun(request: BatchRequest & { provider: string }): Promise<DryRun> {
  const batch = await openBatch(request);
  return {
    plans: batch.plans,
    prices: batch.prices,
    progress: await inspectProgress(batch, request.provider),
    takes: await storedTakes(batch, request.provider),
  };
}

async function inspectProgress(
  { plans, layout, journal }: OpenBatch,
  provider: string,
): Promise<Map<string, JobProgress>> {
  const inspections = await inspectBatch(buildBatch(plans, provider), {
    journal,
    media: { verifyClip },
    storedClip: (id) => layout.storedClip(id),
  });
  return new Map(inspections.map((inspection) => [inspection.job.key, progressOf(inspection)]));
}

async function storedTakes(
  { plans, layout, journal }: OpenBatch,
  provider: string,
): Promise<Map<string, number[]>> {
  const scenes = await scenesTakes(plans, { layout, journal, provider });
  const byKey = new Map<string, number[]>();
  for (const scene of scenes) {
    const chosen = scene.takes.find((take) => take.chosen)!;
    byKey.set(
      chosen.key,
      scene.takes.filter((take) => take.stored).map((take) => take.take),
    );
  }
  return byKey;
}
