/**
 * Sending the one request that costs money. The order of writes is what makes "never pay twice"
 * possible without an idempotency key:
 *   1. the intent (state `submitting`, a submission with no request id) is on disk BEFORE the POST;
 *   2. the request id is on disk (state `queued`) as soon as the POST answers, before anything else.
 * A crash between 1 and 2 leaves a record that a rerun reports as "may have been submitted".
 */
import { JournalWriteError, ProviderError } from '../errors.js';
import type { JobRecord, RecordedError, Submission } from '../job/record.js';
import { providerLabel } from '../providers/provider.js';
import { type JobContext, recordedError } from './job-context.js';
import { type JobOutcome, MISSING_KIND } from './runner-types.js';

const URGENT = { urgent: true } as const;

/** `sentAtMs`: when the POST left (Date.now()), where the job's time on the provider begins. */
export type SubmitResult = { requestId: string; sentAtMs: number } | { outcome: JobOutcome };

export async function submitJob(context: JobContext): Promise<SubmitResult> {
  // Checked here, where every path to a paid request goes through, so no fallback can pay.
  if (context.options.noSubmit) {
    return {
      outcome: context.outcome('not_started', {
        kind: MISSING_KIND,
        message: 'not in the store, and --no-submit sends nothing',
      }),
    };
  }
  const answered = (await context.control.turnToSubmit?.()) ?? (() => {});
  try {
    return await sendSubmission(context);
  } finally {
    answered();
  }
}

async function sendSubmission(context: JobContext): Promise<SubmitResult> {
  if (!context.control.submissionsAllowed()) return { outcome: context.outcome('not_started') };
  const { journal, provider } = context.deps;
  const submission: Submission = {
    requestId: null,
    at: context.now(),
    outcome: 'pending',
    runId: context.options.runId,
  };
  // Both writes that guard the money are urgent: the slot the provider just freed stands idle until
  // the intent is on disk, and the batch's other first submits wait for the first request id.
  await journal.transition(
    context.id,
    'submitting',
    undefined,
    (record) => {
      keepReportedCost(record);
      record.submissions.push(submission);
      delete record.requestId;
      delete record.error;
      delete record.remote;
      // record.clip stays: it describes the clip still in the store (the one a re-render replaces),
      // which tells it apart from the new one on resume (resume.ts).
    },
    URGENT,
  );
  context.requestId = undefined;
  context.submitted += 1;
  context.emitState('submitting');

  let requestId: string;
  // Kept in memory and journaled with the answer: one more write before the POST would slow every
  // submit, and the intent already protects the money.
  const sent: Pick<Submission, 'sentAt'> = {};
  let sentAtMs = Date.now();
  try {
    // No abort signal: once sent, the answer carries the request id of a paid job and must be kept.
    const firstUse = context.job.uses[0];
    ({ requestId } = await provider.submit(
      {
        model: context.job.model,
        payload: context.job.planned.payload,
        ...(firstUse ? { scene: { id: firstUse.scene, number: firstUse.index + 1 } } : {}),
        ...context.takeField,
      },
      {
        onSent: () => {
          sent.sentAt = context.now();
          sentAtMs = Date.now();
        },
      },
    ));
  } catch (error) {
    return { outcome: await submitFailed(context, error, sent) };
  }
  const answeredAt = context.now();
  context.requestId = requestId;
  await journal
    .transition(
      context.id,
      'queued',
      `request ${requestId}`,
      (record) => {
        record.requestId = requestId;
        settle(record, { requestId, outcome: 'accepted', ...sent, answeredAt });
      },
      URGENT,
    )
    .catch((error: unknown) => {
      if (!(error instanceof JournalWriteError)) throw error;
      // The one copy of a paid job's id is in memory: say it before stopping.
      throw new JournalWriteError(
        `${error.message}\n${providerLabel(context.deps.provider)} accepted ${context.scenes.join(', ')} as request ${requestId}, which could not be recorded: note it.`,
        { cause: error.cause },
      );
    });
  context.emitState('queued');
  return { requestId, sentAtMs };
}

async function submitFailed(
  context: JobContext,
  error: unknown,
  sent: Pick<Submission, 'sentAt'>,
): Promise<JobOutcome> {
  const recorded = recordedError(error);
  const definitelyRefused = error instanceof ProviderError && error.kind !== 'ambiguous';
  if (!definitelyRefused) {
    // The POST may have reached the provider: the job may exist and be paid for. The record stays in
    // `submitting` with no request id, exactly like a crash mid-POST, so every rerun reports it.
    const ambiguous: RecordedError = { ...recorded, kind: 'ambiguous' };
    await context.deps.journal.update(context.id, (record) => {
      record.error = ambiguous;
      settle(record, { requestId: null, outcome: 'ambiguous', ...sent });
    });
    context.warn(
      'may_have_been_submitted',
      `${context.scenes.join(', ')}: the answer to its submission was lost; the job may have been created and paid for. ` +
        'This run does not submit it again; the next render does, and says so.',
    );
    context.deps.emit({
      type: 'failed',
      at: context.now(),
      job: context.job.key,
      scenes: context.scenes,
      ...context.takeField,
      variants: context.variants,
      state: 'failed',
      error: { kind: 'ambiguous', message: ambiguous.message },
    });
    return context.outcome('failed', ambiguous);
  }
  if ((error as ProviderError).fatalForBatch) {
    context.control.stopBatch(error as ProviderError, context.job.key);
  }
  return context.fail('failed', recorded, (record) =>
    settle(record, { requestId: null, outcome: 'refused', ...sent, answeredAt: context.now() }),
  );
}

/**
 * `cost.actual` describes the job of the current request id; a new submission makes it history, kept
 * on the submission that paid it (records written before costs were kept per submission).
 */
function keepReportedCost(record: JobRecord): void {
  const actual = record.cost.actual;
  if (actual === undefined) return;
  const paid = record.submissions.find((s) => s.requestId !== null && s.requestId === record.requestId);
  if (paid && paid.costUsd === undefined) paid.costUsd = actual;
  delete record.cost.actual;
}

/** Settles the latest submission, the one whose intent was written before the POST. */
function settle(
  record: JobRecord,
  answer: Pick<Submission, 'requestId' | 'outcome' | 'sentAt' | 'answeredAt'>,
): void {
  const latest = record.submissions.at(-1);
  if (latest) Object.assign(latest, answer);
}
