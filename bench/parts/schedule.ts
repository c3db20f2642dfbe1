/**
 * Schedule efficiency and API politeness: storyreel (the real CLI) against the mock at 2 s generations
 * and concurrency 8, for N = 40, 200, 1000, beside the two baselines; and a politeness run at a
 * realistic generation time with storyreel's defaults.
 */
import path from 'node:path';
import { makeClip, TINY_CLIP } from '../lib/fixtures.js';
import type { ScheduleFigures } from '../lib/mock-metrics.js';
import { type PartResult, type Row, say } from '../lib/report.js';
import { comparison, type Line } from '../lib/schedule-table.js';
import { median, seconds } from '../lib/stats.js';
import { type BaselineKind, runBaseline } from './baselines.js';
import { runScenario, type ScenarioResult } from './scenario.js';

export const CONCURRENCY = 8;
export const GENERATION_MS = 2000;
/** --poll-interval for 2 s generations: a tenth of the generation, the lag the schedule aims at. */
export const TUNED_POLL_SEC = 0.2;
/**
 * A request cap (RUNCOMFY_MAX_REQUESTS_PER_SECOND) above what 8 two-second jobs need: the default 5/s
 * cannot carry 4 jobs a second (each needs a submit and at least one poll), and a cap that is reached
 * queues polls and submits behind each other.
 */
export const TUNED_MAX_RPS = 50;
/** The politeness run: generations as long as real ones start to be, storyreel's defaults. */
export const POLITE_GENERATION_MS = 30_000;

export interface ScheduleOptions {
  quick: boolean;
  /** Runs of the N = 40 scenario (the median is reported). */
  runs: number;
  /** Receives the 1000-scene run, whose peak RSS the memory part reports. */
  onThousand?: (result: ScenarioResult) => void;
}

export async function benchSchedule(workDir: string, options: ScheduleOptions): Promise<PartResult> {
  const clip = path.join(workDir, 'tiny.mp4');
  await makeClip(clip, TINY_CLIP);
  const base = {
    concurrency: CONCURRENCY,
    generationMs: GENERATION_MS,
    clip,
    durationSec: TINY_CLIP.durationSec,
  };
  const tuned = { ...base, pollIntervalSec: TUNED_POLL_SEC, maxRequestsPerSecond: TUNED_MAX_RPS };
  const tunedLabel = `--poll-interval ${TUNED_POLL_SEC}, cap ${TUNED_MAX_RPS}/s`;
  const lines: Line[] = [];
  const storyreel = async (scenes: number, settings: string, scenario: typeof base, label = 'storyreel') => {
    say(`schedule: storyreel, ${scenes} scenes (${settings})`);
    const result = await runScenario(workDir, { ...scenario, scenes }, `sr-${scenes}-${lines.length}`);
    const line = { label, settings, scenes, ...pick(result), result };
    lines.push(line);
    return line;
  };

  const forty: Line[] = [];
  for (let run = 0; run < options.runs; run++) forty.push(await storyreel(40, tunedLabel, tuned));
  const two = await storyreel(200, tunedLabel, tuned);
  const thousand = options.quick ? undefined : await storyreel(1000, tunedLabel, tuned);
  if (thousand?.result) options.onThousand?.(thousand.result);
  await storyreel(40, 'defaults (--poll-interval 5, cap 5/s)', base, 'storyreel, defaults');

  const baseline = async (kind: BaselineKind, scenes: number) => {
    say(`schedule: baseline ${kind}, ${scenes} scenes`);
    const result = await runBaseline(workDir, kind, { ...base, scenes, slots: CONCURRENCY, pollMs: 1000 });
    const label = kind === 'sequential' ? 'shell-script loop' : 'Promise.all';
    lines.push({ label, settings: 'poll every 1 s, no cap', scenes, idealMs: idealOf(scenes), ...result });
  };
  await baseline('sequential', 40);
  await baseline('promise-all', 40);
  if (!options.quick) await baseline('promise-all', 200);

  say(`schedule: politeness, 16 scenes of ${POLITE_GENERATION_MS / 1000} s, storyreel defaults`);
  const polite = await runScenario(
    workDir,
    { ...base, scenes: 16, generationMs: POLITE_GENERATION_MS },
    'polite',
  );
  lines.push({
    label: 'storyreel, defaults',
    settings: `${POLITE_GENERATION_MS / 1000} s generations`,
    scenes: 16,
    ...pick(polite),
    result: polite,
  });

  return { rows: targetRows(forty, two, thousand, polite), tables: [comparison(lines)] };
}

function pick(result: ScenarioResult) {
  return { figures: result.figures, idealMs: result.idealMs, wallMs: result.wallMs };
}

function idealOf(scenes: number): number {
  return Math.ceil(scenes / CONCURRENCY) * GENERATION_MS;
}

/** Polls per job per 10 s of generation: the politeness measure. */
function pollsPer10s(figures: ScheduleFigures): number {
  return figures.pollsPerJob / (figures.generationMs / 10_000);
}

function targetRows(forty: Line[], two: Line, thousand: Line | undefined, polite: ScenarioResult): Row[] {
  const ratio = (line: Line) => line.figures.spanMs / line.idealMs;
  const fortyRatios = forty.map(ratio);
  const rows: Row[] = [
    {
      part: 'schedule',
      metric: `N = 200, C = 8, 2 s generations: jobs' span / ideal (${seconds(two.idealMs, 0)})`,
      value: `${ratio(two).toFixed(3)} (${seconds(two.figures.spanMs, 1)})`,
      target: '<= 1.10',
      met: ratio(two) <= 1.1,
      note: `first submit to last download; whole CLI run ${seconds(two.wallMs, 1)}${phasesNote(two)}`,
    },
    {
      part: 'schedule',
      metric: 'N = 40, same: span / ideal (median)',
      value: median(fortyRatios).toFixed(3),
      note: `${forty.length} run(s): ${fortyRatios.map((r) => r.toFixed(3)).join(', ')}`,
    },
  ];
  if (thousand) {
    rows.push({
      part: 'schedule',
      metric: `N = 1000 (two storyboards of 500), same: span / ideal (${seconds(thousand.idealMs, 0)})`,
      value: `${ratio(thousand).toFixed(3)} (${seconds(thousand.figures.spanMs, 1)})`,
      note: `whole CLI run ${seconds(thousand.wallMs, 1)}${phasesNote(thousand)}`,
    });
  }
  const lagLine = thousand ?? two;
  rows.push({
    part: 'schedule',
    metric: `poll lag (server completion -> download request), N = ${lagLine.scenes}`,
    value: `median ${Math.round(lagLine.figures.pollLagMedianMs)} ms, p95 ${Math.round(lagLine.figures.pollLagP95Ms)} ms`,
    note: `max ${Math.round(lagLine.figures.pollLagMaxMs)} ms`,
  });
  const perTen = pollsPer10s(polite.figures);
  rows.push({
    part: 'politeness',
    metric: `status/result requests per job per 10 s of generation (16 jobs of ${POLITE_GENERATION_MS / 1000} s, C = 8, defaults)`,
    value: perTen.toFixed(2),
    target: '<= 2',
    met: perTen <= 2,
    note: `${polite.figures.pollsPerJob.toFixed(1)} per job; peak ${polite.figures.peakApiPerSecond} API requests/s`,
  });
  rows.push({
    part: 'politeness',
    metric: 'same, at 2 s generations (N = 200, tuned)',
    value: pollsPer10s(two.figures).toFixed(2),
    note: `${two.figures.pollsPerJob.toFixed(2)} per job: below 10 s a job needs at least one, so the per-10 s figure cannot reach 2`,
  });
  return rows;
}

function phasesNote(line: Line): string {
  const phases = line.result?.phases;
  if (!phases) return '';
  return ` = start ${seconds(phases.startMs, 1)} + jobs ${seconds(phases.jobsMs, 1)} + join ${seconds(phases.joinMs, 1)} + reports ${seconds(phases.reportsMs, 1)}`;
}
