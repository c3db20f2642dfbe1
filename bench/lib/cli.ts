/** Runs the real CLI (bin/storyreel.js -> dist/) as a child process, and measures it. */
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import buildOnce from '../../test/helpers/build-once.js';
import { timeMs } from './stats.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin', 'storyreel.js');
const peakRssHook = path.join(repoRoot, 'bench', 'lib', 'peak-rss-hook.mjs');

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
}

export interface CliRunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Measure the process's peak RSS (a preload hook writes it at exit). */
  measureRss?: boolean;
  timeoutMs?: number;
}

export async function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  const rssFile = path.join(os.tmpdir(), `storyreel-bench-rss-${process.pid}-${Date.now()}.txt`);
  const env = benchEnv(options.env);
  if (options.measureRss) {
    env.NODE_OPTIONS = `--import ${pathToFileURL(peakRssHook).href}`;
    env.STORYREEL_BENCH_RSS_FILE = rssFile;
  }
  let result: { exitCode?: number; stdout: unknown; stderr: unknown } = { stdout: '', stderr: '' };
  const startedAt = Date.now();
  const wallMs = await timeMs(async () => {
    result = await execa('node', [binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env,
      extendEnv: false,
      reject: false,
      timeout: options.timeoutMs ?? 15 * 60_000,
      maxBuffer: 256 * 1024 * 1024,
    });
  });
  let peakRssBytes: number | undefined;
  if (options.measureRss) {
    peakRssBytes = Number(await readFile(rssFile, 'utf8').catch(() => 'NaN'));
    await rm(rssFile, { force: true });
  }
  return {
    exitCode: result.exitCode ?? -1,
    startedAt,
    wallMs,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    ...(peakRssBytes !== undefined && Number.isFinite(peakRssBytes) ? { peakRssBytes } : {}),
  };
}
