/**
 * A job's life. The journal records these transitions, the live display renders them, the report
 * summarises them: one source, three views.
 *
 *   planned -> submitting -> queued -> generating -> downloading -> verified
 *                  |            |           |             |
 *                  +------------+-----------+-------------+--> failed | cancelled | timed_out
 *
 * `submitting` is written before the POST: found on resume without a request id, it means
 * "may have been submitted" (the answer was lost), never silently "not submitted".
 */
export const JOB_STATES = [
  'planned',
  'submitting',
  'queued',
  'generating',
  'downloading',
  'verified',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type JobState = (typeof JOB_STATES)[number];

// No table of allowed transitions: a resume rightly leaves every end state (a failed or timed-out
// job is polled again by its request id, a verified one is fetched again or re-rendered, and any
// state becomes verified when its clip is found in the store), so a table would forbid nothing.

/** States in which a remote request may exist and must be polled, not resubmitted. */
export const REMOTE_STATES: ReadonlySet<JobState> = new Set(['queued', 'generating', 'downloading']);
