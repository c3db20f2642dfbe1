/**
 * Figures read from the mock server's own clock and request log, so they do not depend on what the
 * client says about itself: requests per job, peak request rate, poll lag, and the schedule's span.
 */
import type { MockJob, MockRequestLog, MockServer } from '../../src/providers/mock-server/server.js';
import { median, percentile } from './stats.js';

/** Records when each request's answer was finished (the log only has arrival times). */
export class AnswerClock {
  readonly closedAt = new Map<MockRequestLog, number>();
  readonly onRequest = (entry: MockRequestLog) => {
    this.closedAt.set(entry, Date.now());
  };
}

export interface ScheduleFigures {
  jobs: number;
  submits: number;
  /** status + result requests (API), per job. */
  pollsPerJob: number;
  /** Every API request (submit, status, result, cancel), per job. */
  apiRequestsPerJob: number;
  /** Most API requests that arrived within any one second. */
  peakApiPerSecond: number;
  /** Completion on the server -> first media request for that job, ms. */
  pollLagMedianMs: number;
  pollLagP95Ms: number;
  pollLagMaxMs: number;
  /**
   * The lag in two parts, medians: completion -> arrival of the poll that saw it (the schedule and
   * the client's limiter), and that poll's answer -> the download request (the client's own work).
   */
  pollLagScheduleMedianMs: number;
  pollLagClientMedianMs: number;
  /** First submit arrival -> last media answer finished, ms. */
  spanMs: number;
  /** Mean time a job spent generating on the server, ms. */
  generationMs: number;
  /** Media request arrival -> its answer finished, median ms. */
  downloadMedianMs: number;
  /**
   * Time a generation slot stood idle per job: (span x slots in use - generation time) / jobs. It is
   * poll lag + download + whatever happens before the next submit arrives (verify, journal, submit).
   */
  slotIdlePerJobMs: number;
  /** Last media answer of a job -> the next submit to arrive, median ms (verify + journal + submit). */
  refillMedianMs: number;
}

export function scheduleFigures(server: MockServer, clock: AnswerClock, slots: number): ScheduleFigures {
  const api = server.requests.filter((entry) => entry.listener === 'api');
  const media = server.requests.filter((entry) => entry.listener === 'media');
  const jobs = server.jobs();
  const polls = api.filter((entry) => entry.endpoint === 'status' || entry.endpoint === 'result');
  const submits = api.filter((entry) => entry.endpoint === 'submit');
  const lags = pollLags(jobs, media);
  const parts = pollLagParts(jobs, polls, media, clock);
  const firstSubmit = Math.min(...submits.map((entry) => entry.at));
  const lastAnswer = Math.max(...media.map((entry) => clock.closedAt.get(entry) ?? entry.at));
  const generated = jobs.filter((job) => job.startedAt !== undefined && job.finishedAt !== undefined);
  const generationTotal = generated.reduce((sum, job) => sum + (job.finishedAt! - job.startedAt!), 0);
  const spanMs = lastAnswer - firstSubmit;
  const downloads = media.map((entry) => (clock.closedAt.get(entry) ?? entry.at) - entry.at);
  return {
    jobs: jobs.length,
    submits: submits.length,
    pollsPerJob: polls.length / Math.max(1, jobs.length),
    apiRequestsPerJob: api.length / Math.max(1, jobs.length),
    peakApiPerSecond: peakPerWindow(
      api.map((entry) => entry.at),
      1000,
    ),
    pollLagMedianMs: median(lags),
    pollLagP95Ms: percentile(lags, 0.95),
    pollLagMaxMs: lags.length ? Math.max(...lags) : Number.NaN,
    pollLagScheduleMedianMs: median(parts.schedule),
    pollLagClientMedianMs: median(parts.client),
    spanMs,
    generationMs: generationTotal / Math.max(1, generated.length),
    downloadMedianMs: median(downloads),
    slotIdlePerJobMs: (spanMs * Math.min(slots, jobs.length) - generationTotal) / Math.max(1, jobs.length),
    refillMedianMs: median(refillGaps(submits, media, clock)),
  };
}

/** For each completed job: how long after it completed its first download request arrived. */
export function pollLags(jobs: MockJob[], media: MockRequestLog[]): number[] {
  const firstDownload = new Map<string, number>();
  for (const entry of media) {
    if (!entry.requestId || firstDownload.has(entry.requestId)) continue;
    firstDownload.set(entry.requestId, entry.at);
  }
  const lags: number[] = [];
  for (const job of jobs) {
    const downloadAt = firstDownload.get(job.id);
    if (job.state !== 'completed' || job.finishedAt === undefined || downloadAt === undefined) continue;
    lags.push(downloadAt - job.finishedAt);
  }
  return lags;
}

/** For each completed job: completion -> the poll that saw it arriving, and its answer -> download. */
function pollLagParts(
  jobs: MockJob[],
  polls: MockRequestLog[],
  media: MockRequestLog[],
  clock: AnswerClock,
): { schedule: number[]; client: number[] } {
  const byJob = (entries: MockRequestLog[]) => {
    const map = new Map<string, MockRequestLog[]>();
    for (const entry of entries) {
      if (entry.requestId) map.set(entry.requestId, [...(map.get(entry.requestId) ?? []), entry]);
    }
    return map;
  };
  const pollsOf = byJob(polls);
  const mediaOf = byJob(media);
  const schedule: number[] = [];
  const client: number[] = [];
  for (const job of jobs) {
    if (job.state !== 'completed' || job.finishedAt === undefined) continue;
    const seen = pollsOf.get(job.id)?.find((entry) => entry.at >= job.finishedAt!);
    const download = mediaOf.get(job.id)?.[0];
    if (!seen || !download) continue;
    schedule.push(seen.at - job.finishedAt);
    client.push(download.at - (clock.closedAt.get(seen) ?? seen.at));
  }
  return { schedule, client };
}

/** For each submit that followed a finished download: the time since the latest such download ended. */
function refillGaps(submits: MockRequestLog[], media: MockRequestLog[], clock: AnswerClock): number[] {
  const ends = media.map((entry) => clock.closedAt.get(entry) ?? entry.at).sort((a, b) => a - b);
  const gaps: number[] = [];
  let latest = -1;
  for (const submit of [...submits].sort((a, b) => a.at - b.at)) {
    while (latest + 1 < ends.length && ends[latest + 1]! <= submit.at) latest++;
    if (latest >= 0 && submit.at - ends[latest]! < 10_000) gaps.push(submit.at - ends[latest]!);
  }
  return gaps;
}

/** The most timestamps that fall within any window of `windowMs` (sliding, not bucketed). */
export function peakPerWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
