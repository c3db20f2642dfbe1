/** Takes of a planned scene: the same request generated again, each under its own key. Pure. */
import { jobKey, takeKeys } from './job-key.js';
import type { PlannedJob } from './types.js';

/** The schema's bound: `take` is 1..99, and `render --takes N` asks for at most as many. */
export const MAX_TAKE = 99;

/** The job a scene would be with another take: same request, same price, another key. */
export function withTake(job: PlannedJob, take: number): PlannedJob {
  return { ...job, take, key: jobKey(job.model, job.payload, take) };
}

/** The scene's takes 1..`upTo` (default: every take a storyboard can choose). */
export function takesOf(job: PlannedJob, upTo = MAX_TAKE): PlannedJob[] {
  return takeKeys(job.model, job.payload, upTo).map((key, index) => ({ ...job, take: index + 1, key }));
}
