/** `storyreel cancel FILE`: cancels the batch's queued remote jobs; running ones cannot be and are listed. */

import path from 'node:path';
import type { Command } from 'commander';
import { outputLayout } from '../../run/layout.js';
import { createProvider, type ProviderName } from '../../run/providers.js';
import { type CliContext, writeLine } from '../context.js';
import { collect, outOption, providerOption } from './render.js';

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
    .option('--variant <name>', 'this variant (repeatable; default: default)', collect, [])
    .option('--all-variants', 'every variant of each storyboard')
    .addOption(outOption())
    .addOption(providerOption())
    .action(async (files: string[], flags: CancelFlags) => {
      // Loaded when the command runs, not when the CLI starts (`storyreel --help` needs none of it).
      const [
        { DEFAULT_PRICES },
        { cancelBatch },
        { Journal },
        { FileJournalStorage },
        { loadPlans },
        { lockOutput },
      ] = await Promise.all([
        import('../../plan/prices.js'),
        import('../../run/cancel.js'),
        import('../../run/journal/journal.js'),
        import('../../run/journal/storage.js'),
        import('../../run/load-plans.js'),
        import('../../run/lock.js'),
      ]);
      const plans = await loadPlans({
        files,
        variants: flags.variant,
        allVariants: Boolean(flags.allVariants),
        prices: DEFAULT_PRICES,
        cwd: context.cwd,
      });
      const provider = await createProvider(flags.provider, context.env);
      const layout = outputLayout(path.resolve(context.cwd, flags.out));
      const lock = await lockOutput(layout, `storyreel cancel ${files.join(' ')}`);
      try {
        const reports = await cancelBatch(plans, provider, new Journal(new FileJournalStorage(layout)));
        const count = (outcome: string) => reports.filter((report) => report.outcome === outcome).length;
        if (reports.length === 0) {
          writeLine(context.stdout, 'Nothing to cancel: no job of this batch is waiting remotely.');
          return;
        }
        writeLine(
          context.stdout,
          `Cancelled ${count('cancelled')} queued job(s); ${count('not_cancellable')} already running (cannot be cancelled, and are paid: a render collects them); ${count('failed')} could not be asked.`,
        );
        for (const report of reports) {
          const why = report.message ? `: ${report.message}` : '';
          writeLine(
            context.stdout,
            `  ${report.scenes} [request ${report.requestId}]: ${report.outcome.replace('_', ' ')}${why}`,
          );
        }
        if (count('failed') > 0) context.exitCode = 1;
      } finally {
        await lock.release();
      }
    });
}
