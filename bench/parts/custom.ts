/**
 * `--only scenario`: one render of your choosing (scenes, generation time, concurrency, slots, poll
 * interval, request cap) through the real CLI against the mock, printed like the schedule table.
 * Handy to try a change to the runner before running the whole bench.
 */
import path from 'node:path';
import { makeClip, TINY_CLIP } from '../lib/fixtures.js';
import type { CustomScenario } from '../lib/options.js';
import { type PartResult, say } from '../lib/report.js';
import { comparison, type Line } from '../lib/schedule-table.js';
import { runScenario } from './scenario.js';

export async function benchCustomScenario(workDir: string, custom: CustomScenario): Promise<PartResult> {
  const clip = path.join(workDir, 'tiny.mp4');
  await makeClip(clip, TINY_CLIP);
  const settings = [
    `--poll-interval ${custom.pollSec ?? 'default'}`,
    `cap ${custom.rps ?? 'default'}/s`,
    `${custom.slots} slots`,
  ].join(', ');
  const lines: Line[] = [];
  for (let run = 1; run <= custom.repeat; run++) {
    say(`scenario: run ${run} of ${custom.repeat}: ${custom.scenes} scenes, ${settings}`);
    const result = await runScenario(
      workDir,
      {
        scenes: custom.scenes,
        concurrency: custom.concurrency,
        generationMs: custom.generationSec * 1000,
        slots: custom.slots,
        clip,
        durationSec: TINY_CLIP.durationSec,
        ...(custom.pollSec !== undefined ? { pollIntervalSec: custom.pollSec } : {}),
        ...(custom.rps !== undefined ? { maxRequestsPerSecond: custom.rps } : {}),
      },
      `custom-${run}`,
    );
    lines.push({
      label: 'storyreel',
      settings,
      scenes: custom.scenes,
      figures: result.figures,
      idealMs: result.idealMs,
      wallMs: result.wallMs,
      result,
    });
  }
  return {
    rows: [],
    tables: [comparison(lines, `Scenario: C = ${custom.concurrency}, ${custom.generationSec} s generations`)],
  };
}
