/** `storyreel cancel FILE`: cancels the batch's queued remote jobs; running ones cannot be and are listed. */

import type { Command } from 'commander';
import type { CancelReport } from '../../run/cancel.js';
import { type CliContext, writeLine } from '../context.js';
import { type BatchFlags, batchRequest, outOption, providerOption, variantOption } from '../options.js';

export function registerCancel(program: Command, context: CliContext): void {
  program
    .command('cancel')
    .description("cancel the batch's queued remote jobs (running ones cannot be cancelled)")
    .argument('<files...>', 'storyboards (YAML)')
    .addOption(variantOption('this variant (repeatable)'))
    .option('--all-variants', 'every variant of each storyboard')
    .addOption(outOption())
    .addOption(providerOption())
    .action(async (files: string[], flags: BatchFlags) => {
      // Loaded when the command runs, not when the CLI starts (`storyreel --help` needs none of it).
      const { cancelRender } = await import('../../run/cancel.js');
      const reports = await cancelRender({ ...batchRequest(files, flags, context), env: context.env });
      for (const line of describeCancel(reports)) writeLine(context.stdout, line);
      if (reports.some((report) => report.outcome === 'failed')) context.exitCode = 1;
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
