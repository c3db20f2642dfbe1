/**
 * Making a folder unwritable or a disk full, honestly, whoever runs the tests. Root ignores file
 * permissions (chmod stops nobody), so the tests use what stops root too: a read-only or a tiny tmpfs
 * mount where mounting is permitted (root with CAP_SYS_ADMIN, as on this machine), and otherwise
 * what works without it: chmod for other users, /sys for root, and RLIMIT_FSIZE (prlimit) on the
 * renderer for "no room for the clip".
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { binPath, type CliRun, cleanEnv } from '../../helpers/cli.js';
import { afterTest } from '../../helpers/fixtures.js';
import { renderArgs } from './workspace.js';

function tryMount(args: string[], target: string): boolean {
  // RELIABILITY_NO_MOUNT=1 tries the fallbacks on a machine that could mount.
  if (process.env.RELIABILITY_NO_MOUNT === '1') return false;
  try {
    execFileSync('mount', [...args, target], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function unmount(target: string): void {
  try {
    execFileSync('umount', [target], { stdio: 'ignore' });
  } catch {
    // Not mounted (the fallback methods mount nothing).
  }
}

export interface ReadOnlyFolder {
  /** A folder below which nothing can be created. */
  path: string;
  method: 'read-only tmpfs mount' | 'chmod 555 (not root)' | '/sys (root without mount permission)';
  release(): Promise<void>;
}

export async function readOnlyFolder(base: string): Promise<ReadOnlyFolder> {
  const target = path.join(base, 'read-only');
  await mkdir(target, { recursive: true });
  if (tryMount(['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs'], target)) {
    return { path: target, method: 'read-only tmpfs mount', release: async () => unmount(target) };
  }
  if (process.getuid?.() !== 0) {
    await chmod(target, 0o555);
    return { path: target, method: 'chmod 555 (not root)', release: () => chmod(target, 0o755) };
  }
  return {
    path: '/sys/storyreel-read-only',
    method: '/sys (root without mount permission)',
    release: async () => {},
  };
}

export interface SmallDisk {
  /** The output folder to render into. */
  out: string;
  method: 'tmpfs with a filler file' | 'tmpfs with nine inodes' | 'RLIMIT_FSIZE on the renderer (prlimit)';
  /** How to start node for the renderer while the disk is "full" (then `bin/storyreel.js ...`). */
  command: string[];
  /** Makes room again (the filler goes, or the limit is lifted for later runs). */
  makeRoom(): Promise<void>;
  /** Unmounts the disk now (it is unmounted when the test, or the beforeAll's file, ends in any case). */
  release(): Promise<void>;
}

/**
 * `node` under a per-file size limit of `bytes` (RLIMIT_FSIZE). A write past the limit raises
 * SIGXFSZ, which kills node unless handled; handled, the write fails with EFBIG, as a write to a full
 * disk fails with ENOSPC.
 */
export function nodeWithFileSizeLimit(bytes: number): string[] {
  const node = ['node', '--import', 'data:text/javascript,process.on("SIGXFSZ",()=>{})'];
  return ['prlimit', `--fsize=${bytes}`, '--', ...node];
}

/**
 * `render FILE --json` into the disk's output folder, one job at a time (so that a failed download has
 * released its room before the journal is written), started with the disk's node command; `command`
 * and `out` run it another way or elsewhere.
 */
export async function renderOnDisk(
  disk: SmallDisk,
  file: string,
  env: Record<string, string>,
  { command = disk.command, out = disk.out }: { command?: string[]; out?: string } = {},
): Promise<CliRun> {
  const [program, ...prefix] = command;
  const run = await execa(program!, [...prefix, binPath, ...renderArgs(file, out, '--concurrency', '1')], {
    env: cleanEnv(env),
    extendEnv: true,
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: run.exitCode ?? -1, stdout: String(run.stdout), stderr: String(run.stderr) };
}

/** Where mounting is not permitted: the renderer's files may not grow past `bytes` until makeRoom(). */
function fileSizeLimitedDisk(out: string, bytes: number): SmallDisk {
  let limited = true;
  return {
    out,
    method: 'RLIMIT_FSIZE on the renderer (prlimit)',
    get command() {
      return limited ? nodeWithFileSizeLimit(bytes) : ['node'];
    },
    makeRoom: async () => {
      limited = false;
    },
    release: async () => {},
  };
}

/**
 * A disk with room for the journal but not for a clip of `clipBytes`: a tmpfs filled up to
 * `roomBytes`, or, where mounting is not permitted, a per-file size limit of `roomBytes` on the
 * renderer (its writes past it fail with EFBIG, as a full disk fails them with ENOSPC).
 */
export async function smallDisk(base: string, roomBytes: number): Promise<SmallDisk> {
  const mountPoint = path.join(base, 'small-disk');
  await mkdir(mountPoint, { recursive: true });
  const size = 4 * 1024 * 1024;
  if (tryMount(['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs'], mountPoint)) {
    afterTest(() => unmount(mountPoint));
    const filler = path.join(mountPoint, 'filler');
    await writeFile(filler, Buffer.alloc(size - roomBytes));
    return {
      out: path.join(mountPoint, 'output'),
      method: 'tmpfs with a filler file',
      command: ['node'],
      makeRoom: () => rm(filler, { force: true }),
      release: async () => unmount(mountPoint),
    };
  }
  return fileSizeLimitedDisk(path.join(mountPoint, 'output'), roomBytes);
}

/**
 * A disk on which the journal cannot grow once the first job's intent is on disk: a tmpfs with nine
 * inodes (six for the state folders, the lock and the first intent, three for the variant's folders
 * that a render makes before it submits; the next atomic write, the one that records the request id,
 * finds none), or, where
 * mounting is not permitted, a per-file size limit that lets the lock's owner file through but not a
 * journal record (so the first intent fails, before any request is sent).
 */
export async function journalDisk(base: string): Promise<SmallDisk> {
  const mountPoint = path.join(base, 'journal-disk');
  await mkdir(mountPoint, { recursive: true });
  if (tryMount(['-t', 'tmpfs', '-o', 'size=4m,nr_inodes=9', 'tmpfs'], mountPoint)) {
    afterTest(() => unmount(mountPoint));
    return {
      out: mountPoint,
      method: 'tmpfs with nine inodes',
      command: ['node'],
      makeRoom: async () => {
        execFileSync('mount', ['-o', 'remount,nr_inodes=10000', mountPoint], { stdio: 'ignore' });
      },
      release: async () => unmount(mountPoint),
    };
  }
  return fileSizeLimitedDisk(path.join(mountPoint, 'output'), 400);
}
