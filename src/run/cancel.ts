/**
 * `storyreel cancel`: asks the provider to cancel every job of the batch that still has a live request
 * id. Queued jobs are cancelled (and journaled so, so a rerun submits them anew); jobs already
 * generating cannot be cancelled and are reported (they are paid; a rerun collects them).
 */
import { ProviderError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import type { CancelOutcome, VideoProvider } from '../providers/provider.js';
import { buildBatch, jobLabel } from './batch.js';
import { REMOTE_STATES } from './job-state.js';
import type { Journal } from './journal/journal.js';

export interface CancelReport {
  scenes: string;
  requestId: string;
  outcome: CancelOutcome | 'failed';
  message?: string;
}

export async function cancelBatch(
  plans: Plan[],
  provider: VideoProvider,
  journal: Journal,
): Promise<CancelReport[]> {
  const reports: CancelReport[] = [];
  for (const job of buildBatch(plans, provider.name).jobs) {
    const record = await journal.get(job.id);
    const live = record?.requestId && (REMOTE_STATES.has(record.state) || record.state === 'submitting');
    if (!record?.requestId || !live) continue;
    const { requestId } = record;
    let outcome: CancelOutcome;
    try {
      outcome = await provider.cancel(requestId);
    } catch (error) {
      if (error instanceof ProviderError && error.fatalForBatch) throw error;
      reports.push({
        scenes: jobLabel(job),
        requestId,
        outcome: 'failed',
        message: (error as Error).message,
      });
      continue;
    }
    if (outcome === 'cancelled') {
      await journal.transition(job.id, 'cancelled', 'cancelled by storyreel cancel', (r) => {
        r.error = { kind: 'cancelled', message: 'cancelled by storyreel cancel' };
      });
    }
    reports.push({ scenes: jobLabel(job), requestId, outcome });
  }
  return reports;
}
