/**
 * One render of N generated scenes by the real CLI (a child process) against the mock server (in this
 * process), with fixed generation times and no queue. What it measures comes from the mock's log and
 * clock (see mock-metrics.ts) and from the child process (wall time, peak RSS).
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { type MockServer, startMockServer } from '../../src/providers/mock-server/server.js';
import { runCli } from '../lib/cli.js';
import { writeStoryboard } from '../lib/fixtures.js';
import { AnswerClock, type ScheduleFigures, scheduleFigures } from '../lib/mock-metrics.js';
import { type RenderPhases, renderPhases } from '../lib/phases.js';

/** A storyboard holds at most 999 scenes: bigger batches are split across files of this many. */
const SCENES_PER_FILE = 500;

export interface Scenario {
  scenes: number;
  concurrency: number;
  generationMs: number;
  /** The clip the mock serves for every job (its duration must be `durationSec`). */
  clip: string;
  durationSec: number;
  /** --poll-interval in seconds; undefined: storyreel's default. */
  pollIntervalSec?: number;
  /** Generation slots on the server; default `concurrency` (the account runs that many at once). */
  slots?: number;
  /** RUNCOMFY_MAX_REQUESTS_PER_SECOND for the CLI; undefined: the client's default cap. */
  maxRequestsPerSecond?: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  figures: ScheduleFigures;
  /** ceil(N / C) x generation time. */
  idealMs: number;
  /** The CLI process, start to exit (plan, schedule, join, reports). */
  wallMs: number;
  phases?: RenderPhases;
  /** Process start -> the first submit's arrival at the mock. */
  firstSubmitMs: number;
  peakRssBytes?: number;
  exitCode: number;
}

export async function runScenario(
  workDir: string,
  scenario: Scenario,
  label: string,
): Promise<ScenarioResult> {
  const dir = path.join(workDir, label);
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (let first = 0; first < scenario.scenes; first += SCENES_PER_FILE) {
    const scenes = Math.min(SCENES_PER_FILE, scenario.scenes - first);
    const file = path.join(dir, `part${files.length + 1}.yaml`);
    files.push(await writeStoryboard(file, { scenes, firstIndex: first, durationSec: scenario.durationSec }));
  }
  const clock = new AnswerClock();
  const server = await startMockServer({
    queueMs: 0,
    generationMs: scenario.generationMs,
    slots: scenario.slots ?? scenario.concurrency,
    clipFor: () => scenario.clip,
    onRequest: clock.onRequest,
  });
  try {
    const args = ['render', ...files, '--out', path.join(dir, 'output'), '--json'];
    args.push('--concurrency', String(scenario.concurrency));
    if (scenario.pollIntervalSec !== undefined)
      args.push('--poll-interval', String(scenario.pollIntervalSec));
    const run = await runCli(args, {
      cwd: dir,
      env: {
        RUNCOMFY_BASE_URL: server.url,
        RUNCOMFY_API_TOKEN: server.token,
        ...(scenario.maxRequestsPerSecond
          ? { RUNCOMFY_MAX_REQUESTS_PER_SECOND: String(scenario.maxRequestsPerSecond) }
          : {}),
      },
      measureUsage: true,
    });
    if (run.exitCode !== 0) {
      throw new Error(`storyreel render exited ${run.exitCode}: ${run.stderr.slice(-2000)}`);
    }
    return {
      scenario,
      figures: scheduleFigures(server, clock, scenario.slots ?? scenario.concurrency),
      idealMs: Math.ceil(scenario.scenes / scenario.concurrency) * scenario.generationMs,
      wallMs: run.wallMs,
      firstSubmitMs: firstSubmitAt(server) - run.startedAt,
      ...optional('phases', renderPhases(run.stdout, run.startedAt)),
      ...(run.peakRssBytes !== undefined ? { peakRssBytes: run.peakRssBytes } : {}),
      exitCode: run.exitCode,
    };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export function firstSubmitAt(server: MockServer): number {
  return Math.min(...server.requests.filter((entry) => entry.endpoint === 'submit').map((entry) => entry.at));
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
