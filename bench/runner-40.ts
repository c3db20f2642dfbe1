/**
 * The runner against the mock server: N scenes (default 40), generation G s, queue 0, S slots,
 * concurrency C, through the real CLI (dist/, so run `npm run build` first). Prints wall time against
 * the ideal schedule ceil(N/C) x G and the status/result requests per job, from the mock's request log.
 *
 *   npx tsx bench/runner-40.ts [--scenes 40] [--generation 2] [--concurrency 8] [--slots 8] [--poll 0.25] [--rps 5]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { startMockServer } from '../src/providers/mock-server/server.js';

const { values } = parseArgs({
  options: {
    scenes: { type: 'string', default: '40' },
    generation: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '8' },
    slots: { type: 'string', default: '8' },
    poll: { type: 'string', default: '0.25' },
    /** The client's cap on API requests per second (RUNCOMFY_MAX_REQUESTS_PER_SECOND); default 5. */
    rps: { type: 'string' },
  },
});
const scenes = Number(values.scenes);
const generationSec = Number(values.generation);
const concurrency = Number(values.concurrency);
const slots = Number(values.slots);

const dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-bench-'));
const server = await startMockServer({
  size: '160x90',
  queueMs: 0,
  generationMs: generationSec * 1000,
  slots,
});
try {
  const storyboard = path.join(dir, 'bench.yaml');
  const lines = ['version: 1', 'title: bench', 'defaults: { sound: false }', 'scenes:'];
  for (let i = 1; i <= scenes; i++) lines.push(`  - id: s${i}`, `    prompt: scene ${i}`, '    duration: 3');
  await writeFile(storyboard, `${lines.join('\n')}\n`);

  const started = Date.now();
  const run = await execa(
    'node',
    [
      path.resolve('bin/storyreel.js'),
      'render',
      storyboard,
      '--out',
      path.join(dir, 'out'),
      '--concurrency',
      String(concurrency),
      '--poll-interval',
      values.poll!,
      '--json',
    ],
    {
      env: {
        RUNCOMFY_BASE_URL: server.url,
        RUNCOMFY_API_TOKEN: server.token,
        ...(values.rps ? { RUNCOMFY_MAX_REQUESTS_PER_SECOND: values.rps } : {}),
      },
      reject: false,
    },
  );
  const wallSec = (Date.now() - started) / 1000;
  if (run.exitCode !== 0) throw new Error(`render exited ${run.exitCode}: ${run.stderr}`);

  const api = server.requests.filter((entry) => entry.listener === 'api');
  const submits = api.filter((entry) => entry.endpoint === 'submit');
  const polls = api.filter((entry) => entry.endpoint === 'status' || entry.endpoint === 'result');
  const media = server.requests.filter((entry) => entry.listener === 'media');
  const firstSubmit = Math.min(...submits.map((entry) => entry.at));
  const lastMedia = Math.max(...media.map((entry) => entry.at));
  const ideal = Math.ceil(scenes / Math.min(concurrency, slots)) * generationSec;
  const batchSec = (lastMedia - firstSubmit) / 1000;
  const perJob = polls.length / scenes;
  const report = {
    scenes,
    generationSec,
    concurrency,
    slots,
    pollIntervalSec: Number(values.poll),
    maxRequestsPerSecond: values.rps ? Number(values.rps) : 5,
    idealSec: ideal,
    wallSec: round(wallSec),
    wallOverIdeal: `${round((wallSec / ideal - 1) * 100)}%`,
    firstSubmitToLastDownloadSec: round(batchSec),
    batchOverIdeal: `${round((batchSec / ideal - 1) * 100)}%`,
    submissions: submits.length,
    statusAndResultRequests: polls.length,
    perJob: round(perJob),
    perJobPer10sOfGeneration: round(perJob / (generationSec / 10)),
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
