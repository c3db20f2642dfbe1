/**
 * One render per output folder: the lock of a killed renderer is taken over (at once when its pid is
 * gone, after the stale period when it died before naming itself), and of two renders started at the
 * same instant exactly one runs while the other refuses with exit 2, naming it. Every job is paid once.
 */
import { mkdir, readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { auditPayments, cleanRunEvents, readJournal } from './support/checks.js';
import { mockEnv, startMock } from './support/mock.js';
import { waitFor } from './support/wait.js';
import { renderArgs, type Workspace, workspace, writeFilm } from './support/workspace.js';

let server: MockServer | undefined;
let ws: Workspace | undefined;
afterEach(async () => {
  await server?.close();
  await ws?.cleanup();
  server = undefined;
  ws = undefined;
});

const lockDir = (out: string) => path.join(out, '.storyreel', 'lock');
const ownerFile = (out: string) => path.join(lockDir(out), 'owner.json');
const exists = (file: string) =>
  readFile(file).then(
    () => true,
    () => false,
  );

describe('the output lock', () => {
  it('of a renderer killed mid-batch is taken over at once by the next render', async () => {
    server = await startMock({ generationMs: 3000 });
    ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: 2, prompt: 'killed holder' });
    const env = mockEnv(server);
    const child = spawnCli(renderArgs(file, ws.out), { env });
    await waitFor(() => exists(ownerFile(ws!.out)));
    // Killed once both request ids are on disk: the takeover, not the lost-answer window, is tested here.
    await waitFor(async () => (await readJournal(ws!.out)).records.filter((r) => r.requestId).length === 2);
    child.kill('SIGKILL');
    await child;
    expect(await exists(ownerFile(ws.out))).toBe(true); // left behind by the killed process

    cleanRunEvents(await runCli(renderArgs(file, ws.out), { env }), [0]);
    expect(auditPayments(server, (await readJournal(ws.out)).records)).toMatchObject({ paid: 2 });
  });

  it('left without an owner (killed between taking it and naming itself) is taken over, not refused for 30 s', async () => {
    // Found by the crash torture: such a lock refused every render for 30 s (proper-lockfile's stale
    // period), blaming "another storyreel process". A live holder names itself within milliseconds.
    server = await startMock();
    ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: 1, prompt: 'ownerless' });
    const env = mockEnv(server);
    await mkdir(lockDir(ws.out), { recursive: true }); // exactly what such a kill leaves

    cleanRunEvents(await runCli(renderArgs(file, ws.out), { env }), [0]);
    expect(server.submissions()).toBe(1);
  });

  it('left without an owner long ago (proper-lockfile found it stale) is taken over too', async () => {
    server = await startMock();
    ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: 1, prompt: 'stale ownerless' });
    await mkdir(lockDir(ws.out), { recursive: true });
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(lockDir(ws.out), aMinuteAgo, aMinuteAgo);
    cleanRunEvents(await runCli(renderArgs(file, ws.out), { env: mockEnv(server) }), [0]);
    expect(server.submissions()).toBe(1);
  });

  it('two renders started at the same instant: one renders, the other refuses naming it; each job paid once', async () => {
    server = await startMock({ generationMs: 400 });
    ws = await workspace();
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
      expect(String(loser.stdout)).toBe('');
    }
    const audit = auditPayments(server, (await readJournal(ws.out)).records);
    expect(audit).toMatchObject({ distinctJobs: 4, created: 4, paid: 4 });
  });
});
