/** The end of a render in numbers: what the summary event carries and the human summary prints. */

import { ExitCode, type StoryreelError } from '../errors.js';
import { addMoney } from '../job/money.js';
import { providerLabel } from '../providers/provider.js';
import type { FilmReport } from '../report/types.js';
import type { SummaryEvent } from './events.js';
import type { JobCharges } from './ledger.js';
import type { RunResult } from './runner.js';
import { type JobOutcome, MISSING_KIND } from './runner-types.js';

export interface BatchSummary {
  event: Omit<SummaryEvent, 'type' | 'at'>;
  /** Jobs that failed, timed out or were cancelled, for the human summary. */
  failures: JobOutcome[];
  /** Jobs still running remotely whose request ids are kept. */
  inFlight: JobOutcome[];
  /** --no-submit: jobs not in the store, not sent (their films are not joined). */
  missing: JobOutcome[];
  stoppedBy?: StoryreelError;
}

export interface SummariseInput {
  provider: { name: string; label?: string; free?: boolean };
  run: RunResult;
  reports: { variantDir: string; report: FilmReport }[];
  interrupted: boolean;
  startedAt: Date;
  resumeCommand?: string;
  /** Every distinct job of the batch, with what this run and every run so far paid for it. */
  charges: JobCharges[];
  /** `render --takes N`: N (the batch's extra takes are the jobs marked extraTake). */
  takesUpTo?: number;
  /** `--shard K/N`: this run generated shard K's jobs of the `of` distinct jobs, and joined no film. */
  shard?: { index: number; count: number; of: number };
}

export function summarise(input: SummariseInput): BatchSummary {
  const { outcomes } = input.run;
  const count = (...results: JobOutcome['result'][]) =>
    outcomes.filter((o) => results.includes(o.result)).length;
  // A shard has no films: it is complete when every job of its shard is verified.
  const complete = input.shard
    ? outcomes.every((o) => o.result === 'reused' || o.result === 'generated')
    : input.reports.every(({ report }) => report.status === 'complete');
  const outcome: SummaryEvent['outcome'] = input.interrupted
    ? 'interrupted'
    : input.run.stoppedBy
      ? 'stopped'
      : complete
        ? 'complete'
        : 'incomplete';
  // A stopped batch is never a success, even with nothing left to do (a lost lock skips the films).
  const exitCode = input.interrupted
    ? ExitCode.interrupted
    : complete && !input.run.stoppedBy
      ? ExitCode.ok
      : ExitCode.sceneFailed;
  // What this run paid is what it submitted; a job it only collected was paid by the run that
  // submitted it, and counts in the batch's cost so far.
  const thisRun = addMoney(...input.charges.map((charges) => charges.thisRun));
  const soFar = addMoney(...input.charges.map((charges) => charges.allRuns));
  const event: BatchSummary['event'] = {
    provider: input.provider.name,
    providerLabel: providerLabel(input.provider),
    free: input.provider.free === true,
    outcome,
    exitCode,
    films: input.reports.map(({ variantDir, report }) => ({
      storyboard: report.storyboard,
      variant: report.variant,
      status: report.status,
      ...(report.film ? { path: `${variantDir}/${report.film.path}` } : {}),
      ...(report.filmError ? { error: report.filmError.message } : {}),
    })),
    jobs: {
      total: outcomes.length,
      reused: count('reused'),
      generated: count('generated'),
      failed: count('failed'),
      timedOut: count('timed_out'),
      cancelled: count('cancelled'),
      inFlight: count('in_flight'),
      notStarted: count('not_started'),
    },
    submitted: outcomes.reduce((sum, o) => sum + o.submitted, 0),
    estimatedCostUsd: thisRun.estimatedUsd,
    ...(thisRun.reported > 0 ? { actualCostUsd: thisRun.reportedUsd } : {}),
    cost: { thisRun, soFar },
    ...(input.takesUpTo !== undefined ? { takes: takesSummary(input, input.takesUpTo) } : {}),
    ...(exitCode !== ExitCode.ok && input.resumeCommand ? { resumeCommand: input.resumeCommand } : {}),
    ...(input.shard ? { shard: input.shard } : {}),
    elapsedSec: Math.round((Date.now() - input.startedAt.getTime()) / 100) / 10,
  };
  return {
    event,
    failures: outcomes.filter(
      (o) => o.result === 'failed' || o.result === 'timed_out' || o.result === 'cancelled',
    ),
    inFlight: outcomes.filter((o) => o.result === 'in_flight'),
    missing: outcomes.filter((o) => o.error?.kind === MISSING_KIND),
    ...(input.run.stoppedBy ? { stoppedBy: input.run.stoppedBy } : {}),
  };
}

/** What `--takes N` added to the batch: the takes no film uses, generated for comparison. */
function takesSummary(input: SummariseInput, upTo: number): NonNullable<SummaryEvent['takes']> {
  const extra = input.charges.filter((charges) => charges.job.extraTake);
  const ids = new Set(extra.map((charges) => charges.job.id));
  const stored = input.run.outcomes.filter(
    (o) => ids.has(o.job.id) && (o.result === 'generated' || o.result === 'reused'),
  ).length;
  return { upTo, jobs: extra.length, stored, thisRun: addMoney(...extra.map((charges) => charges.thisRun)) };
}
