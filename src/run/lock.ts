/**
 * One render (or cancel) per output folder at a time: the journal and the clip store are shared, and
 * two processes polling and writing the same records would race. The lock is proper-lockfile's
 * directory at `<out>/.storyreel/lock`, with an owner file inside naming the holder, so that a second
 * render is refused with the holder's pid, and the lock of a killed process (its pid is gone) is taken
 * over at once instead of after the stale period.
 */
import { mkdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { OutputLockedError, UsageError } from '../errors.js';
import type { OutputLayout } from './layout.js';

export interface OutputLock {
  release(): Promise<void>;
}

interface Owner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** A lock not refreshed for this long belongs to a dead process (proper-lockfile refreshes it). */
const STALE_MS = 30_000;

export interface LockOptions {
  /** Called if the lock is lost while held (its folder removed or touched by someone else). */
  onCompromised?: (error: Error) => void;
  /** Default 30 s; at least 2 s. The lock is refreshed every half of it. */
  staleMs?: number;
}

export async function lockOutput(
  layout: OutputLayout,
  command: string,
  options: LockOptions = {},
): Promise<OutputLock> {
  await mkdir(layout.stateDir, { recursive: true }).catch((error: unknown) => {
    throw unwritableOutput(layout, error);
  });
  const release = await acquire(layout, options)
    .catch(async (error: NodeJS.ErrnoException) => {
      if (!(await takeOverIfDead(layout, error))) throw await lockedError(layout, error);
      return acquire(layout, options);
    })
    .catch((error: unknown) => {
      throw unwritableOutput(layout, error);
    });
  const owner: Owner = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString() };
  try {
    // proper-lockfile refreshes the folder's mtime and takes any other change of it for a lost lock:
    // writing the owner file inside changes it, so it is put back.
    const { atime, mtime } = await stat(layout.lockTarget);
    await writeFileAtomic(layout.lockOwner, `${JSON.stringify(owner)}\n`);
    await utimes(layout.lockTarget, atime, mtime);
  } catch (error) {
    await release().catch(() => {});
    throw unwritableOutput(layout, error);
  }
  return {
    async release() {
      // proper-lockfile removes the lock with rmdir: the owner file must go first.
      await rm(layout.lockOwner, { force: true });
      await release().catch(() => {});
    },
  };
}

function acquire(layout: OutputLayout, options: LockOptions): Promise<() => Promise<void>> {
  return lockfile.lock(layout.stateDir, {
    lockfilePath: layout.lockTarget,
    realpath: false,
    stale: options.staleMs ?? STALE_MS,
    retries: 0,
    onCompromised: options.onCompromised ?? (() => {}),
  });
}

async function readOwner(layout: OutputLayout): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(layout.lockOwner, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

/** A live holder writes its owner file a moment after taking the lock; this is far more than that. */
const OWNER_GRACE_MS = 3_000;

/**
 * The owner of a lock just found held, waiting for it to name itself if it has not yet. Without
 * this, a holder killed in that moment left a lock that refused every render for the stale period.
 */
async function ownerOfFreshLock(layout: OutputLayout): Promise<Owner | undefined> {
  const deadline = Date.now() + OWNER_GRACE_MS;
  for (;;) {
    const owner = await readOwner(layout);
    if (owner !== undefined || Date.now() >= deadline) return owner;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when the lock was taken over: its holder is a process of this machine that no longer exists,
 * or it is stale (proper-lockfile found it unrefreshed but could not remove it, the owner file being inside).
 */
async function takeOverIfDead(layout: OutputLayout, error: NodeJS.ErrnoException): Promise<boolean> {
  const stale = error.code === 'ENOTEMPTY';
  if (error.code !== 'ELOCKED' && !stale) throw error;
  const owner = stale ? await readOwner(layout) : await ownerOfFreshLock(layout);
  // No owner after the grace period: the holder died between taking the lock and naming itself.
  const dead = owner === undefined || (owner.host === os.hostname() && !isAlive(owner.pid));
  if (!stale && !dead) return false;
  // Renamed before removal, so that a concurrent taker cannot delete a lock taken in the meantime.
  const aside = `${layout.lockTarget}.dead-${process.pid}`;
  try {
    await rename(layout.lockTarget, aside);
  } catch {
    return false;
  }
  await rm(aside, { recursive: true, force: true });
  return true;
}

const WHY_UNWRITABLE: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'part of the path is a file, not a folder',
  ENOENT: 'part of the path cannot be created',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

/** A file system error on the way to the lock means the folder cannot be written: say so (exit 2). */
function unwritableOutput(layout: OutputLayout, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  const why = code === undefined ? undefined : WHY_UNWRITABLE[code];
  if (!why) return error;
  return new UsageError(
    `the output folder ${layout.root} cannot be written (${why}, ${code}); nothing was submitted. ` +
      'Choose a writable folder with --out.',
  );
}

async function lockedError(layout: OutputLayout, cause: NodeJS.ErrnoException): Promise<OutputLockedError> {
  const owner = await readOwner(layout);
  const who = owner
    ? `storyreel process ${owner.pid}${owner.host === os.hostname() ? '' : ` on ${owner.host}`} (${owner.command}, since ${owner.since})`
    : 'another storyreel process';
  return new OutputLockedError(
    `the output folder ${layout.root} is in use by ${who}. Wait for it to finish (or stop it), ` +
      `or render into another folder with --out. (${cause.code ?? cause.message})`,
  );
}
