/**
 * What every reliability test asserts after a render, whatever it did to the renderer: the output
 * is clean (no crash, no stack trace), the journal parses, nothing verified was lost, and no job was
 * paid for twice without the user being told.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { JobRecord } from '../../../src/job/record.js';
import { parseRecord } from '../../../src/job/record.js';
import { ffmpegPath, ffprobePath } from '../../../src/media/binaries.js';
import type { MockJob, MockServer } from '../../../src/providers/mock-server/server.js';
import type { RunEvent } from '../../../src/run/events.js';
import type { CliRun } from '../../helpers/cli.js';

/** A broken promise, with what was seen. */
export class ReliabilityViolation extends Error {
  override name = 'ReliabilityViolation';
}

function violated(message: string, detail?: unknown): never {
  const shown =
    detail === undefined ? '' : `\n${typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2)}`;
  throw new ReliabilityViolation(`${message}${shown}`.slice(0, 6000));
}

const CRASH_SIGNS = [
  /internal error/i,
  /unhandled/i,
  /^\s+at .+:\d+:\d+\)?$/m, // a stack trace line
  /\b(TypeError|ReferenceError|RangeError|SyntaxError)\b/,
];

/** No stack trace, no "internal error", no unhandled error in any of `texts`. */
export function assertNoCrashSigns(...texts: string[]): void {
  for (const sign of CRASH_SIGNS) {
    const text = texts.find((t) => sign.test(t));
    if (text !== undefined) violated(`crash sign ${sign} in the output`, text);
  }
}

/** A run that ended by itself: exit 0 or 1, no crash signs, and with --json only JSON on stdout. */
export function cleanRunEvents(run: CliRun, allowed: number[] = [0, 1]): RunEvent[] {
  assertNoCrashSigns(run.stderr, run.stdout);
  if (!allowed.includes(run.exitCode)) {
    // stderr alone can be empty (an in-process render): the failures are in the events.
    const failures = run.stdout.split('\n').filter((line) => line.includes('"type":"failed"'));
    violated(`exit code ${run.exitCode}`, [run.stderr, ...failures].join('\n'));
  }
  const events: RunEvent[] = [];
  for (const line of run.stdout.split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      violated('--json printed a line that is not JSON', line);
    }
  }
  const summary = events.at(-1);
  if (summary?.type !== 'summary') violated('--json did not end with a summary', run.stdout.slice(-2000));
  if (summary.exitCode !== run.exitCode) violated('the summary and the exit code disagree', summary);
  return events;
}

export interface JournalState {
  records: JobRecord[];
  /** Files beside the records that are not records (an atomic write's temporary file, after a kill). */
  leftovers: string[];
}

/** Every record parses exactly as a rerun would read it; anything else in the folder is listed. */
export async function readJournal(out: string): Promise<JournalState> {
  const dir = path.join(out, '.storyreel', 'jobs');
  const names = await readdir(dir).catch(() => [] as string[]);
  const records: JobRecord[] = [];
  const leftovers: string[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) {
      leftovers.push(name);
      continue;
    }
    const text = await readFile(path.join(dir, name), 'utf8');
    try {
      records.push(parseRecord(text, name, name.slice(0, -'.json'.length)));
    } catch (error) {
      violated(`journal record ${name} is corrupt: ${(error as Error).message}`, text.slice(0, 500));
    }
  }
  return { records, leftovers };
}

/** sha256 of every verified clip in the store, by job id. */
export async function storeSnapshot(out: string): Promise<Map<string, string>> {
  const dir = path.join(out, '.storyreel', 'clips');
  const names = await readdir(dir).catch(() => [] as string[]);
  const snapshot = new Map<string, string>();
  for (const name of names) {
    if (name.startsWith('.') || !name.endsWith('.mp4')) continue;
    const hash = createHash('sha256')
      .update(await readFile(path.join(dir, name)))
      .digest('hex');
    snapshot.set(name.slice(0, -'.mp4'.length), hash);
  }
  return snapshot;
}

/** Every clip of `before` is still in `after`, byte for byte. */
export function assertNothingLost(before: Map<string, string>, after: Map<string, string>): void {
  for (const [id, hash] of before) {
    if (after.get(id) !== hash) violated(`verified clip ${id} was lost or changed`);
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface PaymentAudit {
  distinctJobs: number;
  /** Jobs the server created (each POST that got through). */
  created: number;
  /** Generations that completed, i.e. were paid for. */
  paid: number;
  /** Paid generations beyond one per job that the journal reports (a lost answer, an unknown request id). */
  reportedExtra: number;
  /** Paid generations beyond one per job that nobody was told about: must be 0. */
  unreportedDuplicates: number;
}

/**
 * Compares what the server created with what the journal says. A job may be paid for more than once
 * only when the journal holds a submission whose answer was lost, or a request id the server forgot.
 */
export function auditPayments(servers: MockServer | MockServer[], records: JobRecord[]): PaymentAudit {
  const jobsByPayload = new Map<string, MockJob[]>();
  for (const job of [servers].flat().flatMap((server) => server.jobs())) {
    const key = canonical(job.payload);
    jobsByPayload.set(key, [...(jobsByPayload.get(key) ?? []), job]);
  }
  const audit: PaymentAudit = {
    distinctJobs: records.length,
    created: 0,
    paid: 0,
    reportedExtra: 0,
    unreportedDuplicates: 0,
  };
  for (const record of records) {
    const jobs = jobsByPayload.get(canonical(record.payload)) ?? [];
    const paid = jobs.filter((job) => job.ending.as === 'completed').length;
    const reported = record.submissions.filter(
      (s) => (s.requestId === null && s.outcome !== 'refused') || s.outcome === 'not_found',
    ).length;
    audit.created += jobs.length;
    audit.paid += paid;
    const extra = Math.max(0, paid - 1);
    audit.reportedExtra += Math.min(extra, reported);
    audit.unreportedDuplicates += Math.max(0, extra - reported);
    if (extra > reported) {
      violated(`job ${record.key} was paid for ${paid} times, ${reported} of them reported`, {
        submissions: record.submissions,
        transitions: record.transitions,
        error: record.error,
        serverJobs: jobs.map((job) => ({ id: job.id, state: job.state, ending: job.ending.as })),
      });
    }
  }
  return audit;
}

export interface FilmFingerprint {
  streams: string;
  /** Per-packet MD5 of every stream, copied without decoding (ffmpeg's framemd5 muxer). */
  packets: string;
}

/** What a viewer gets: stream parameters and the exact packets, independent of container timestamps. */
export async function filmFingerprint(file: string): Promise<FilmFingerprint> {
  const probe = await execa(ffprobePath(), [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_name,width,height,sample_rate,channels,nb_frames,duration',
    '-of',
    'json',
    file,
  ]);
  const packets = await execa(ffmpegPath(), [
    '-v',
    'error',
    '-i',
    file,
    '-map',
    '0',
    '-c',
    'copy',
    '-f',
    'framemd5',
    '-',
  ]);
  return {
    streams: probe.stdout,
    packets: packets.stdout
      .split('\n')
      .filter((line) => !line.startsWith('#software'))
      .join('\n'),
  };
}
