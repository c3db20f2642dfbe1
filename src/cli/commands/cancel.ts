/** `storyreel cancel FILE`: cancels the batch's queued remote jobs; running ones cannot be and are listed. */

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { MAX_TAKE } from '../../plan/takes.js';
import { createProvider, type ProviderName } from '../../providers/registry.js';
import type { CancelReport } from '../../run/cancel.js';
import { outputLayout } from '../../run/layout.js';
import { type CliContext, writeLine } from '../context.js';
import { outOption, providerOption, variantOption } from '../options.js';

interface CancelFlags {
  variant: string[];
  allVariants?: boolean;
  out: string;
  provider: ProviderName;
}

export function registerCancel(program: Command, context: CliContext): void {
  program
    .command('cancel')
    .description("cancel the batch's queued remote jobs (running ones cannot be cancelled)")
    .argument('<files...>', 'storyboards (YAML)')
    .addOption(variantOption('this variant (repeatable)'))
    .option('--all-variants', 'every variant of each storyboard')
    .addOption(outOption())
    .addOption(providerOption())
    .action(async (files: string[], flags: CancelFlags) => {
      // Loaded when the command runs, not when the CLI starts (`storyreel --help` needs none of it).
      const [
        { DEFAULT_PRICES },
        { buildBatch },
        { cancelBatch },
        { inspectBatch },
        { Journal },
        { FileJournalStorage },
        { loadPlans },
        { lockOutput },
        { verifyClip },
        { requireRenderFolder },
      ] = await Promise.all([
        import('../../plan/prices.js'),
        import('../../run/batch.js'),
        import('../../run/cancel.js'),
        import('../../run/inspect.js'),
        import('../../run/journal/journal.js'),
        import('../../run/journal/storage.js'),
        import('../../run/load-plans.js'),
        import('../../run/lock.js'),
        import('../../media/verify.js'),
        import('../../run/status.js'),
      ]);
      const plans = await loadPlans({
        files,
        variants: flags.variant,
        allVariants: Boolean(flags.allVariants),
        prices: DEFAULT_PRICES,
        cwd: context.cwd,
      });
      const layout = outputLayout(path.resolve(context.cwd, flags.out));
      await requireRenderFolder(layout);
      const provider = await createProvider(flags.provider, context.env);
      const lock = await lockOutput(layout, `storyreel cancel ${files.join(' ')}`);
      try {
        const journal = new Journal(new FileJournalStorage(layout));
        // Takes asked for by `render --takes N` are in no film, but may be queued remotely too.
        const journaled = new Set(await readdir(layout.jobsDir).catch(() => [] as string[]));
        const batch = buildBatch(plans, provider.name, {
          upTo: MAX_TAKE,
          scenes: [],
          keep: (id) => journaled.has(`${id}.json`),
        });
        const inspections = await inspectBatch(batch, {
          journal,
          media: { verifyClip },
          storedClip: (id) => layout.storedClip(id),
        });
        const reports = await cancelBatch(batch, inspections, provider, journal);
        for (const line of describeCancel(reports)) writeLine(context.stdout, line);
        if (reports.some((report) => report.outcome === 'failed')) context.exitCode = 1;
      } finally {
        await lock.release();
      }
    });
}

/** What was cancelled, and, as plainly, what was not and will be charged. */
export function describeCancel(reports: CancelReport[]): string[] {
  if (reports.length === 0) {
    return ['Nothing to cancel: no job of this batch has a request that may still be alive remotely.'];
  }
  const of = (outcome: CancelReport['outcome']) => reports.filter((report) => report.outcome === outcome);
  const charged = [...of('not_cancellable'), ...of('unknown_request'), ...of('failed')];
  const chargedUsd = charged.reduce((sum, report) => sum + report.estimatedUsd, 0);
  const lines = [
    `Cancelled ${of('cancelled').length} queued job(s) (not charged); could not cancel ${charged.length}: ` +
      `${of('not_cancellable').length} already generating or finished, ` +
      `${of('unknown_request').length} submitted with no known request id, ${of('failed').length} could not be asked.`,
  ];
  if (charged.length > 0) {
    lines.push(
      `Those ${charged.length} will be charged (estimated $${chargedUsd.toFixed(2)}); a render collects the ones it has a request id for.`,
    );
  }
  for (const report of reports) {
    const request = report.requestId ? ` [request ${report.requestId}]` : '';
    const why = report.message ? `: ${report.message}` : '';
    lines.push(`  ${report.scenes}${request}: ${report.outcome.replace('_', ' ')}${why}`);
  }
  return lines;
}
