/**
 * One journal record per distinct job (a job key), shared by every variant and storyboard rendered
 * into the same output folder. It is the only memory of what was paid for, so it keeps the whole
 * history: every submission attempt, every transition, the last remote state and the last error.
 */
import { JournalCorruptError, type ProviderErrorKind } from '../errors.js';
import type { KlingRequest } from '../plan/types.js';
import { JOB_STATES, type JobState } from './state.js';

export const RECORD_VERSION = 1;

/**
 * What became of one POST:
 * - `pending`: the intent is on disk and the POST was sent (or was about to be); no answer seen.
 * - `accepted`: the provider answered with a request id.
 * - `ambiguous`: the answer was lost; the job may exist (and be paid for).
 * - `refused`: the provider answered with an error; nothing was created.
 * - `not_found`: accepted earlier, but the provider no longer knows the request id.
 */
export type SubmissionOutcome = 'pending' | 'accepted' | 'ambiguous' | 'refused' | 'not_found';

export interface Submission {
  /** null while unknown: the answer never arrived (or has not yet). */
  requestId: string | null;
  /** When the intent was written, before the POST waited for the client's rate limiter. */
  at: string;
  /** When the POST actually left (its last attempt) and when its answer came; absent if never. */
  sentAt?: string;
  answeredAt?: string;
  outcome: SubmissionOutcome;
  /** Which run sent it, to tell "submitted by this run" from "found on resume". */
  runId: string;
  /** What the provider reported the job it created cost, once collected (see run/ledger.ts). */
  costUsd?: number;
}

export interface Transition {
  state: JobState;
  at: string;
  detail?: string;
}

/**
 * Why a job stopped. `kind` is a ProviderErrorKind, or `media` (the clip failed verification),
 * `timeout` (past the job's deadline), `cancelled` (cancelled remotely).
 */
/**
 * What a record's last error was: the provider's kind of error (see ProviderErrorKind), or one of the
 * runner's own: no clip before the deadline, cancelled remotely, a clip that failed verification, a
 * media tool that cannot run, a job --no-submit found missing from the store, or a bug.
 */
export type RecordedErrorKind =
  | ProviderErrorKind
  | 'timeout'
  | 'cancelled'
  | 'media'
  | 'tool'
  | 'missing'
  | 'internal';

export interface RecordedError {
  kind: RecordedErrorKind;
  message: string;
  raw?: unknown;
}

export interface JobRecord {
  version: typeof RECORD_VERSION;
  /** The journal id: the job key, with the provider as prefix but for RunComfy (see jobId, providers/registry.ts). */
  id: string;
  key: string;
  provider: string;
  model: string;
  payload: KlingRequest;
  /**
   * Which generation of the payload this job is (see jobKey): a retake sends the same payload under
   * another key. Records written before takes existed lack it: they are take 1.
   */
  take?: number;
  state: JobState;
  requestId?: string;
  submissions: Submission[];
  transitions: Transition[];
  /** The provider's last answer about the job; `raw` keeps the body of a status we did not know. */
  remote?: { state: string; queuePosition?: number; at: string; raw?: unknown };
  error?: RecordedError;
  cost: { estimated: number; actual?: number };
  /**
   * The verified clip in the store: `sha256` computed once when it was verified, `requestId` the
   * request it came from (both absent in older journals). It stays while a re-render is under way:
   * until the new clip replaces it, it is what the store holds.
   */
  clip?: { bytes: number; durationSec: number; sha256?: string; requestId?: string };
}

export function newRecord(input: {
  id: string;
  key: string;
  provider: string;
  model: string;
  payload: KlingRequest;
  take?: number;
  estimatedCost: number;
}): JobRecord {
  return {
    version: RECORD_VERSION,
    id: input.id,
    key: input.key,
    provider: input.provider,
    model: input.model,
    payload: input.payload,
    take: input.take ?? 1,
    state: 'planned',
    submissions: [],
    transitions: [],
    cost: { estimated: input.estimatedCost },
  };
}

/** Submissions that may have created a paid job whose request id we never learnt. */
export function unansweredSubmissions(record: JobRecord): Submission[] {
  return record.submissions.filter((s) => s.requestId === null && s.outcome !== 'refused');
}

/**
 * Parses a record read from `where`. Anything unexpected is corruption: a record that cannot be read
 * may describe a paid job, so it is never taken as "nothing done yet".
 */
export function parseRecord(text: string, where: string, expectedId: string): JobRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(where, `it is not valid JSON (${(error as Error).message})`);
  }
  const problem = recordProblem(value, expectedId);
  if (problem) throw corrupt(where, problem);
  return value as JobRecord;
}

function recordProblem(value: unknown, expectedId: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  const record = value as Partial<JobRecord>;
  if (record.version !== RECORD_VERSION)
    return `its version is ${JSON.stringify(record.version)}, expected 1`;
  if (record.id !== expectedId) return `it is for job ${JSON.stringify(record.id)}, not ${expectedId}`;
  if (typeof record.key !== 'string' || typeof record.model !== 'string') return 'key or model is missing';
  if (typeof record.payload !== 'object' || record.payload === null) return 'payload is missing';
  if (!JOB_STATES.includes(record.state as JobState))
    return `state ${JSON.stringify(record.state)} is unknown`;
  if (record.requestId !== undefined && typeof record.requestId !== 'string')
    return 'requestId is not a string';
  if (!Array.isArray(record.submissions) || !Array.isArray(record.transitions)) {
    return 'submissions or transitions are missing';
  }
  if (record.take !== undefined && !(Number.isInteger(record.take) && record.take >= 1))
    return `take ${JSON.stringify(record.take)} is not a whole number from 1`;
  if (typeof record.cost?.estimated !== 'number') return 'cost.estimated is missing';
  return undefined;
}

function corrupt(where: string, problem: string): JournalCorruptError {
  return new JournalCorruptError(
    `the journal record ${where} cannot be read: ${problem}.\n` +
      'It may describe a job that was already paid for, so storyreel stopped rather than guess. ' +
      'Restore it (for example from your CI cache), or, if you accept that its scene may be paid for again, ' +
      'move the file away and rerun.',
  );
}
