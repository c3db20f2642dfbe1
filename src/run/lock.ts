/**
 * One render (or cancel) per output folder at a time: the journal and the clip store are shared, and
 * two processes polling and writing the same records would race (and pay twice). The lock is
 * proper-lockfile's directory at `<out>/.storyreel/lock`, with an owner file inside naming the holder,
 * so that a second render is refused with the holder's pid.
 *
 * Who may take a held lock over: only when its holder is gone. A holder of this machine is asked
 * directly (its pid, and that pid's start time, so a reused pid does not count): a live one keeps the
 * lock however stale its mtime, since a renderer stopped with Ctrl-Z or `kill -STOP` cannot refresh it
 * and still holds request ids in memory. Only a holder on another machine (a shared folder), which
 * cannot be asked, is judged by proper-lockfile's stale period.
 *
 * A holder that finds its lock gone (replaced or removed) is told so (`lost()`, checked before every
 * paid request) and never removes what is there now: it only ever deletes its own owner file and its
 * own lock folder.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import lockfile from 'proper-lockfile';
import { OutputLockedError, UsageError } from '../errors.js';
import { replaceFile } from '../files/atomic.js';
import type { OutputLayout } from './layout.js';

export interface OutputLock {
  /**
   * Undefined while this process holds the lock; once it does not (its folder was removed or taken
   * over), why, in words. Synchronous and cheap: asked before every request that costs money.
   */
  lost(): string | undefined;
  release(): Promise<void>;
}

interface Owner {
  pid: number;
  host: string;
  command: string;
  since: string;
  /** Unique to one holding: tells this process's owner file from a later one of the same pid. */
  token?: string;
  /** The holder's boot id and start time (Linux), so that a reused pid is not taken for the holder. */
  started?: string;
}

/** A lock not refreshed for this long may be taken over, but only from a holder on another machine. */
export const STALE_MS = 30_000;

export interface LockOptions {
  /** Called (once) if the lock is lost while held, with why; `lost()` says the same from then on. */
  onLost?: (why: string) => void;
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
  const held: Held = { ino: undefined, token: randomUUID(), lostBecause: undefined };
  const markLost = () => {
    if (held.lostBecause !== undefined) return;
    held.lostBecause = describeLoss(layout, held);
    options.onLost?.(held.lostBecause);
  };
  // proper-lockfile found the folder's mtime changed by someone else, or the folder gone.
  const onCompromised = () => markLost();
  const release = await acquire(layout, held, options.staleMs, onCompromised)
    .catch(async (error: NodeJS.ErrnoException) => {
      if (!(await takeOverIfDead(layout, error))) throw await lockedError(layout, error);
      return acquire(layout, held, options.staleMs, onCompromised);
    })
    .catch((error: unknown) => {
      throw unwritableOutput(layout, error);
    });
  const owner: Owner = {
    pid: process.pid,
    host: os.hostname(),
    command,
    since: new Date().toISOString(),
    token: held.token,
    ...optional('started', processStart(process.pid)),
  };
  try {
    // proper-lockfile refreshes the folder's mtime and takes any other change of it for a lost lock:
    // writing the owner file inside changes it, so it is put back.
    const { atime, mtime, ino } = await stat(layout.lockTarget);
    held.ino = ino;
    await replaceFile(layout.lockOwner, `${JSON.stringify(owner)}\n`);
    await utimes(layout.lockTarget, atime, mtime);
  } catch (error) {
    await release().catch(() => {});
    throw unwritableOutput(layout, error);
  }
  const lost = () => {
    if (held.lostBecause === undefined && !holdsIt(layout, held)) markLost();
    return held.lostBecause;
  };
  return {
    lost,
    async release() {
      // proper-lockfile removes the lock with rmdir: the owner file must go first, if it is ours.
      if (lost() === undefined) await rm(layout.lockOwner, { force: true });
      await release().catch(() => {});
    },
  };
}

interface Held {
  /** The lock folder's inode once taken: a folder with another one is someone else's lock. */
  ino: number | undefined;
  token: string;
  lostBecause: string | undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function acquire(
  layout: OutputLayout,
  held: Held,
  staleMs: number | undefined,
  onCompromised: (error: Error) => void,
): Promise<() => Promise<void>> {
  return lockfile.lock(layout.stateDir, {
    lockfilePath: layout.lockTarget,
    realpath: false,
    stale: staleMs ?? STALE_MS,
    retries: 0,
    onCompromised,
    fs: guardedFs(layout, held),
  });
}

/**
 * The file system proper-lockfile works through, except that it may remove the lock folder (on
 * release, and at exit) only while the folder is still the one this process created and holds no
 * other holder's owner file. Without this, a renderer whose lock was taken over removed the new one.
 */
function guardedFs(layout: OutputLayout, held: Held): typeof fs {
  const mine = (dir: string) => {
    if (held.ino === undefined) return true; // before taking it: proper-lockfile removing a stale, ownerless lock
    try {
      if (fs.lstatSync(dir).ino !== held.ino) return false;
    } catch {
      return false;
    }
    const owner = readOwnerSync(layout);
    return owner === undefined || owner.token === held.token;
  };
  return {
    ...fs,
    rmdir: ((dir: string, callback: (error: NodeJS.ErrnoException | null) => void) => {
      if (mine(dir)) fs.rmdir(dir, callback);
      else callback(null);
    }) as typeof fs.rmdir,
    rmdirSync: ((dir: string) => {
      if (mine(dir)) fs.rmdirSync(dir);
    }) as typeof fs.rmdirSync,
  };
}

/** True while the lock folder is the one this process made and its owner file is this process's. */
function holdsIt(layout: OutputLayout, held: Held): boolean {
  try {
    if (fs.statSync(layout.lockTarget).ino !== held.ino) return false;
  } catch {
    return false;
  }
  return readOwnerSync(layout)?.token === held.token;
}

function describeLoss(layout: OutputLayout, held: Held): string {
  const intact = holdsIt(layout, held);
  const why = intact ? 'its folder was changed by another process' : 'its folder was replaced or removed';
  const now = intact ? undefined : readOwnerSync(layout);
  const who = now ? `it is now held by ${describeOwner(now)}` : 'another process may now write here';
  return (
    `the lock on ${layout.root} was lost (${why}); ${who}. This render stopped submitting at once so that no ` +
    'scene is paid twice; the request ids it holds are journaled. Run the same command again once nothing else renders there.'
  );
}

function parseOwner(text: string): Owner | undefined {
  try {
    const owner = JSON.parse(text) as Owner;
    return typeof owner?.pid === 'number' ? owner : undefined;
  } catch {
    return undefined;
  }
}

async function readOwner(layout: OutputLayout): Promise<Owner | undefined> {
  return parseOwner(await readFile(layout.lockOwner, 'utf8').catch(() => ''));
}

function readOwnerSync(layout: OutputLayout): Owner | undefined {
  try {
    return parseOwner(fs.readFileSync(layout.lockOwner, 'utf8'));
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

/** Fields of /proc/PID/stat after the command name (which may hold spaces): [state, ppid, ...]. */
function procStat(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Boot id and start time of a process (Linux); undefined where /proc does not tell. */
function processStart(pid: number): string | undefined {
  const startTime = procStat(pid)?.[19];
  if (startTime === undefined) return undefined;
  try {
    return `${fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}/${startTime}`;
  } catch {
    return undefined;
  }
}

/** Stopped by a signal (Ctrl-Z, kill -STOP) or a debugger: alive, but refreshing nothing. */
function isStopped(pid: number): boolean {
  const state = procStat(pid)?.[0];
  return state === 'T' || state === 't';
}

/**
 * The process holding the output folder, when one does and still runs (or runs on another machine,
 * which cannot be asked): for `status`, to tell a submission a live render is sending from one whose
 * answer was lost. Reads only.
 */
export async function liveHolder(
  layout: OutputLayout,
): Promise<{ pid: number; host: string; command: string; since: string } | undefined> {
  const owner = await readOwner(layout);
  if (owner === undefined || holderAlive(owner) === false) return undefined;
  return { pid: owner.pid, host: owner.host, command: owner.command, since: owner.since };
}

/** Whether the holder still runs: true / false for this machine, undefined for another (cannot ask). */
function holderAlive(owner: Owner): boolean | undefined {
  if (owner.host !== os.hostname()) return undefined;
  if (!isAlive(owner.pid)) return false;
  const started = processStart(owner.pid);
  // The pid is alive but belongs to a process started after the holder: the holder is gone.
  return owner.started === undefined || started === undefined || started === owner.started;
}

/**
 * True when the lock was taken over: its holder is gone (a process of this machine that no longer
 * runs, or none named itself in time), or it is stale and held from another machine. A live holder
 * of this machine keeps it, however stale (see the top of this file).
 */
async function takeOverIfDead(layout: OutputLayout, error: NodeJS.ErrnoException): Promise<boolean> {
  // ENOTEMPTY: proper-lockfile found the lock unrefreshed but could not remove it (the owner file is inside).
  const stale = error.code === 'ENOTEMPTY';
  if (error.code !== 'ELOCKED' && !stale) throw error;
  const judged = await stat(layout.lockTarget).catch(() => undefined);
  if (judged === undefined) return true; // released meanwhile: just take it
  const owner = stale ? await readOwner(layout) : await ownerOfFreshLock(layout);
  // No owner (after the grace period): the holder died between taking the lock and naming itself.
  const alive = owner === undefined ? false : holderAlive(owner);
  const dead = alive === false || (alive === undefined && stale);
  if (!dead) return false;
  // Renamed before removal, and checked to be the folder judged: a lock another taker made in the
  // meantime is put back, not deleted.
  const aside = `${layout.lockTarget}.dead-${process.pid}`;
  try {
    await rename(layout.lockTarget, aside);
  } catch {
    return false;
  }
  if ((await stat(aside).catch(() => undefined))?.ino !== judged.ino) {
    await rename(aside, layout.lockTarget).catch(() => {});
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

function describeOwner(owner: Owner): string {
  const host = owner.host === os.hostname() ? '' : ` on ${owner.host}`;
  return `storyreel process ${owner.pid}${host} (${owner.command}, since ${owner.since})`;
}

async function lockedError(layout: OutputLayout, cause: NodeJS.ErrnoException): Promise<OutputLockedError> {
  const owner = await readOwner(layout);
  const who = owner ? describeOwner(owner) : 'another storyreel process';
  const stopped =
    owner && owner.host === os.hostname() && isStopped(owner.pid)
      ? ` It is stopped (Ctrl-Z or kill -STOP): resume it with \`fg\` in its terminal or \`kill -CONT ${owner.pid}\`, or end it with \`kill ${owner.pid}\`.`
      : '';
  return new OutputLockedError(
    `the output folder ${layout.root} is in use by ${who}.${stopped} Wait for it to finish (or stop it), ` +
      `or render into another folder with --out. (${cause.code ?? cause.message})`,
  );
}
