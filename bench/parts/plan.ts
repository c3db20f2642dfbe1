/**
 * Planning: load + schema-validate + plan a generated 1000-scene storyboard. Measured twice: in
 * process (the pure core, warm, median of repeats) and as the user runs it (`storyreel validate` and
 * `storyreel plan --json`, child processes, start-up included).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { planAllVariants, planOrThrow } from '../../src/plan/planner.js';
import { parseStoryboard } from '../../src/storyboard/load.js';
import { runCli } from '../lib/cli.js';
import { writeStoryboard } from '../lib/fixtures.js';
import type { PartResult, Row } from '../lib/report.js';
import { median, millis, noise, repeatMs, timeMs } from '../lib/stats.js';

/** A storyboard holds at most 999 scenes (schemas/storyboard.schema.json): the closest to 1000 there is. */
export const MAX_SCENES = 999;

export async function benchPlanning(workDir: string, runs: number, scenes = MAX_SCENES): Promise<PartResult> {
  const file = await writeStoryboard(path.join(workDir, `plan-${scenes}.yaml`), { scenes, multiShot: true });
  const text = await readFile(file, 'utf8');
  const planOnce = () => planOrThrow(parseStoryboard(text, file), 'default');
  const coldMs = await timeMs(planOnce);
  const warm = await repeatMs(runs, planOnce);
  const plan = planOnce();
  const validate = await repeatMs(runs, () => expectOk(runCli(['validate', file])));
  const planCli = await repeatMs(runs, () => expectOk(runCli(['plan', file, '--json', '--out', workDir])));

  const withVariants = await writeStoryboard(path.join(workDir, `plan-${scenes}-v4.yaml`), {
    scenes,
    multiShot: true,
    variants: 3,
  });
  const variantsText = await readFile(withVariants, 'utf8');
  const allVariants = await repeatMs(runs, () =>
    planAllVariants(parseStoryboard(variantsText, withVariants)),
  );
  const target = `< 1000 ms`;
  const rows: Row[] = [
    {
      part: 'plan',
      metric: `\`storyreel validate\`, ${scenes} scenes (child process, start-up included)`,
      value: millis(median(validate)),
      target,
      met: median(validate) < 1000,
      note: noise(validate),
    },
    {
      part: 'plan',
      metric: `\`storyreel plan --json\`, ${scenes} scenes (child process)`,
      value: millis(median(planCli)),
      target,
      met: median(planCli) < 1000,
      note: noise(planCli),
    },
    {
      part: 'plan',
      metric: `parse + validate + plan in process, ${scenes} scenes (${plan.jobs.length} jobs, ${plan.totalDuration} s of film)`,
      value: millis(median(warm)),
      target,
      met: median(warm) < 1000,
      note: `${noise(warm)}; first call ${millis(coldMs)} (schema compile, JIT)`,
    },
    {
      part: 'plan',
      metric: `every variant (4 films) of a ${scenes}-scene storyboard, in process`,
      value: millis(median(allVariants)),
      note: noise(allVariants),
    },
  ];
  return { rows };
}

async function expectOk(run: ReturnType<typeof runCli>): Promise<void> {
  const { exitCode, stderr } = await run;
  if (exitCode !== 0) throw new Error(`storyreel exited ${exitCode}: ${stderr.slice(0, 500)}`);
}
