/**
 * A rerun with nothing to do (issue 17): 40 scenes rendered once, then the same command again, every
 * clip stored and the film current. What it costs is start-up, reading the journal, and whatever is
 * rebuilt although its inputs did not change (thumbnails, contact sheet, reports).
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { startMockServer } from '../../src/providers/mock-server/server.js';
import { runCli } from '../lib/cli.js';
import { makeClip, TINY_CLIP, writeStoryboard } from '../lib/fixtures.js';
import { type PartResult, say } from '../lib/report.js';
import { median, millis, noise } from '../lib/stats.js';

function eventTime(stdout: string, type: string): number {
  const line = stdout.split('\n').find((text) => text.startsWith(`{"type":"${type}"`));
  return line ? Date.parse((JSON.parse(line) as { at: string }).at) : Number.NaN;
}

export async function benchRerun(workDir: string, runs: number, scenes = 40): Promise<PartResult> {
  const dir = path.join(workDir, 'rerun');
  await mkdir(dir, { recursive: true });
  const clip = path.join(dir, 'tiny.mp4');
  await makeClip(clip, TINY_CLIP);
  const storyboard = await writeStoryboard(path.join(dir, 'board.yaml'), {
    scenes,
    durationSec: TINY_CLIP.durationSec,
  });
  const server = await startMockServer({ queueMs: 0, generationMs: 200, slots: 8, clipFor: () => clip });
  try {
    const args = [
      'render',
      storyboard,
      '--out',
      path.join(dir, 'output'),
      '--json',
      '--poll-interval',
      '0.05',
    ];
    const env = { RUNCOMFY_BASE_URL: server.url, RUNCOMFY_API_TOKEN: server.token };
    say(`rerun: the first render of ${scenes} scenes`);
    const first = await runCli(args, { cwd: dir, env });
    if (first.exitCode !== 0) throw new Error(`the first render exited ${first.exitCode}: ${first.stderr}`);
    const requestsBefore = server.requests.length;
    const walls: number[] = [];
    const toPlan: number[] = [];
    const planToSummary: number[] = [];
    for (let run = 0; run < runs; run++) {
      say(`rerun: run ${run + 1} of ${runs}`);
      const again = await runCli(args, { cwd: dir, env });
      if (again.exitCode !== 0) throw new Error(`the rerun exited ${again.exitCode}: ${again.stderr}`);
      walls.push(again.wallMs);
      const at = (type: string) => eventTime(again.stdout, type);
      toPlan.push(at('plan') - again.startedAt);
      planToSummary.push(at('summary') - at('plan'));
    }
    const wall = median(walls);
    return {
      rows: [
        {
          part: 'rerun',
          metric: `a rerun with nothing to do, ${scenes} scenes (every clip stored, the film current)`,
          value: millis(wall),
          target: '<= 500 ms',
          met: wall <= 500,
          note: `${noise(walls)}; process start -> plan event ${millis(median(toPlan))} (start-up, journal, stored clips checked), plan -> summary ${millis(median(planToSummary))} (film, thumbnails, contact sheet, reports); ${server.requests.length - requestsBefore} requests to the API`,
        },
      ],
    };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
