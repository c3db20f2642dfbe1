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

async function run(
  binary: string,
  tool: string,
  args: string[],
  purpose: string,
  options: RunOptions,
): Promise<{ stdout: string; stderr: string }> {
  const ended = await runChild(binary, args, options);
  if (options.signal?.aborted) {
    // The caller asked us to stop: surface its reason (for example Ctrl-C), not an ffmpeg fault.
    throw options.signal.reason ?? new Error(`${tool} was cancelled while ${purpose}`);
  }
  if (ended.startError) {
    // It never started (EACCES, ENOENT, ENOEXEC...): the tool's fault, never the file's.
    throw new MediaToolError(
      `${tool} (${binary}) could not start (${ended.startError.code ?? ended.startError.message}) while ${purpose}. ` +
        `Make it executable for this user, or set ${tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'} to a ${tool} that runs.`,
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
    const child = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const stdout = collect(child.stdout, () => child.kill('SIGKILL'));
    const stderr = collect(child.stderr, () => child.kill('SIGKILL'));
    let startError: NodeJS.ErrnoException | undefined;
    child.on('error', (error: NodeJS.ErrnoException) => {
      // An abort is told by the signal; anything else before a pid means it never started.
      if (child.pid === undefined && error.name !== 'AbortError') startError = error;
    });
    if (child.pid !== undefined) {
      running.add(child);
      if (options.background) lowerPriority(child.pid);
    }
    child.on('close', (exitCode, signal) => {
      running.delete(child);
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

function collect(stream: Readable, onOverflow: () => void) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  stream.on('data', (chunk: Buffer) => {
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
