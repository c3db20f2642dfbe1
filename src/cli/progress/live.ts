/**
 * The live display in a terminal (log-update): one line per job in flight with its state, queue
 * position and time since it was submitted, then a total line. Failures, warnings and films are printed above it and
 * stay in the scrollback. A batch of a thousand scenes stays readable: only jobs in flight get a line
 * (as many as the terminal has room for), the rest are counts.
 */
import { createLogUpdate } from 'log-update';
import type { JobState } from '../../job/state.js';
import type { RunEvent } from '../../run/events.js';
import { announcesSeveralFilms, describeEvent, formatElapsed, jobName } from './describe.js';

interface LiveJob {
  label: string;
  state: JobState;
  since: number;
  queuePosition?: number;
}

const ACTIVE: JobState[] = ['downloading', 'generating', 'queued', 'submitting'];
const REDRAW_MS = 100;

export interface LiveProgress {
  emit(event: RunEvent): void;
  /** A line printed above the display (Ctrl-C notices). */
  note(text: string): void;
  stop(): void;
}

export function liveProgress(stream: NodeJS.WriteStream): LiveProgress {
  const log = createLogUpdate(stream);
  const jobs = new Map<string, LiveJob>();
  const startedAt = Date.now();
  let total = 0;
  let severalFilms = false;
  let pending: NodeJS.Timeout | undefined;
  const ticker = setInterval(() => draw(), 1000);
  ticker.unref();

  function draw(): void {
    pending = undefined;
    log(frame(jobs, total, startedAt, stream.rows ?? 24, stream.columns ?? 80));
  }
  function schedule(): void {
    if (pending) return;
    pending = setTimeout(draw, REDRAW_MS);
    pending.unref();
  }

  return {
    emit(event) {
      if (event.type === 'plan') total = event.jobs.total;
      severalFilms = announcesSeveralFilms(event) ?? severalFilms;
      if (event.type === 'job') {
        const existing = jobs.get(event.job);
        // Elapsed counts from when the job became active (submitted, or taken over from an earlier run).
        const wasActive = existing !== undefined && ACTIVE.includes(existing.state);
        jobs.set(event.job, {
          label: jobName(event.scenes, event.variants, { severalFilms }, event.take),
          state: event.state,
          since: wasActive ? existing.since : Date.parse(event.at),
          ...(event.queuePosition !== undefined ? { queuePosition: event.queuePosition } : {}),
        });
      }
      if (event.type === 'failed') {
        const job = jobs.get(event.job);
        if (job) job.state = event.state;
      }
      const persistent = event.type !== 'job' && event.type !== 'downloaded' && event.type !== 'summary';
      const line = persistent ? describeEvent(event, { severalFilms }) : undefined;
      if (line) log.persist(line);
      schedule();
    },
    note(text) {
      log.persist(text);
    },
    stop() {
      clearInterval(ticker);
      if (pending) clearTimeout(pending);
      draw();
      log.done();
    },
  };
}

/** Pure: the text of the display. */
export function frame(
  jobs: Map<string, LiveJob>,
  total: number,
  startedAt: number,
  rows: number,
  columns: number,
): string {
  const now = Date.now();
  const all = [...jobs.values()];
  const active = all
    .filter((job) => ACTIVE.includes(job.state))
    .sort((a, b) => ACTIVE.indexOf(a.state) - ACTIVE.indexOf(b.state) || a.since - b.since);
  const count = (state: JobState) => all.filter((job) => job.state === state).length;
  const room = Math.max(3, rows - 4);
  const shown = active.length > room ? active.slice(0, room - 1) : active;
  // Labels name the films a job serves: give them the room the state and the clock leave.
  const longest = Math.max(0, ...shown.map((job) => job.label.length));
  const width = Math.max(8, Math.min(columns - 26, longest));
  const lines = shown.map((job) => {
    const state =
      job.state === 'queued' && job.queuePosition !== undefined ? `queued #${job.queuePosition}` : job.state;
    return `  ${job.label.padEnd(width).slice(0, width)}  ${state.padEnd(12)}  ${formatElapsed(now - job.since)}`;
  });
  if (shown.length < active.length) lines.push(`  ... and ${active.length - shown.length} more in flight`);
  const done = count('verified');
  const failed = count('failed') + count('timed_out') + count('cancelled');
  const waiting = Math.max(0, total - done - failed - active.length);
  lines.push(
    `${done}/${total} done · ${active.length} in flight · ${failed} failed · ${waiting} waiting · ${formatElapsed(now - startedAt)}`,
  );
  return lines.map((line) => (line.length >= columns ? `${line.slice(0, columns - 2)}…` : line)).join('\n');
}
