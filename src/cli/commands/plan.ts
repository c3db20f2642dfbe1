/** `storyreel plan FILE`: the dry run. Every job, its shots and seconds, what is done, what it costs. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_VARIANT } from '../../plan/resolve.js';
import type { Plan } from '../../plan/types.js';
import { outputLayout } from '../../run/layout.js';
import { type CliContext, writeLine } from '../context.js';

interface PlanFlags {
  variant: string;
  json?: boolean;
  out: string;
  prices?: string;
}

/** Keys of the jobs whose verified clip is already in the output folder's clip store. */
function doneKeys(plan: Plan, outDir: string): Set<string> {
  const layout = outputLayout(outDir);
  return new Set(plan.jobs.filter((job) => existsSync(layout.storedClip(job.key))).map((job) => job.key));
}

export function registerPlan(program: Command, context: CliContext): void {
  program
    .command('plan')
    .description(
      'show the jobs a render would submit, their shots, what is already done and the estimated cost',
    )
    .argument('<file>', 'storyboard (YAML)')
    .option('--variant <name>', 'which variant to plan', DEFAULT_VARIANT)
    .option('--json', 'print the plan as one JSON object')
    .option('--out <dir>', 'output folder (to see which clips exist)', 'output')
    .option('--prices <file>', 'price table (YAML or JSON) for the estimate; or set STORYREEL_PRICES')
    .action(async (file: string, flags: PlanFlags) => {
      // Loaded when the command runs, not when the CLI starts (`storyreel --help` needs none of it).
      const [
        { costToGenerate, renderPlanTable },
        { planOrThrow },
        { resolvePriceTable },
        { loadStoryboard },
      ] = await Promise.all([
        import('../../plan/plan-table.js'),
        import('../../plan/planner.js'),
        import('../../plan/prices.js'),
        import('../../storyboard/load.js'),
      ]);
      const loaded = await loadStoryboard(file, { cwd: context.cwd });
      const prices = await resolvePriceTable({
        pricesFile: flags.prices,
        env: context.env,
        cwd: context.cwd,
      });
      const plan = planOrThrow(loaded, flags.variant, { prices });
      const done = doneKeys(plan, path.resolve(context.cwd, flags.out));
      if (flags.json) {
        const { jobs, ...rest } = plan;
        const json = {
          ...rest,
          jobs: jobs.map((job) => ({ ...job, done: done.has(job.key) })),
          costToGenerate: costToGenerate(plan, done),
          prices,
        };
        writeLine(context.stdout, JSON.stringify(json));
        return;
      }
      for (const line of renderPlanTable(plan, { done, prices, width: context.stdout.columns })) {
        writeLine(context.stdout, line);
      }
    });
}
