/**
 * The one place that runs ffmpeg and ffprobe. Argument lists come from recipes.ts; this module only
 * executes them, keeps stderr, and turns any failure into a MediaError that carries it.
 */
import { rm, writeFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import path from 'node:path';
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
  // Loaded on first use: a rerun with every clip stored runs no tool, and execa is ~130 modules.
  const { execa } = await import('execa');
  const child = execa(binary, args, {
    reject: false,
    stdin: 'ignore',
    maxBuffer: 64 * 1024 * 1024,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  if (options.background && child.pid !== undefined) lowerPriority(child.pid);
  const result = await child;
  if (result.isCanceled) {
    // The caller asked us to stop: surface its reason (for example Ctrl-C), not an ffmpeg fault.
    throw options.signal?.reason ?? new Error(`${tool} was cancelled while ${purpose}`);
  }
  if (result.failed && result.exitCode === undefined && !result.signal) {
    // It never started (EACCES, ENOENT, ENOEXEC...): the tool's fault, never the file's.
    throw new MediaToolError(
      `${tool} (${binary}) could not start (${result.code ?? result.originalMessage ?? 'unknown error'}) while ${purpose}. ` +
        `Make it executable for this user, or set ${tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'} to a ${tool} that runs.`,
      '',
      ExitCode.sceneFailed,
    );
  }
  if (result.failed) {
    const how =
      result.exitCode !== undefined
        ? `exit code ${result.exitCode}`
        : (result.signal ?? result.originalMessage ?? 'could not start');
    throw new MediaError(`${tool} failed (${how}) while ${purpose}`, String(result.stderr ?? ''));
  }
  return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

function lowerPriority(pid: number): void {
  try {
    setPriority(pid, 19);
  } catch {
    // Not permitted, or it already ended: it runs at the normal priority, which is only slower.
  }
}
