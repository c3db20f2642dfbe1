/** Runs the real CLI (bin/storyreel.js) as a child process, the way a user or CI does. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin', 'storyreel.js');

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** Environment without the developer's own RunComfy settings, so a test never reaches the real API. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { RUNCOMFY_API_TOKEN: undefined, RUNCOMFY_BASE_URL: 'http://127.0.0.1:9', CI: 'true', ...extra };
}

export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const result = await execa('node', [binPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cleanEnv(options.env),
    extendEnv: true,
    reject: false,
    input: options.input,
    timeout: options.timeoutMs ?? 120_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Starts the CLI without waiting, for tests that signal or kill it mid-run. */
export function spawnCli(args: string[], options: CliOptions = {}): ResultPromise {
  return execa('node', [binPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cleanEnv(options.env),
    extendEnv: true,
    reject: false,
    timeout: options.timeoutMs ?? 120_000,
  });
}
