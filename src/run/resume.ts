/**
 * What a render does with each job, given what the journal and the clip store say. Pure: the I/O that
 * gathers the inputs lives in inspect.ts. These rules are how "never pay twice" survives reruns.
 */

import type { JobRecord } from '../job/record.js';
import { REMOTE_STATES } from '../job/state.js';

export type SubmitReason =
  /** Never submitted (or only journaled as planned). */
  | 'new'
  /** Failed remotely (generation failed, rejected, request id unknown to the provider). */
  | 'failed'
  | 'cancelled'
  /** A POST was sent but its answer was lost: it may have been paid for. Submitting is the only way on. */
  | 'maybe_submitted'
  /** --rerender asked for it. */
  | 'rerender'
  /** Was verified, but the clip is gone from the store and no request id is known to fetch it again. */
  | 'clip_lost';

export type PollReason = 'in_flight' | 'timed_out' | 'interrupted_download' | 'failed_locally';

/**
 * Which clip the store holds for a job: `recorded` is the one the journal record describes (verified
 * earlier; during a re-render, the clip being replaced); `unrecorded` is a verified clip the record does
 * not describe yet, so it came from the record's latest request (the process died between renaming it
 * into the store and journaling it).
 */
export type StoredClip = 'none' | 'recorded' | 'unrecorded';

export type Decision =
  | { action: 'reuse'; clip: Exclude<StoredClip, 'none'> }
  | { action: 'refetch'; requestId: string }
  | { action: 'poll'; requestId: string; reason: PollReason }
  | { action: 'submit'; reason: SubmitReason };

/**
 * Errors that are the provider's verdict on the job itself: the same request id will never give a
 * clip, so the job must be submitted again. Anything else (a lost connection, a download that failed
 * verification, our own deadline) leaves a request id worth asking again before paying anew.
 */
const REMOTE_VERDICTS = new Set(['generation', 'rejected', 'not_found', 'cancelled', 'auth', 'balance']);

export interface DecisionInput {
  record: JobRecord | undefined;
  /** What the store holds for this job, checked just now (see StoredClip). */
  storedClip: StoredClip;
  rerender: boolean;
}

/**
 * A request that was paid for and may still give a clip always wins over the clip it replaces: an
 * interrupted `--rerender` is collected, never answered with the old clip. With `--rerender`, only a
 * request still in flight is collected (it is the new clip asked for); a timed-out or locally failed
 * one is given up for a new submission, as the timeout message says.
 */
export function decide({ record, storedClip, rerender }: DecisionInput): Decision {
  const fromRecord = decideFromRecord(record);
  if (fromRecord.action === 'poll') {
    const inFlight = fromRecord.reason === 'in_flight' || fromRecord.reason === 'interrupted_download';
    if (rerender ? inFlight : storedClip !== 'unrecorded') return fromRecord;
  }
  if (rerender) {
    return record?.state === 'submitting' && !record.requestId
      ? { action: 'submit', reason: 'maybe_submitted' }
      : { action: 'submit', reason: 'rerender' };
  }
  // Clips reach the store only after verification (download, check, rename), so a good clip is done
  // even when the process died before journaling "verified".
  if (storedClip !== 'none') return { action: 'reuse', clip: storedClip };
  return fromRecord;
}

/** What the journal alone says to do, with no clip in the store. */
function decideFromRecord(record: JobRecord | undefined): Decision {
  if (!record) return { action: 'submit', reason: 'new' };
  const { requestId } = record;
  switch (record.state) {
    case 'planned':
      return { action: 'submit', reason: 'new' };
    case 'submitting':
      return requestId
        ? { action: 'poll', requestId, reason: 'in_flight' }
        : { action: 'submit', reason: 'maybe_submitted' };
    case 'verified':
      return requestId ? { action: 'refetch', requestId } : { action: 'submit', reason: 'clip_lost' };
    case 'cancelled':
      return { action: 'submit', reason: 'cancelled' };
    case 'timed_out':
      return requestId
        ? { action: 'poll', requestId, reason: 'timed_out' }
        : { action: 'submit', reason: 'failed' };
    case 'failed':
      if (requestId && !REMOTE_VERDICTS.has(record.error?.kind ?? '')) {
        return { action: 'poll', requestId, reason: 'failed_locally' };
      }
      return { action: 'submit', reason: 'failed' };
    default:
      if (REMOTE_STATES.has(record.state) && requestId) {
        return {
          action: 'poll',
          requestId,
          reason: record.state === 'downloading' ? 'interrupted_download' : 'in_flight',
        };
      }
      return { action: 'submit', reason: 'new' };
  }
}
