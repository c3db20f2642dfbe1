/** Runs the real CLI (bin/storyreel.js -> dist/) as a child process, and measures it. */
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import buildOnce from '../../test/helpers/build-once.js';
import { timeMs } from './stats.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = process.env.BENCH_BIN ?? path.join(repoRoot, 'bin', 'storyreel.js');
const usageHook = path.join(repoRoot, 'bench', 'lib', 'usage-hook.mjs');

/**
 * Compiles src/ to dist/ so the CLI measured is the code in the tree, the way the test setup does it:
 * only when src/ changed, so that a test run's CLI children never load half-rewritten files.
 */
export async function buildDist(): Promise<void> {
  const cwd = process.cwd();
  process.chdir(repoRoot);
  try {
    await buildOnce();
  } finally {
    process.chdir(cwd);
  }
}

/** Environment that never reaches a real API: the developer's own RunComfy settings are dropped. */
export function benchEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    RUNCOMFY_API_TOKEN: undefined,
    RUNCOMFY_BASE_URL: undefined,
    CI: 'true',
    ...extra,
  };
}

export interface CliRun {
  exitCode: number;
  /** Epoch ms just before the process was started. */
  startedAt: number;
  wallMs: number;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the CLI's node process (getrusage maxrss), in bytes. */
  peakRssBytes?: number;
  /** CPU time (user + system) of the CLI's node process, children excluded, in ms. */
  cpuMs?: number;
}

export interface CliRunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Measure the process's peak RSS and CPU time (a preload hook writes them at exit). */
  measureUsage?: boolean;
  timeoutMs?: number;
}

export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return runNode([binPath, ...args], options);
}

/** `node ...args`, measured like the CLI (for Node's own floor: `node -e 0`). */
export async function runNode(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  const usageFile = path.join(os.tmpdir(), `storyreel-bench-usage-${process.pid}-${Date.now()}.json`);
  const env = benchEnv(options.env);
  if (options.measureUsage) {
    env.NODE_OPTIONS = `--import ${pathToFileURL(usageHook).href}`;
    env.STORYREEL_BENCH_USAGE_FILE = usageFile;
  }
  let result: { exitCode?: number; stdout: unknown; stderr: unknown } = { stdout: '', stderr: '' };
  const startedAt = Date.now();
  const wallMs = await timeMs(async () => {
    result = await execa('node', args, {
      cwd: options.cwd ?? repoRoot,
      env,
      extendEnv: false,
      reject: false,
      timeout: options.timeoutMs ?? 15 * 60_000,
      maxBuffer: 256 * 1024 * 1024,
    });
  });
  let usage: { maxRssBytes?: number; cpuMs?: number } = {};
  if (options.measureUsage) {
    usage = JSON.parse(await readFile(usageFile, 'utf8').catch(() => '{}')) as typeof usage;
    await rm(usageFile, { force: true });
  }
  return {
    exitCode: result.exitCode ?? -1,
    startedAt,
    wallMs,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    ...(usage.maxRssBytes !== undefined ? { peakRssBytes: usage.maxRssBytes } : {}),
    ...(usage.cpuMs !== undefined ? { cpuMs: usage.cpuMs } : {}),
  };
}
