/**
 * The money of a batch as an accountant keeps it: one line per submission that may have created a job
 * on the provider (and so be charged), each attributed to exactly one film, the first that needed the
 * job. Every total storyreel shows (per variant, per run, the index, the summary) is a sum of these
 * lines, so shared jobs are never counted twice and every figure traces back to requests the provider
 * saw. Pure: built from the batch and the journal records.
 */

import { addMoney, type Money } from '../job/money.js';
import type { JobRecord, Submission } from '../job/record.js';
import type { BatchJob, JobUse } from './batch.js';

/** What one distinct job of the batch cost, in this run and in every run so far. */
export interface JobCharges {
  job: BatchJob;
  /** The film this job's payments are attributed to: the first use in the batch. */
  payer: JobUse;
  thisRun: Money;
  allRuns: Money;
}

/**
 * A refused submission created nothing. Every other one (accepted, answer lost, later forgotten by
 * the provider, or a POST whose answer never came) may be a job the provider charges for.
 */
export function chargeable(submission: Submission): boolean {
  return submission.outcome !== 'refused';
}

/**
 * The cost the provider reported for the job one submission created. Records written before costs
 * were kept per submission hold only the latest job's cost, under the record's request id.
 */
export function reportedCostOf(record: JobRecord, submission: Submission): number | undefined {
  if (submission.costUsd !== undefined) return submission.costUsd;
  if (submission.requestId !== null && submission.requestId === record.requestId) return record.cost.actual;
  return undefined;
}

export function chargesOf(job: BatchJob, record: JobRecord | undefined, runId: string): JobCharges {
  const submissions = (record?.submissions ?? []).filter(chargeable);
  const sum = (list: Submission[]): Money =>
    addMoney(
      ...list.map((submission) => {
        const reported = record ? reportedCostOf(record, submission) : undefined;
        return {
          jobs: 1,
          estimatedUsd: job.planned.cost,
          reportedUsd: reported ?? 0,
          reported: reported === undefined ? 0 : 1,
        };
      }),
    );
  return {
    job,
    payer: job.uses[0]!,
    thisRun: sum(submissions.filter((submission) => submission.runId === runId)),
    allRuns: sum(submissions),
  };
}

/** Is `use` the film (and scene) a job's payments are attributed to? */
export function isPayer(charges: JobCharges, use: Pick<JobUse, 'storyboard' | 'variant' | 'index'>): boolean {
  const { payer } = charges;
  return payer.storyboard === use.storyboard && payer.variant === use.variant && payer.index === use.index;
}
