/**
 * Issue 17's scenario, side by side in one run: 40 and 200 scenes of 2 s generations, 8 generation
 * slots, `storyreel render --concurrency 8 --poll-interval 0.2` with no environment override (the
 * client's default request limiter), against the ~50-line script a user would write instead
 * (bench/baselines/naive-script.mjs: submit everything, poll each job every 0.2 s, download, concat),
 * run as its own Node process against the same mock. Also: process start -> first submit.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ffmpegPath } from '../../src/media/binaries.js';
import { startMockServer } from '../../src/providers/mock-server/server.js';
import { benchEnv, repoRoot } from '../lib/cli.js';
import { makeClip, TINY_CLIP } from '../lib/fixtures.js';
import { AnswerClock, type ScheduleFigures, scheduleFigures } from '../lib/mock-metrics.js';
import { type PartResult, type Row, say } from '../lib/report.js';
import { comparison, type Line } from '../lib/schedule-table.js';
import { timeMs } from '../lib/stats.js';
import { firstSubmitAt, runScenario, type ScenarioResult } from './scenario.js';

const SLOTS = 8;
const GENERATION_MS = 2000;
const POLL_SEC = 0.2;
const SCRIPT = path.join(repoRoot, 'bench', 'baselines', 'naive-script.mjs');

export interface DefaultsOptions {
  /** Scene counts to run; default 40 and 200. */
  scenes: number[];
}

interface ScriptRun {
  figures: ScheduleFigures;
  wallMs: number;
  firstSubmitMs: number;
}

export async function benchDefaults(workDir: string, options: DefaultsOptions): Promise<PartResult> {
  const clip = path.join(workDir, 'tiny.mp4');
  await makeClip(clip, TINY_CLIP);
  const rows: Row[] = [];
  const lines: Line[] = [];
  for (const scenes of options.scenes) {
    say(`defaults: the naive script, ${scenes} scenes`);
    const script = await runScript(workDir, scenes, clip);
    say(`defaults: the naive script, ${SLOTS} in flight, ${scenes} scenes`);
    const scriptAtSlots = await runScript(workDir, scenes, clip, SLOTS);
    say(`defaults: storyreel with its defaults, ${scenes} scenes`);
    const storyreel = await runScenario(
      workDir,
      {
        scenes,
        concurrency: SLOTS,
        generationMs: GENERATION_MS,
        slots: SLOTS,
        clip,
        durationSec: TINY_CLIP.durationSec,
        pollIntervalSec: POLL_SEC,
      },
      `defaults-${scenes}`,
    );
    const idealMs = Math.ceil(scenes / SLOTS) * GENERATION_MS;
    lines.push(
      { label: 'naive script', settings: 'poll every 0.2 s, no cap', scenes, idealMs, ...script },
      {
        label: 'naive script',
        settings: `poll every 0.2 s, no cap, ${SLOTS} in flight`,
        scenes,
        idealMs,
        ...scriptAtSlots,
      },
      {
        label: 'storyreel',
        settings: '--concurrency 8 --poll-interval 0.2, no env',
        scenes,
        idealMs,
        figures: storyreel.figures,
        wallMs: storyreel.wallMs,
        result: storyreel,
      },
    );
    rows.push(...compare(scenes, storyreel, script, scriptAtSlots));
  }
  return {
    rows,
    tables: [comparison(lines, 'Issue 17: defaults vs the naive script (8 slots, 2 s generations)')],
  };
}

function compare(
  scenes: number,
  storyreel: ScenarioResult,
  script: ScriptRun,
  scriptAtSlots: ScriptRun,
): Row[] {
  const part = 'defaults';
  const wall = storyreel.wallMs / script.wallMs;
  const polls = storyreel.figures.pollsPerJob / script.figures.pollsPerJob;
  const phases = storyreel.phases;
  const split = phases
    ? `start ${s(phases.startMs)} + jobs ${s(phases.jobsMs)} + join ${s(phases.joinMs)} + reports ${s(phases.reportsMs)}`
    : '';
  const rows: Row[] = [
    {
      part,
      metric: `N = ${scenes}: storyreel wall / script wall`,
      value: `${wall.toFixed(2)} (${s(storyreel.wallMs)} / ${s(script.wallMs)})`,
      target: '<= 1',
      met: wall <= 1,
      note: `one run each; storyreel ${split}`,
    },
    {
      part,
      metric: `N = ${scenes}: storyreel wall / the script's, ${SLOTS} in flight like --concurrency ${SLOTS}`,
      value: `${(storyreel.wallMs / scriptAtSlots.wallMs).toFixed(2)} (${s(storyreel.wallMs)} / ${s(scriptAtSlots.wallMs)})`,
      note: 'for scale: the script above queues every job on the server at once; this one keeps the promise storyreel keeps',
    },
    {
      part,
      metric: `N = ${scenes}: status+result requests per job, storyreel / script`,
      value: `${polls.toFixed(2)} (${storyreel.figures.pollsPerJob.toFixed(2)} / ${script.figures.pollsPerJob.toFixed(2)})`,
      target: '<= 1/3',
      met: polls <= 1 / 3,
      note: `peak API req/s: storyreel ${storyreel.figures.peakApiPerSecond} (cap 100), script ${script.figures.peakApiPerSecond}`,
    },
  ];
  if (scenes <= 40) {
    rows.push({
      part,
      metric: `N = ${scenes}: process start -> first submit at the server`,
      value: `${Math.round(storyreel.firstSubmitMs)} ms`,
      target: '<= 400 ms',
      met: storyreel.firstSubmitMs <= 400,
      note: `node bin/storyreel.js render; the script: ${Math.round(script.firstSubmitMs)} ms`,
    });
  }
  return rows;
}

async function runScript(
  workDir: string,
  scenes: number,
  clip: string,
  inFlight?: number,
): Promise<ScriptRun> {
  const dir = path.join(workDir, `naive-${scenes}${inFlight ? `-${inFlight}` : ''}`);
  await mkdir(dir, { recursive: true });
  const prompts = path.join(dir, 'prompts.txt');
  const lines = Array.from({ length: scenes }, (_, i) => `Scene ${i + 1} of the ride, street ${i}`);
  await writeFile(prompts, `${lines.join('\n')}\n`);
  const clock = new AnswerClock();
  const server = await startMockServer({
    queueMs: 0,
    generationMs: GENERATION_MS,
    slots: SLOTS,
    clipFor: () => clip,
    onRequest: clock.onRequest,
  });
  try {
    const env = benchEnv({
      RUNCOMFY_BASE_URL: server.url,
      RUNCOMFY_API_TOKEN: server.token,
      FFMPEG_PATH: ffmpegPath(),
    });
    const startedAt = Date.now();
    const wallMs = await timeMs(async () => {
      const limit = inFlight ? [String(inFlight)] : [];
      await execa('node', [SCRIPT, prompts, path.join(dir, 'out'), String(POLL_SEC), ...limit], {
        env,
        extendEnv: false,
      });
    });
    return {
      figures: scheduleFigures(server, clock, SLOTS),
      wallMs,
      firstSubmitMs: firstSubmitAt(server) - startedAt,
    };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
