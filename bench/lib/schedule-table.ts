/** The side-by-side table of render runs (storyreel and the baselines), from the mock's figures. */
import type { ScenarioResult } from '../parts/scenario.js';
import type { ScheduleFigures } from './mock-metrics.js';
import type { Table } from './report.js';
import { megabytes, seconds } from './stats.js';

export interface Line {
  /** Who ran: storyreel, or a baseline. */
  label: string;
  settings: string;
  scenes: number;
  figures: ScheduleFigures;
  idealMs: number;
  wallMs: number;
  result?: ScenarioResult;
}

export function comparison(
  lines: Line[],
  title = 'Side by side (C = 8 where it applies, mock with 8 generation slots, queue 0)',
): Table {
  return {
    title,
    header: [
      'run',
      'settings',
      'N',
      'gen',
      'wall',
      'span / ideal',
      'poll lag median / p95 (schedule, client medians)',
      'slot idle per job (download, refill medians)',
      'status+result per job',
      'API requests per job',
      'peak API req/s',
      'peak RSS',
    ],
    lines: lines.map((line) => [
      line.label,
      line.settings,
      String(line.scenes),
      seconds(line.figures.generationMs, 0),
      seconds(line.wallMs, 1),
      `${(line.figures.spanMs / line.idealMs).toFixed(2)} (${seconds(line.figures.spanMs, 1)} / ${seconds(line.idealMs, 0)})`,
      `${ms(line.figures.pollLagMedianMs)} / ${ms(line.figures.pollLagP95Ms)} (${ms(line.figures.pollLagScheduleMedianMs)}, ${ms(line.figures.pollLagClientMedianMs)})`,
      `${ms(line.figures.slotIdlePerJobMs)} (${ms(line.figures.downloadMedianMs)}, ${ms(line.figures.refillMedianMs)})`,
      line.figures.pollsPerJob.toFixed(2),
      line.figures.apiRequestsPerJob.toFixed(2),
      String(line.figures.peakApiPerSecond),
      line.result?.peakRssBytes !== undefined ? megabytes(line.result.peakRssBytes) : '',
    ]),
  };
}

/** `123 ms`, or `-` when there was nothing to measure (no download was followed by a submit). */
function ms(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value)} ms` : '-';
}
