/**
 * The signals that end a render from outside (SIGTERM from a supervisor, SIGHUP when the terminal or
 * SSH session closes, SIGQUIT from Ctrl-\) each get the orderly stop of a first Ctrl-C: no new
 * submissions, every answer that arrives journaled, exit 130 with the summary, and a rerun that pays
 * for nothing twice. SIGHUP used to kill the render at once (exit 129, nothing saved).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { binPath, type CliRun, cleanEnv, runCli, spawnCli } from '../helpers/cli.js';
import { auditPayments, cleanRunEvents, readJournal } from './support/checks.js';
import { mockEnv, startMock } from './support/mock.js';
import { waitFor } from './support/wait.js';
import { renderArgs, workspace, writeFilm } from './support/workspace.js';

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

const SIGNALS = ['SIGHUP', 'SIGTERM', 'SIGQUIT'] as const;

describe('a render stopped by a signal from outside', () => {
  it(`stops in order on each of ${SIGNALS.join(', ')}: exit 130, state saved, nothing paid twice`, async () => {
    const server = await startMock({ generationMs: 1500 });
    const ws = await workspace();
    const scenes = 2 * SIGNALS.length + 2;
    const file = await writeFilm(ws.dir, { scenes, prompt: 'signalled' });
    const env = mockEnv(server);
    const args = renderArgs(file, ws.out, '--concurrency', '2');
    const runs: CliRun[] = [];
    for (const [round, signal] of SIGNALS.entries()) {
      const child = spawnCli(args, { env });
      // Stopped once this run has two more request ids on disk, i.e. mid-batch, jobs in flight.
      const wanted = 2 * (round + 1);
      await waitFor(
        async () => (await readJournal(ws.out)).records.filter((r) => r.requestId).length >= wanted,
      );
      child.kill(signal);
      const result = await child;
      expect({ signal, exit: result.exitCode, killedBy: result.signal }).toEqual({
        signal,
        exit: 130,
        killedBy: undefined,
      });
      const run = { exitCode: 130, stdout: String(result.stdout), stderr: String(result.stderr) };
      const events = cleanRunEvents(run, [130]);
      expect(events.at(-1)).toMatchObject({ type: 'summary', outcome: 'interrupted' });
      expect(run.stderr).toContain(`${signal}: no new submissions`);
      runs.push(run);
    }
    const last = await runCli(args, { env });
    cleanRunEvents(last, [0]);
    for (const run of [...runs, last]) expect(run.stdout).not.toContain('may_have_been_submitted');
    const audit = auditPayments(server, (await readJournal(ws.out)).records);
    expect(audit).toMatchObject({ distinctJobs: scenes, created: scenes, paid: scenes });
  });

  it('a closed terminal (its pty gone under the live display): the render stops in order, the rerun pays nothing twice', async () => {
    // What closing a terminal window or losing an SSH session does: the kernel hangs up the pty,
    // SIGHUP arrives, and every later write to the display fails (EIO).
    const server = await startMock({ generationMs: 1500 });
    const ws = await workspace();
    const scenes = 6;
    const file = await writeFilm(ws.dir, { scenes, prompt: 'hung up' });
    const env = mockEnv(server);
    const args = ['render', file, '--out', ws.out, '--poll-interval', '0.05', '--concurrency', '2'];
    const command = `stty cols 100 rows 30; node ${[binPath, ...args].map(quote).join(' ')}`;
    const terminal = execa('script', ['-qefc', command, '/dev/null'], {
      env: { ...cleanEnv(env), SHELL: '/bin/sh' },
      extendEnv: true,
      reject: false,
      input: '',
    });
    const owner = path.join(ws.out, '.storyreel', 'lock', 'owner.json');
    await waitFor(async () => (await readJournal(ws.out)).records.filter((r) => r.requestId).length >= 2);
    terminal.kill('SIGKILL'); // the terminal goes away; the renderer is left with a hung-up pty
    await terminal;
    // An orderly stop releases the lock; a crash or a kill leaves its owner file behind.
    await waitFor(() =>
      stat(owner).then(
        () => false,
        () => true,
      ),
    );
    const rerun = cleanRunEvents(await runCli(renderArgs(file, ws.out), { env }), [0]);
    expect(rerun.filter((e) => e.type === 'warning')).toEqual([]);
    const audit = auditPayments(server, (await readJournal(ws.out)).records);
    expect(audit).toMatchObject({ distinctJobs: scenes, created: scenes, paid: scenes });
  });
});
