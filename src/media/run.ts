/**
 * The one place that runs ffmpeg and ffprobe. Argument lists come from recipes.ts; this module only
 * executes them, keeps stderr, and turns any failure into a MediaError that carries it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ExitCode, MediaError, MediaToolError } from '../errors.js';
import { makeScratchFolder } from '../files/atomic.js';
import { ffmpegPath, ffprobePath } from './binaries.js';

export interface RunOptions {
  signal?: AbortSignal;
  /**
   * Work nobody waits for yet (thumbnails made while jobs generate): run at the lowest CPU priority,
   * so on a small machine it never delays the polls and submits that keep the generation slots busy.
   */
  background?: boolean;
  /** After an abort, how long the tool has to end on SIGTERM before SIGKILL. Tests shorten it. */
  killAfterMs?: number;
  /**
   * Called once spawn has returned (the process started, or could not start), not when the
   * signal was aborted before: for work that should wait its turn.
   */
  onSpawned?: () => void;
}

/** Runs ffmpeg; `purpose` completes "ffmpeg failed while ..." in the error a user sees. */
export async function runFfmpeg(args: string[], purpose: string, options: RunOptions = {}): Promise<void> {
  const graph = args.indexOf('-filter_complex');
  if (graph < 0 || graph + 1 >= args.length) {
    await run(ffmpegPath(), 'ffmpeg', args, purpose, options);
    return;
  }
  // A filtergraph grows with the scenes (hundreds of bytes each) and Linux refuses any single
  // argument over 128 KiB (spawn E2BIG): every graph goes through a file, so the path a 1,000-scene
  // batch takes is the one every render takes.
  // Named with the pid, like every scratch folder: a killed process's is removed by the next render.
  const directory = await makeScratchFolder('graph');
  try {
    const script = path.join(directory, 'filtergraph.txt');
    await writeFile(script, args[graph + 1]!, 'utf8');
    const scripted = [...args.slice(0, graph), '-filter_complex_script', script, ...args.slice(graph + 2)];
    await run(ffmpegPath(), 'ffmpeg', scripted, purpose, options);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Runs ffprobe and returns its stdout. */
export async function runFfprobe(args: string[], purpose: string, options: RunOptions = {}): Promise<string> {
  return (await run(ffprobePath(), 'ffprobe', args, purpose, options)).stdout;
}

/**
 * Runs ffmpeg as it is given (graphs already in files) and returns what it printed on stderr, where
 * measuring filters (ebur128) write their results.
 */
export async function runFfmpegForLog(
  args: string[],
  purpose: string,
  options: RunOptions = {},
): Promise<string> {
  return (await run(ffmpegPath(), 'ffmpeg', args, purpose, options)).stderr;
}

/** What a user can do about a tool that could not be started, by the reason the system gave. */
function startFix(tool: string, code: string | undefined): string {
  // Not a system error (node refused the arguments, ERR_...): ours, not the user's.
  if (code === undefined || code.startsWith('ERR_')) return 'Please report it, with the storyboard.';
  switch (code) {
    case 'EMFILE':
    case 'ENFILE':
      return 'Too many files are open: raise the limit (ulimit -n) or lower --concurrency, then run again; stored clips are kept.';
    case 'EAGAIN':
    case 'ENOMEM':
      return 'The system could not start another process: free some memory or lower --concurrency, then run again.';
    case 'E2BIG':
      return 'Its argument list is too long for this system; please report it, with the storyboard.';
    default:
      return `Make it executable for this user, or set ${tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'} to a ${tool} that runs.`;
  }
}

async function run(
  binary: string,
  tool: string,
  args: string[],
  purpose: string,
  options: RunOptions,
): Promise<{ stdout: string; stderr: string }> {
  // Checked here, not left to spawn's signal: node would start the process only to kill it.
  if (options.signal?.aborted) throw cancelled(options.signal, tool, purpose);
  const ended = await runChild(binary, args, options);
  if (options.signal?.aborted) {
    // The caller asked us to stop: surface its reason (for example Ctrl-C), not an ffmpeg fault.
    throw cancelled(options.signal, tool, purpose);
  }
  if (ended.startError) {
    // It never started: the tool's or the machine's fault, never the file's, so a paid clip being
    // verified is kept (verify.ts lets a MediaToolError through).
    throw new MediaToolError(
      `${tool} (${binary}) could not start (${ended.startError.code ?? ended.startError.message}) while ${purpose}. ` +
        startFix(tool, ended.startError.code),
      '',
      ExitCode.sceneFailed,
    );
  }
  if (ended.overflow || ended.exitCode !== 0) {
    const how = ended.overflow
      ? `more than ${MAX_OUTPUT_BYTES} bytes of output`
      : ended.exitCode !== null
        ? `exit code ${ended.exitCode}`
        : (ended.signal ?? 'no exit code');
    throw new MediaError(`${tool} failed (${how}) while ${purpose}`, ended.stderr);
  }
  return { stdout: ended.stdout, stderr: ended.stderr };
}

function cancelled(signal: AbortSignal, tool: string, purpose: string): unknown {
  return signal.reason ?? new Error(`${tool} was cancelled while ${purpose}`);
}

/** Beyond this, a tool's stdout or stderr is not a report but a runaway: it is stopped. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

interface Ended {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Why it could not be started at all. */
  startError?: NodeJS.ErrnoException;
  /** It printed more than MAX_OUTPUT_BYTES and was killed. */
  overflow?: boolean;
}

/**
 * node's own spawn, not execa: this runs for every clip (verification) and every picture, and
 * execa cost ~80 ms of CPU to load at the first clip (while the next wave is being submitted)
 * and ~2 ms more than spawn per run (bench: docs/benchmarks.md, issue 17, sixth pass).
 */
function runChild(binary: string, args: string[], options: RunOptions): Promise<Ended> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(binary, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      // Errors node does not expect at spawn time (E2BIG, EINVAL...) are thrown, not emitted.
      resolve({
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: '',
        startError: error as NodeJS.ErrnoException,
      });
      options.onSpawned?.();
      return;
    }
    let startError: NodeJS.ErrnoException | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    // First, before anything that could throw: an 'error' with no listener would end the process.
    child.on('error', (error: NodeJS.ErrnoException) => {
      // spawn's signal aborted it with SIGTERM (told by the signal, not here): see that it ends.
      if (error.name === 'AbortError') killTimer ??= killLater(child, options.killAfterMs);
      // Anything else before a pid means it never started.
      else if (child.pid === undefined) startError = error;
    });
    // EMFILE and ENFILE leave the child without pipes; 'error' and 'close' still follow.
    const stdout = collect(child.stdout, () => child.kill('SIGKILL'));
    const stderr = collect(child.stderr, () => child.kill('SIGKILL'));
    if (child.pid !== undefined) {
      running.add(child);
      if (options.background) lowerPriority(child.pid);
    }
    options.onSpawned?.();
    child.on('close', (exitCode, signal) => {
      running.delete(child);
      clearTimeout(killTimer);
      resolve({
        exitCode,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        ...(startError ? { startError } : {}),
        ...(stdout.overflow() || stderr.overflow() ? { overflow: true } : {}),
      });
    });
  });
}

/**
 * spawn's signal sends SIGTERM, which a stuck ffmpeg may never act on: if it has not ended some
 * seconds later, SIGKILL, so a Ctrl-C stop never waits for a second Ctrl-C. Started from the
 * child's abort error, not from a listener of our own on the signal: many runs share one signal,
 * and node warns past 10 listeners.
 */
function killLater(child: ChildProcess, afterMs = KILL_AFTER_MS): NodeJS.Timeout {
  const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
  timer.unref();
  return timer;
}

/** As execa did: the time a tool is given to end after SIGTERM. */
const KILL_AFTER_MS = 5000;

function collect(stream: Readable | null, onOverflow: () => void) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  stream?.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_OUTPUT_BYTES) onOverflow();
    else chunks.push(chunk);
  });
  return {
    text: () => Buffer.concat(chunks).toString('utf8'),
    overflow: () => bytes > MAX_OUTPUT_BYTES,
  };
}

/** Tools still running when storyreel exits (an error, a second Ctrl-C) are not left behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

function lowerPriority(pid: number): void {
  try {
    setPriority(pid, 19);
  } catch {
    // Not permitted, or it already ended: it runs at the normal priority, which is only slower.
  }
}
