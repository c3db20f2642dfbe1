/**
 * `storyreel plan FILE`: the dry run. Every job, its shots and seconds, what is done, what it costs.
 * What is done, in flight and still to pay comes from the same inspection a render makes
 * (run/inspect.ts: journal and verified clips), so `plan` and `render --max-cost` agree.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { JobProgress } from '../../plan/plan-table.js';
import { inShard, type Shard } from '../../plan/shard.js';
import type { Plan } from '../../plan/types.js';
import type { ProviderName } from '../../providers/registry.js';
import { outputLayout } from '../../run/layout.js';
import { type CliContext, writeLine } from '../context.js';
import { providerOption, shardValue, variantOption } from '../options.js';

interface PlanFlags {
  variant: string[];
  allVariants?: boolean;
  json?: boolean;
  out: string;
  prices?: string;
  provider: ProviderName;
  shard?: Shard;
}

/**
 * Where each job of the plans stands in the output folder, by job key, in the provider's journal
 * (a preview's clips are not RunComfy's: `--provider preview` sees what a preview render made).
 */
async function inspectProgress(
  plans: Plan[],
  outDir: string,
  provider: ProviderName,
): Promise<Map<string, JobProgress>> {
  const [{ buildBatch }, { inspectBatch, progressOf }, { Journal }, { FileJournalStorage }, { verifyClip }] =
    await Promise.all([
      import('../../run/batch.js'),
      import('../../run/inspect.js'),
      import('../../run/journal/journal.js'),
      import('../../run/journal/storage.js'),
      import('../../media/verify.js'),
    ]);
  const layout = outputLayout(outDir);
  const inspections = await inspectBatch(buildBatch(plans, provider), {
    journal: new Journal(new FileJournalStorage(layout)),
    media: { verifyClip },
    storedClip: (id) => layout.storedClip(id),
  });
  return new Map(inspections.map((inspection) => [inspection.job.key, progressOf(inspection)]));
}

/** By the chosen take's job key: the take numbers of its scene whose clips are stored. */
async function storedTakes(
  plans: Plan[],
  outDir: string,
  provider: ProviderName,
): Promise<Map<string, number[]>> {
  const [{ scenesTakes }, { Journal }, { FileJournalStorage }] = await Promise.all([
    import('../../run/takes.js'),
    import('../../run/journal/journal.js'),
    import('../../run/journal/storage.js'),
  ]);
  const layout = outputLayout(outDir);
  const scenes = await scenesTakes(plans, {
    layout,
    journal: new Journal(new FileJournalStorage(layout)),
    provider,
  });
  const byKey = new Map<string, number[]>();
  for (const scene of scenes) {
    const chosen = scene.takes.find((take) => take.chosen)!;
    byKey.set(
      chosen.key,
      scene.takes.filter((take) => take.stored).map((take) => take.take),
    );
  }
  return byKey;
}

export function registerPlan(program: Command, context: CliContext): void {
  program
    .command('plan')
    .description(
      'show the jobs a render would submit, their shots, what is already done and the estimated cost',
    )
    .argument('<file>', 'storyboard (YAML)')
    .addOption(variantOption('which variant to plan (repeatable)'))
    .option('--all-variants', 'every variant of the storyboard')
    .option('--json', 'print the plan as one JSON object')
    .option('--out <dir>', 'output folder (to see which clips exist)', 'output')
    .addOption(providerOption('whose clips and journal to look at (a preview render: preview)'))
    .option('--prices <file>', 'price table (YAML or JSON) for the estimate; or set STORYREEL_PRICES')
    .option('--shard <k/n>', 'show how the distinct jobs split into N shards and what each costs', shardValue)
    .action(async (file: string, flags: PlanFlags) => {
      // Loaded when the command runs, not when the CLI starts (`storyreel --help` needs none of it).
      const [{ costToGenerate, isToPay, renderPlanTable }, { resolvePriceTable }, { loadPlans }] =
        await Promise.all([
          import('../../plan/plan-table.js'),
          import('../../run/price-file.js'),
          import('../../run/load-plans.js'),
        ]);
      const prices = await resolvePriceTable({
        pricesFile: flags.prices,
        env: context.env,
        cwd: context.cwd,
      });
      const plans = await loadPlans({
        files: [file],
        variants: flags.variant,
        allVariants: Boolean(flags.allVariants),
        prices,
        cwd: context.cwd,
      });
      const outDir = path.resolve(context.cwd, flags.out);
      const progress = await inspectProgress(plans, outDir, flags.provider);
      const takes = await storedTakes(plans, outDir, flags.provider);
      const allJobs = plans.flatMap((plan) => plan.jobs);
      // --shard K/N: every shard's distinct jobs and what is left to pay for them (CI budgets per shard).
      const shards = flags.shard
        ? Array.from({ length: flags.shard.count }, (_, index) => {
            const shard = { index: index + 1, count: flags.shard!.count };
            const jobs = allJobs.filter((job) => inShard(job.key, shard));
            return {
              shard: index + 1,
              jobs: new Set(jobs.map((job) => job.key)).size,
              costToGenerate: costToGenerate(jobs, progress),
            };
          })
        : undefined;
      if (flags.json) {
        const json = plans.map((plan) => {
          const { jobs, ...rest } = plan;
          return {
            ...rest,
            jobs: jobs.map((job) => ({
              ...job,
              done: progress.get(job.key)?.label === 'done',
              status: progress.get(job.key)?.label ?? 'new',
              toPay: isToPay(progress, job.key),
              takesStored: takes.get(job.key) ?? [],
            })),
            costToGenerate: costToGenerate(jobs, progress),
            prices,
          };
        });
        // One variant: the plan itself (as always); several: each plan, and the batch's total, in
        // which a job shared by variants is paid once.
        const body =
          json.length === 1
            ? json[0]
            : { plans: json, costToGenerate: costToGenerate(allJobs, progress), prices };
        const split = shards ? { shard: flags.shard!.index, shards } : {};
        writeLine(context.stdout, JSON.stringify({ ...body, ...split }));
        return;
      }
      for (const [index, plan] of plans.entries()) {
        if (index > 0) writeLine(context.stdout, '');
        for (const line of renderPlanTable(plan, {
          progress,
          prices,
          takes,
          width: context.stdout.columns,
        })) {
          writeLine(context.stdout, line);
        }
      }
      if (plans.length > 1) {
        const distinct = new Set(allJobs.map((job) => job.key));
        const toPay = [...distinct].filter((key) => isToPay(progress, key)).length;
        writeLine(
          context.stdout,
          `\nTogether: ${distinct.size} distinct jobs (a job shared by variants is paid once); ` +
            `$${costToGenerate(allJobs, progress).toFixed(2)} for the ${toPay} still to pay for.`,
        );
      }
      if (shards) {
        writeLine(context.stdout, `\nShards (--shard K/${shards.length}, by job key):`);
        for (const shard of shards) {
          const mark = shard.shard === flags.shard!.index ? '  <- this shard' : '';
          writeLine(
            context.stdout,
            `  ${shard.shard}/${shards.length}: ${shard.jobs} distinct job(s), $${shard.costToGenerate.toFixed(2)} to pay${mark}`,
          );
        }
      }
    });
}
