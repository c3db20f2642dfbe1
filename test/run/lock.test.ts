import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { OutputLockedError } from '../../src/errors.js';
import { outputLayout } from '../../src/run/layout.js';
import { lockOutput } from '../../src/run/lock.js';

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the output lock', () => {
  it('refuses a second holder, naming the first by pid, and is free again once released', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-lock-'));
    const layout = outputLayout(dir);
    const first = await lockOutput(layout, 'render ad.yaml');
    const refused = await lockOutput(layout, 'render ad.yaml').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OutputLockedError);
    expect((refused as Error).message).toContain(`storyreel process ${process.pid}`);
    expect((refused as Error).message).toContain('--out');
    await first.release();
    const second = await lockOutput(layout, 'render ad.yaml');
    await second.release();
  });

  it('stays held while it is refreshed (the owner file inside does not make it look lost)', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-lock-'));
    const layout = outputLayout(dir);
    const lost: string[] = [];
    const held = await lockOutput(layout, 'render ad.yaml', {
      staleMs: 2000,
      onLost: (why) => lost.push(why),
    });
    // proper-lockfile refreshes every second with this stale period: wait for a few refreshes.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(lost).toEqual([]);
    await expect(lockOutput(layout, 'render ad.yaml')).rejects.toThrow(OutputLockedError);
    await held.release();
  });

  it('takes over the lock of a process that was killed, at once', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-lock-'));
    const layout = outputLayout(dir);
    const held = await lockOutput(layout, 'render ad.yaml');
    // Make the lock look like one left by a process that no longer exists.
    const finished = await execa('node', ['-e', 'process.stdout.write(String(process.pid))']);
    const owner = JSON.parse(await readFile(layout.lockOwner, 'utf8'));
    await writeFile(layout.lockOwner, JSON.stringify({ ...owner, pid: Number(finished.stdout) }));
    const taken = await lockOutput(layout, 'render ad.yaml');
    expect(JSON.parse(await readFile(layout.lockOwner, 'utf8')).pid).toBe(process.pid);
    await taken.release();
    await held.release();
  });
});

describe('a held lock that looks stale', () => {
  it('is never free while its holder lives (a renderer stopped with Ctrl-Z cannot refresh it)', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-lock-'));
    const layout = outputLayout(dir);
    const held = await lockOutput(layout, 'render ad.yaml', { staleMs: 2000 });
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(layout.lockTarget, aMinuteAgo, aMinuteAgo); // what a minute of SIGSTOP leaves
    const refused = await lockOutput(layout, 'render ad.yaml', { staleMs: 2000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OutputLockedError);
    expect((refused as Error).message).toContain(`storyreel process ${process.pid}`);
    await held.release();
  });

  it('is taken over when its pid now belongs to another process (the holder is gone, the pid reused)', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-lock-'));
    const layout = outputLayout(dir);
    const held = await lockOutput(layout, 'render ad.yaml');
    const owner = JSON.parse(await readFile(layout.lockOwner, 'utf8'));
    expect(owner.started).toMatch(/\/\d+$/); // boot id / start time, from /proc
    // The parent (vitest) is alive, but it is not the process that wrote this owner file.
    await writeFile(layout.lockOwner, JSON.stringify({ ...owner, pid: process.ppid }));
    const taken = await lockOutput(layout, 'render ad.yaml');
    expect(JSON.parse(await readFile(layout.lockOwner, 'utf8')).pid).toBe(process.pid);
    await taken.release();
    await held.release();
  });
});
