/**
 * Everything a render reports, as one typed stream. The live display, the plain CI log and `--json`
 * are three views of these events; the journal is the durable record of the same transitions.
 */

import type { Money } from '../job/money.js';
import type { JobState } from '../job/state.js';

interface EventBase {
  /** ISO timestamp. */
  at: string;
}

export interface PlanEvent extends EventBase {
  type: 'plan';
  provider: string;
  variants: { storyboard: string; variant: string; scenes: number; durationSec: number }[];
  jobs: {
    /** Distinct jobs (identical scenes across variants count once). */
    total: number;
    /** Clips already in the store: nothing to pay. */
    reused: number;
    /** Submitted by an earlier run and still to be collected: already paid. */
    inFlight: number;
    /** To be submitted now (new, edited, failed, --rerender...). */
    toSubmit: number;
    /** --no-submit only: jobs the store does not hold, which this run will not submit. */
    missing?: number;
  };
  /** Estimate of what this run will pay for (the jobs to submit). */
  estimatedCostUsd: number;
}

/** A job changed state. `scenes` and `variants` say where its clip is used. */
export interface JobEvent extends EventBase {
  type: 'job';
  job: string;
  scenes: string[];
  /** The take, for a retake (2 or more); absent for take 1. */
  take?: number;
  variants: string[];
  state: JobState;
  requestId?: string;
  queuePosition?: number;
  /** True for a clip taken from the store. */
  reused?: boolean;
  detail?: string;
}

export interface DownloadedEvent extends EventBase {
  type: 'downloaded';
  job: string;
  scenes: string[];
  /** The take, for a retake (2 or more); absent for take 1. */
  take?: number;
  variants: string[];
  requestId: string;
  bytes: number;
  durationSec: number;
}

export interface FailedEvent extends EventBase {
  type: 'failed';
  job: string;
  scenes: string[];
  /** The take, for a retake (2 or more); absent for take 1. */
  take?: number;
  variants: string[];
  state: 'failed' | 'timed_out' | 'cancelled';
  requestId?: string;
  error: { kind: string; message: string };
}

/** Something a person must know about: a possible double payment, a lost request id, a lost clip. */
export interface WarningEvent extends EventBase {
  type: 'warning';
  code:
    | 'may_have_been_submitted'
    | 'request_not_found'
    | 'stored_clip_invalid'
    | 'batch_stopped'
    | 'cancelled_before'
    | 'variant_invalid'
    /** --no-submit: jobs the store does not hold, so their films are not joined. */
    | 'missing_jobs'
    /** Every clip is verified but the film could not be finished or joined (ffmpeg failed, disk full). */
    | 'film_failed';
  message: string;
  job?: string;
  scenes?: string[];
}

export interface FilmEvent extends EventBase {
  type: 'film';
  storyboard: string;
  variant: string;
  path: string;
  durationSec: number;
  bytes: number;
  joinMode: string;
}

export interface SummaryEvent extends EventBase {
  type: 'summary';
  provider: string;
  /** How people call the provider ("RunComfy"). */
  providerLabel: string;
  /** A free provider (a preview): the costs below are what the price table says it would cost. */
  free: boolean;
  outcome: 'complete' | 'incomplete' | 'interrupted' | 'stopped';
  exitCode: number;
  films: {
    storyboard: string;
    variant: string;
    path?: string;
    status: 'complete' | 'incomplete';
    /** Why the film was not made although every clip is verified (report.json's filmError). */
    error?: string;
  }[];
  jobs: {
    total: number;
    reused: number;
    generated: number;
    failed: number;
    timedOut: number;
    cancelled: number;
    inFlight: number;
    notStarted: number;
  };
  /** Submissions sent by this run. */
  submitted: number;
  /** What this run paid: the jobs it submitted (= cost.thisRun.estimatedUsd). */
  estimatedCostUsd: number;
  /** What the provider reported for the jobs this run submitted (= cost.thisRun.reportedUsd). */
  actualCostUsd?: number;
  /**
   * `thisRun`: the submissions this run sent that may have created a paid job; `soFar`: those of
   * every run, for the distinct jobs of this batch. A resume that only collects pays nothing.
   */
  cost: { thisRun: Money; soFar: Money };
  /**
   * `render --takes N`: the takes asked for beside the films' own (`upTo`), how many such jobs the
   * batch has, how many are stored now, and what this run paid for them (part of `cost.thisRun`).
   */
  takes?: { upTo: number; jobs: number; stored: number; thisRun: Money };
  /** `render --shard K/N`: shard `index` of `count`, out of `of` distinct jobs in all; no film joined. */
  shard?: { index: number; count: number; of: number };
  resumeCommand?: string;
  elapsedSec: number;
}

/**
 * The last event of `render --json` when the render ends on an error instead of a summary: bad
 * input or command line, a missing token, the output folder in use (exit 2), refused by --max-cost
 * (exit 3). Written by the CLI, which alone knows the exit code.
 */
export interface ErrorEvent extends EventBase {
  type: 'error';
  exitCode: number;
  /** The error's class, like `StoryboardError`, `BudgetExceededError`, `UsageError`. */
  error: string;
  message: string;
  /** Every problem found: for a storyboard each with file, line and col; otherwise one, the message. */
  problems: { message: string; file?: string; line?: number; col?: number; path?: string; hint?: string }[];
  /** For a --max-cost refusal. */
  estimatedCostUsd?: number;
  maxCostUsd?: number;
}

export type RunEvent =
  | ErrorEvent
  | PlanEvent
  | JobEvent
  | DownloadedEvent
  | FailedEvent
  | WarningEvent
  | FilmEvent
  | SummaryEvent;

export type EmitEvent = (event: RunEvent) => void;
