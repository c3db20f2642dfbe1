/** Where a render's wall time went, read from its `--json` events (each carries its time). */
import type { RunEvent } from '../../src/run/events.js';

export interface RenderPhases {
  /** Process start -> the plan event: start-up, loading, planning, the lock. */
  startMs: number;
  /** Plan event -> last clip downloaded and verified. */
  jobsMs: number;
  /** Last clip -> last film joined. */
  joinMs: number;
  /** Last film -> summary: report.json, report.html (thumbnails, contact sheet). */
  reportsMs: number;
}

export function renderPhases(stdout: string, processStartMs: number): RenderPhases | undefined {
  const events = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as RunEvent);
  const time = (event: RunEvent | undefined) => (event ? Date.parse(event.at) : Number.NaN);
  const plan = events.find((event) => event.type === 'plan');
  const lastClip = events.filter((event) => event.type === 'downloaded').at(-1);
  const lastFilm = events.filter((event) => event.type === 'film').at(-1);
  const summary = events.find((event) => event.type === 'summary');
  if (!plan || !lastClip || !lastFilm || !summary) return undefined;
  return {
    startMs: time(plan) - processStartMs,
    jobsMs: time(lastClip) - time(plan),
    joinMs: time(lastFilm) - time(lastClip),
    reportsMs: time(summary) - time(lastFilm),
  };
}
