/**
 * Test fixtures that clean up after themselves, so a test file needs no afterEach of its own: each
 * registers its cleanup with the test that made it (run when that test ends, pass or fail, the last
 * made first: a render is stopped before its server closes, and the server before its folder goes).
 * Made in a beforeAll, to be shared by a file's tests, or in a concurrent test, they are cleaned up
 * after the file's last test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { getCurrentTest } from 'vitest/suite';

type Cleanup = () => unknown;

// This module is evaluated once per test file (vitest isolates files), so the list is the file's.
// Outside vitest (scripts/soak.ts drives the reliability helpers) there is no test to clean up
// after: the callers close and remove what they made themselves.
const fileCleanups: Cleanup[] | undefined = underVitest() ? [] : undefined;
if (fileCleanups) {
  afterAll(async () => {
    for (const cleanup of fileCleanups.splice(0).reverse()) await cleanup();
  });
}

function underVitest(): boolean {
  return process.env.VITEST !== undefined;
}

/** Runs `cleanup` after the file's last test (for what a file's tests share, like one clip cache). */
export function afterFile(cleanup: Cleanup): void {
  fileCleanups?.push(cleanup);
}

/**
 * Runs `cleanup` when the current test ends, or after the file's tests when called outside a test
 * (a beforeAll: the file's shared fixtures) or in a concurrent test: the runner's "current test" is
 * then whichever started last, and the cleanup would run when another test ends, under this one's feet.
 */
export function afterTest(cleanup: Cleanup): void {
  if (!fileCleanups) return;
  const test = getCurrentTest();
  if (!test || test.concurrent) {
    fileCleanups.push(cleanup);
    return;
  }
  onTestFinished(async () => {
    await cleanup();
  });
}

/** Something that closes, like a server, a browser or a page server; closed when the test ends. */
export function closedAfterTest<T extends { close(): unknown }>(resource: T): T {
  afterTest(() => resource.close());
  return resource;
}

/** A child process (a render started in the background): SIGKILLed if it is still running at the end. */
export function killedAfterTest<T extends Promise<unknown> & { kill(signal?: NodeJS.Signals): boolean }>(
  child: T,
): T {
  afterTest(async () => {
    child.kill('SIGKILL');
    await child.catch(() => undefined);
  });
  return child;
}

export interface Workspace {
  dir: string;
  /** `dir/output`, the output folder renders write to (not created). */
  out: string;
  /** Removes the folder now (it is removed after the test in any case). */
  cleanup(): Promise<void>;
}

/** A fresh temporary folder, removed with everything in it when the test ends. */
export async function workspace(prefix = 'storyreel-test-'): Promise<Workspace> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  afterTest(cleanup);
  return { dir, out: path.join(dir, 'output'), cleanup };
}
