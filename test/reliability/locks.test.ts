/**
 * One render per output folder: the lock of a killed renderer is taken over (at once when its pid is
 * gone, after the stale period when it died before naming itself), and of two renders started at the
 * same instant exactly one runs while the other refuses with exit 2, naming it. A stopped renderer
 * (Ctrl-Z, kill -STOP) keeps its lock however long it sleeps; one whose lock was taken anyway stops
 * paying at once and leaves the new holder's lock alone. Every job is paid once.
 */
import { mkdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, runCli, spawnCli } from '../helpers/cli.js';
import { auditPayments, cleanRunEvents, readJournal } from './support/checks.js';
import { mockEnv, startMock } from './support/mock.js';
import { waitFor } from './support/wait.js';
import { renderArgs, workspace, writeFilm } from './support/workspace.js';

const lockDir = (out: string) => path.join(out, '.storyreel', 'lock');
const ownerFile = (out: string) => path.join(lockDir(out), 'owner.json');
const exists = (file: string) =>
  readFile(file).then(
    () => true,
    () => false,
  );

/** With --json, a refused render's stdout is its one error event, and nothing else. */
function refusal(stdout: string): unknown {
  const lines = stdout.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

describe('the output lock', () => {
  it('of a renderer killed mid-batch is taken over at once by the next render', async () => {
    const server = await startMock({ generationMs: 3000 });
    const ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: 2, prompt: 'killed holder' });
    const env = mockEnv(server);
    const child = spawnCli(renderArgs(file, ws.out), { env });
    await waitFor(() => exists(ownerFile(ws.out)));
    // Killed once both request ids are on disk: the takeover, not the lost-answer window, is tested here.
    await waitFor(async () => (await readJournal(ws.out)).records.filter((r) => r.requestId).length === 2);
    child.kill('SIGKILL');
    await child;
    expect(await exists(ownerFile(ws.out))).toBe(true); // left behind by the killed process

    cleanRunEvents(await runCli(renderArgs(file, ws.out), { env }), [0]);
    expect(auditPayments(server, (await readJournal(ws.out)).records)).toMatchObject({ paid: 2 });
  });

  it('left without an owner (killed between taking it and naming itself) is taken over, not refused for 30 s', async () => {
    // Found by the crash torture: such a lock refused every render for 30 s (proper-lockfile's stale
    // period), blaming "another storyreel process". A live holder names itself within milliseconds.
    const server = await startMock();
    const ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: 1, prompt: 'ownerless' });
    const env = mockEnv(server);
    await mkdir(lockDir(ws.out), { recursive: true }); // exactly what such a kill leaves

    cleanRunEvents(await runCli(renderArgs(file, ws.out), { env }), [0]);
    expect(server.submissions()).toBe(1);
  });

  it('left without an owner long ago (proper-lockfile found it stale) is taken over too', async () => {
    const server = await startMock();
    const ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: 1, prompt: 'stale ownerless' });
    await mkdir(lockDir(ws.out), { recursive: true });
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(lockDir(ws.out), aMinuteAgo, aMinuteAgo);
    cleanRunEvents(await runCli(renderArgs(file, ws.out), { env: mockEnv(server) }), [0]);
    expect(server.submissions()).toBe(1);
  });

  it('two renders started at the same instant: one renders, the other refuses naming it; each job paid once', async () => {
    const server = await startMock({ generationMs: 400 });
    const ws = await workspace();
    const env = mockEnv(server);
    for (let round = 1; round <= 2; round++) {
      const file = await writeFilm(ws.dir, { name: `race${round}`, scenes: 2, prompt: `race ${round}` });
      const children = [
        spawnCli(renderArgs(file, ws.out), { env }),
        spawnCli(renderArgs(file, ws.out), { env }),
      ];
      const [a, b] = await Promise.all(children);
      expect([a!.exitCode, b!.exitCode].sort()).toEqual([0, 2]);
      const loser = a!.exitCode === 2 ? a! : b!;
      const winnerPid = a!.exitCode === 2 ? children[1]!.pid : children[0]!.pid;
      expect(String(loser.stderr)).toContain(`output is in use by storyreel process ${winnerPid} `);
      expect(String(loser.stderr)).toContain('--out');
      expect(refusal(String(loser.stdout))).toMatchObject({
        type: 'error',
        exitCode: 2,
        error: 'OutputLockedError',
      });
    }
    const audit = auditPayments(server, (await readJournal(ws.out)).records);
    expect(audit).toMatchObject({ distinctJobs: 4, created: 4, paid: 4 });
  });

  // The stale period is lowered to its minimum (2 s) so that the tests do not sleep for 30 s.
  const quickStale = (env: Record<string, string>) => ({ ...env, STORYREEL_LOCK_STALE_MS: '2000' });
  const requestIds = async (out: string) =>
    (await readJournal(out)).records.filter((r) => r.requestId).length;
  const finished = async (child: ReturnType<typeof spawnCli>): Promise<CliRun> => {
    const result = await child;
    return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  };
  const staleFor = async (out: string, ms: number) => Date.now() - (await stat(lockDir(out))).mtimeMs > ms;

  it('of a renderer stopped (kill -STOP) past the stale period is not taken: the next render is refused, naming it', async () => {
    // Found adversarially: after 35 s of SIGSTOP a second render took the lock, both rendered, and
    // the server had 22 submissions for 12 scenes.
    const server = await startMock({ generationMs: 1500 });
    const ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: 6, prompt: 'stopped holder' });
    const env = quickStale(mockEnv(server));
    const first = spawnCli(renderArgs(file, ws.out, '--concurrency', '2'), { env });
    await waitFor(async () => (await requestIds(ws.out)) === 2);
    first.kill('SIGSTOP');
    try {
      await waitFor(() => staleFor(ws.out, 2500));
      const second = await runCli(renderArgs(file, ws.out, '--concurrency', '2'), { env });
      expect(second.exitCode).toBe(2);
      expect(second.stderr).toContain(`in use by storyreel process ${first.pid} `);
      expect(second.stderr).toContain(`kill -CONT ${first.pid}`);
      expect(refusal(second.stdout)).toMatchObject({
        type: 'error',
        exitCode: 2,
        error: 'OutputLockedError',
      });
    } finally {
      first.kill('SIGCONT');
    }
    cleanRunEvents(await finished(first), [0]);
    expect(server.jobs()).toHaveLength(6);
    expect(auditPayments(server, (await readJournal(ws.out)).records)).toMatchObject({ paid: 6 });
    expect(await exists(ownerFile(ws.out))).toBe(false);
  });

  it('taken while its renderer was stopped: the renderer stops submitting at once, says so, and leaves the new lock alone', async () => {
    // What a renderer on another machine sharing the folder does once the lock is stale: it cannot
    // ask whether the holder lives. The old holder, resumed, carried on paying and then deleted the
    // new holder's owner file, so that a third render could take the lock too.
    const server = await startMock({ generationMs: 1500 });
    const ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: 6, prompt: 'lock taken' });
    const env = quickStale(mockEnv(server));
    const first = spawnCli(renderArgs(file, ws.out, '--concurrency', '2'), { env });
    await waitFor(async () => (await requestIds(ws.out)) === 2);
    first.kill('SIGSTOP');
    const newOwner = `${JSON.stringify({ pid: 4242, host: `not-${os.hostname()}`, command: 'storyreel render film.yaml', since: new Date().toISOString() })}\n`;
    let submittedBefore = 0;
    try {
      await rename(lockDir(ws.out), `${lockDir(ws.out)}.taken`);
      await mkdir(lockDir(ws.out));
      await writeFile(ownerFile(ws.out), newOwner);
      submittedBefore = server.jobs().length;
    } finally {
      first.kill('SIGCONT');
    }
    const run = await finished(first);
    const events = cleanRunEvents(run, [1]);
    expect(server.jobs()).toHaveLength(submittedBefore); // not one more submission once resumed
    expect(events.at(-1)).toMatchObject({ type: 'summary', outcome: 'stopped' });
    const warning = events.find((e) => e.type === 'warning' && e.code === 'batch_stopped');
    expect(warning).toMatchObject({ message: expect.stringContaining(`the lock on ${ws.out} was lost`) });
    expect(JSON.stringify(warning)).toContain(`storyreel process 4242 on not-${os.hostname()}`);
    expect(await readFile(ownerFile(ws.out), 'utf8')).toBe(newOwner); // the new holder's, untouched
    // What it had submitted is journaled: the next render (once the folder is free) collects, never repays.
    await rename(lockDir(ws.out), `${lockDir(ws.out)}.done`);
    cleanRunEvents(await runCli(renderArgs(file, ws.out), { env }), [0]);
    expect(auditPayments(server, (await readJournal(ws.out)).records)).toMatchObject({ paid: 6, created: 6 });
  });
});
