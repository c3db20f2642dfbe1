/**
 * `storyreel plan FILE`: the dry run. Every job, its shots and seconds, what is done, what it costs
 * (run/dry-run.ts: the same inspection a render makes, so `plan` and `render --max-cost` agree).
 */
import type { Command } from 'commander';
import { inShard, type Shard } from '../../plan/shard.js';
import { type CliContext, writeLine } from '../context.js';
import { type BatchFlags, batchRequest, providerOption, shardValue, variantOption } from '../options.js';

interface PlanFlags extends BatchFlags {
  json?: boolean;
  prices?: string;
  shard?: Shard;
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
      const [{ costToGenerate, isToPay, renderPlanTable }, { dryRun }] = await Promise.all([
        import('../../plan/plan-table.js'),
        import('../../run/dry-run.js'),
      ]);
      const { plans, prices, progress, takes } = await dryRun({
        ...batchRequest([file], flags, context),
        prices: { file: flags.prices, env: context.env },
      });
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
