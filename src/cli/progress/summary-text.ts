/** The human summary at the end of a render: what exists now, what failed and why, what to run next. */

import type { Money } from '../../job/money.js';
import { jobLabel, jobVariants } from '../../run/batch.js';
import type { SummaryEvent } from '../../run/events.js';
import type { BatchSummary } from '../../run/summary.js';
import { usd } from './describe.js';

export function formatSummary(summary: BatchSummary): string[] {
  const { event } = summary;
  const lines: string[] = [];
  const written = event.films.filter((film) => film.path);
  const headline = {
    complete: `Done in ${event.elapsedSec} s.`,
    incomplete: event.films.some((film) => film.error && film.status === 'incomplete')
      ? `Finished in ${event.elapsedSec} s, with a film not made.`
      : `Finished in ${event.elapsedSec} s, with scenes missing.`,
    interrupted: `Interrupted after ${event.elapsedSec} s. State is saved.`,
    stopped: `Stopped after ${event.elapsedSec} s: no more submissions.`,
  }[event.outcome];
  lines.push(headline);
  if (event.shard) {
    const { index, count, of } = event.shard;
    lines.push(
      `  shard ${index}/${count}: ${event.jobs.total} of the ${of} distinct jobs; no film joined (merge the shards' output folders with storyreel merge, then render --no-submit).`,
    );
  }
  if (summary.stoppedBy) lines.push(`  ${summary.stoppedBy.message}`);
  for (const film of written) lines.push(`  film: ${film.path}`);
  const failed = event.films.filter((film) => !film.path && film.error);
  for (const film of failed) {
    lines.push(`  film not made: ${film.storyboard}/${film.variant}: ${film.error}`);
  }
  if (failed.length > 0) {
    lines.push(
      '  Every clip is kept (and any earlier film.mp4); fix the cause and run the same command again: it makes the film and pays nothing.',
    );
  }
  const missing = event.films.filter((film) => !film.path && !film.error);
  if (missing.length > 0) {
    lines.push(`  not joined yet: ${missing.map((film) => `${film.storyboard}/${film.variant}`).join(', ')}`);
  }

  const { jobs } = event;
  const parts = [
    `${jobs.generated} generated`,
    `${jobs.reused} reused`,
    jobs.failed && `${jobs.failed} failed`,
    jobs.timedOut && `${jobs.timedOut} timed out`,
    jobs.cancelled && `${jobs.cancelled} cancelled`,
    jobs.inFlight && `${jobs.inFlight} still running remotely (request ids kept)`,
    jobs.notStarted && `${jobs.notStarted} not submitted`,
  ].filter(Boolean);
  lines.push(`Jobs: ${jobs.total} distinct: ${parts.join(', ')}; ${event.submitted} submission(s) sent.`);
  if (event.takes) lines.push(takesLine(event.takes, event.free));
  for (const failure of summary.failures) {
    const request = failure.requestId ? ` [request ${failure.requestId}]` : '';
    const where = jobVariants(failure.job).join(', ');
    // The error that stopped the batch is printed once, above; its job only points at it.
    const message =
      summary.stoppedBy && failure.error?.message === summary.stoppedBy.message
        ? 'the reason above'
        : (failure.error?.message ?? '');
    lines.push(
      `  ${jobLabel(failure.job)} (${where}): ${failure.result.replace('_', ' ')}: ${message}${request}`,
    );
  }
  if (summary.missing.length > 0) {
    lines.push(`Missing (not in the store; --no-submit sent nothing): ${summary.missing.length} job(s):`);
    for (const missing of summary.missing) {
      lines.push(
        `  ${jobLabel(missing.job)} (${jobVariants(missing.job).join(', ')}) [job ${missing.job.key.slice(0, 12)}]`,
      );
    }
  }
  lines.push(...costLines(event));

  if (event.resumeCommand) {
    const why =
      event.outcome === 'interrupted'
        ? 'To resume (jobs still running remotely are collected, not paid again):'
        : summary.missing.length > 0
          ? 'Once the missing jobs are in the store (storyreel merge), run again; without --no-submit it pays for them:'
          : 'To retry what is missing (finished clips are kept; failed scenes are submitted again):';
    lines.push(why, `  ${event.resumeCommand}`);
    const failedScenes = summary.failures.filter(
      (f) => f.result !== 'timed_out' && f.error?.kind === 'media',
    );
    if (failedScenes.length > 0) {
      lines.push(
        `A clip that fails verification again can be paid for anew with --rerender ${failedScenes[0]!.job.uses[0]!.scene}.`,
      );
    }
  }
  return lines;
}

/**
 * What this run paid (the jobs it submitted), then what the batch has cost so far (every run's
 * submissions for its jobs): a resume that only collects paid nothing, whatever it collected.
 */
function costLines(event: Omit<SummaryEvent, 'type' | 'at'>): string[] {
  const { thisRun, soFar } = event.cost;
  if (event.free) {
    return [
      `Cost of this run: nothing (${event.providerLabel} is free); at the price table its ${thisRun.jobs} submission(s) would cost about ${usd(thisRun.estimatedUsd)}.`,
    ];
  }
  const reported = (money: Money) =>
    money.reported === 0
      ? `not reported by ${event.providerLabel} yet`
      : `${usd(money.reportedUsd)} reported by ${event.providerLabel}${money.reported < money.jobs ? ` for ${money.reported} of them` : ''}`;
  const paid =
    thisRun.jobs === 0
      ? 'This run paid nothing: it submitted no job.'
      : `This run paid for ${thisRun.jobs} job(s): estimated ${usd(thisRun.estimatedUsd)}; ${reported(thisRun)}.`;
  const lines = [paid];
  if (soFar.jobs !== thisRun.jobs) {
    lines.push(
      `The batch so far: ${soFar.jobs} paid job(s), estimated ${usd(soFar.estimatedUsd)}; ${reported(soFar)}.`,
    );
  }
  return lines;
}

/** `--takes N`: how many comparison takes exist now and what generating them cost this run. */
function takesLine(takes: NonNullable<SummaryEvent['takes']>, free: boolean): string {
  const paid = takes.thisRun.jobs;
  const cost = free
    ? 'free (preview)'
    : paid === 0
      ? 'nothing paid this run'
      : `${paid} paid this run, estimated ${usd(takes.thisRun.estimatedUsd)}` +
        (takes.thisRun.reported > 0 ? `, ${usd(takes.thisRun.reportedUsd)} reported` : '');
  return (
    `Takes 1..${takes.upTo}: ${takes.stored} of ${takes.jobs} other take(s) stored beside the films' own (${cost}); ` +
    'the films keep their chosen takes. Compare them with `storyreel takes FILE` or in report.html.'
  );
}
