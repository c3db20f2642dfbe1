/** `storyreel cancel FILE`: cancels the batch's queued remote jobs; running ones cannot be and are listed. */

import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_PRICES } from '../../plan/prices.js';
import { cancelBatch } from '../../run/cancel.js';
import { Journal } from '../../run/journal/journal.js';
import { FileJournalStorage } from '../../run/journal/storage.js';
import { outputLayout } from '../../run/layout.js';
import { loadPlans } from '../../run/load-plans.js';
import { lockOutput } from '../../run/lock.js';
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
      const plans = await loadPlans({
        files,
        variants: flags.variant,
        allVariants: Boolean(flags.allVariants),
        prices: DEFAULT_PRICES,
        cwd: context.cwd,
      });
      const provider = createProvider(flags.provider, context.env);
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
