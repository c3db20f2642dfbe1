/**
 * Errors by domain. Every error a user can meet is one of these classes; the CLI maps them to exit
 * codes in one place (`exitCodeFor` in src/cli/main.ts). Messages say what happened, where, and what to do.
 */

export const ExitCode = {
  ok: 0,
  sceneFailed: 1,
  badInput: 2,
  overBudget: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class StoryreelError extends Error {
  abstract readonly exitCode: ExitCode;
  override name = this.constructor.name;
}

/** One thing wrong with a storyboard, with its position in the source file. */
export interface Problem {
  file: string;
  /** 1-based; 0 when the problem has no position (for example an unreadable file). */
  line: number;
  col: number;
  /** A JSON-ish path into the storyboard, like `scenes[0].multi_prompt[1].duration`; '' for the document. */
  path: string;
  message: string;
  hint?: string;
}

export function formatProblem(problem: Problem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.col}` : `${problem.file}:`;
  const path = problem.path ? ` ${problem.path}:` : '';
  const hint = problem.hint ? ` (${problem.hint})` : '';
  return `${where}${path} ${problem.message}${hint}`;
}

/** The storyboard is invalid: every problem found, at once. Nothing was submitted. */
export class StoryboardError extends StoryreelError {
  readonly exitCode = ExitCode.badInput;
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/** The command line is wrong (unknown option, missing file, bad value). */
export class UsageError extends StoryreelError {
  readonly exitCode = ExitCode.badInput;
}

/** `--max-cost` refused the batch before anything was submitted. */
/**
 * `$0.8820, above --max-cost $0.88`: cents, or as many more digits (up to the estimate's four) as it
 * takes for the two figures not to look equal.
 */
function distinctUsd(estimate: number, limit: number): string {
  let digits = 2;
  while (digits < 4 && estimate.toFixed(digits) === limit.toFixed(digits)) digits += 1;
  return `$${estimate.toFixed(digits)}, above --max-cost $${limit.toFixed(digits)};`;
}

export class BudgetExceededError extends StoryreelError {
  readonly exitCode = ExitCode.overBudget;
  constructor(
    readonly estimatedUsd: number,
    readonly maxCostUsd: number,
    detail: string,
  ) {
    super(
      `estimated cost of what still has to be generated is ${distinctUsd(estimatedUsd, maxCostUsd)} nothing was submitted.\n${detail}`,
    );
  }
}

/**
 * What a provider failure means for the batch:
 * - `auth`: the token is missing, wrong or revoked; fatal for the whole batch.
 * - `balance`: the account cannot pay; fatal for the whole batch.
 * - `rejected`: the provider refused this request (400/422, content policy); this scene fails.
 * - `generation`: the job ran and failed remotely; this scene fails.
 * - `not_found`: the provider does not know this request id (expired or never existed): its 404 with
 *   RunComfy's error code (a bare 404 is `endpoint`).
 * - `transient`: 429, 5xx, timeout, reset; retried, and surfaced only once retries are exhausted.
 * - `ambiguous`: a submit whose answer was lost; the job may or may not have been created (and paid).
 * - `protocol`: an answer we cannot understand (malformed JSON, unexpected shape).
 * - `endpoint`: the API has no such endpoint (404/405 on submit; on status/result/cancel, one without
 *   RunComfy's error code): the base URL is wrong, for every scene. Request ids are kept.
 */
export type ProviderErrorKind =
  | 'auth'
  | 'balance'
  | 'rejected'
  | 'generation'
  | 'not_found'
  | 'transient'
  | 'ambiguous'
  | 'protocol'
  | 'endpoint';

export class ProviderError extends StoryreelError {
  readonly exitCode = ExitCode.sceneFailed;
  /** `options.cause`: the error underneath (a network error, say), kept for debugging. */
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; code?: string | number; raw?: unknown; requestId?: string } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
  /** True when the whole batch must stop (no other scene can succeed either). */
  get fatalForBatch(): boolean {
    return this.kind === 'auth' || this.kind === 'balance' || this.kind === 'endpoint';
  }
}

/** ffmpeg or ffprobe failed, or a clip does not match what was asked. Carries ffmpeg's stderr. */
export class MediaError extends StoryreelError {
  readonly exitCode: ExitCode = ExitCode.sceneFailed;
  constructor(
    message: string,
    readonly stderr = '',
  ) {
    super(
      stderr
        ? `${message}\n--- ffmpeg said ---\n${stderr.trim().split('\n').slice(-20).join('\n')}`
        : message,
    );
  }
}

/**
 * ffmpeg or ffprobe cannot run at all (missing, not executable, broken): no file is at fault, so no
 * clip may be thrown away or paid for again because of it. Exit 2 when found before anything is
 * sent; the runner stops the batch with it (exit 1, request ids kept) when it happens later.
 */
export class MediaToolError extends MediaError {
  override readonly exitCode: ExitCode;
  constructor(message: string, stderr = '', exitCode: ExitCode = ExitCode.badInput) {
    super(message, stderr);
    this.exitCode = exitCode;
  }
}

/**
 * A folder or file storyreel must write in the output folder cannot be (a file where a folder must
 * go, no permission). Exit 2 when found before anything is sent; exit 1 after, with the clips kept.
 */
export class OutputLayoutError extends StoryreelError {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.badInput,
  ) {
    super(message);
  }
}

/** Another storyreel process holds the output folder. */
export class OutputLockedError extends StoryreelError {
  readonly exitCode = ExitCode.badInput;
}

/**
 * This render no longer holds its output folder's lock (removed, or taken over from another machine):
 * it stops submitting at once, since another process may be paying for the same scenes.
 */
export class LockLostError extends StoryreelError {
  readonly exitCode = ExitCode.sceneFailed;
}

/** A state file exists but cannot be read; we never treat that as "nothing done yet". */
export class JournalCorruptError extends StoryreelError {
  readonly exitCode = ExitCode.badInput;
}

/**
 * A journal record could not be written (disk full, folder made read-only): the batch stops at once,
 * since going on would mean paying for jobs it cannot remember. What is on disk stays consistent.
 */
export class JournalWriteError extends StoryreelError {
  readonly exitCode = ExitCode.sceneFailed;
}

/** The user interrupted the batch (Ctrl-C); state is saved and a rerun resumes. */
export class InterruptedError extends StoryreelError {
  readonly exitCode = ExitCode.interrupted;
}
