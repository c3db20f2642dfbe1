/**
 * Issue 17's start-up goal: process start -> the first submit's arrival at the mock, for a 40-scene
 * storyboard, as a median of several short runs (one run of the whole render, as `--only defaults`
 * gives, is too noisy to rank a 0.4 s goal). Each run is stopped once the submit has arrived; the
 * mock's generations are long, so nothing else happens meanwhile. `npx storyreel` is measured the
 * same way, alternated with `node bin/storyreel.js`, for what npx adds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { startMockServer } from '../../src/providers/mock-server/server.js';
import { benchEnv, binPath, repoRoot } from '../lib/cli.js';
import { writeStoryboard } from '../lib/fixtures.js';
import type { Row } from '../lib/report.js';
import { median, millis, noise } from '../lib/stats.js';

const SCENES = 40;

export async function firstSubmitRows(runs: number): Promise<Row[]> {
  const direct: number[] = [];
  const npx: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const directMs = await firstSubmitMs(['node', binPath]);
    const npxMs = await firstSubmitMs(['npx', '--no-install', 'storyreel']);
    if (i === 0) continue; // unmeasured: warms the page cache
    direct.push(directMs);
    npx.push(npxMs);
  }
  const directMedian = median(direct);
  return [
    {
      part: 'startup',
      metric: `process start -> first submit at the server, ${SCENES} scenes, \`node bin/storyreel.js render\``,
      value: millis(directMedian),
      target: '<= 400 ms',
      met: directMedian <= 400,
      note: noise(direct),
    },
    {
      part: 'startup',
      metric: 'the same through `npx storyreel render`',
      value: millis(median(npx)),
      note: `npx adds ${millis(median(npx) - directMedian)}`,
    },
  ];
}

async function firstSubmitMs(command: string[]): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-bench-first-submit-'));
  let firstSubmit = 0;
  const server = await startMockServer({
    queueMs: 0,
    generationMs: 10 * 60_000,
    slots: 8,
    onRequest: (entry) => {
      if (entry.endpoint === 'submit' && (firstSubmit === 0 || entry.at < firstSubmit))
        firstSubmit = entry.at;
    },
  });
  try {
    const file = await writeStoryboard(path.join(dir, 'sb.yaml'), { scenes: SCENES });
    const startedAt = Date.now();
    const child = execa(command[0]!, [...command.slice(1), 'render', file, '--out', path.join(dir, 'out')], {
      cwd: repoRoot,
      env: benchEnv({ RUNCOMFY_BASE_URL: server.url, RUNCOMFY_API_TOKEN: server.token }),
      extendEnv: false,
      reject: false,
      stdio: 'ignore',
      // Its own process group: npx's child (the CLI) is stopped with it.
      detached: true,
    });
    while (firstSubmit === 0 && child.exitCode === null)
      await new Promise((resolve) => setTimeout(resolve, 2));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await child;
    if (firstSubmit === 0) throw new Error(`${command.join(' ')} render exited before submitting anything`);
    return firstSubmit - startedAt;
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
