/**
 * Request ids the provider no longer knows after a resume (404, error_code 404001): the renderer was
 * stopped with jobs in flight, and the next render talks to a server that has never heard of them
 * (expired ids; here, a fresh mock server). Each is reported and submitted again, the film is the
 * right one, and every extra payment is one the journal and the warnings account for.
 */
import { describe, expect, it } from 'vitest';
import type { WarningEvent } from '../../src/run/events.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { auditPayments, cleanRunEvents, filmFingerprint, readJournal } from './support/checks.js';
import { SHAPE } from './support/fault-lists.js';
import { mockEnv, startMock } from './support/mock.js';
import { cliRenderer } from './support/renderers.js';
import { referenceFilm } from './support/scenario.js';
import { waitFor } from './support/wait.js';
import { filmPath, renderArgs, workspace, writeFilm } from './support/workspace.js';

describe('request ids unknown to the provider after a resume', () => {
  it('are reported, submitted again once, and the film is right', async () => {
    const reference = await referenceFilm(cliRenderer, SHAPE);
    const first = await startMock({ generationMs: 5000 });
    const ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: SHAPE.scenes, prompt: 'forgotten' });
    const child = spawnCli(renderArgs(file, ws.out, '--concurrency', '3'), { env: mockEnv(first) });
    await waitFor(
      async () => (await readJournal(ws.out)).records.filter((r) => r.requestId).length === SHAPE.scenes,
    );
    child.kill('SIGINT');
    const interrupted = await child;
    expect(interrupted.exitCode).toBe(130);

    const second = await startMock();
    const rerun = await cliRenderer(second, { file, out: ws.out });
    const events = cleanRunEvents(
      { exitCode: rerun.exitCode, stdout: rerun.stdout, stderr: rerun.stderr },
      [0],
    );
    const forgotten = events.filter(
      (e): e is WarningEvent => e.type === 'warning' && e.code === 'request_not_found',
    );
    expect(forgotten).toHaveLength(SHAPE.scenes);
    expect(second.submissions()).toBe(SHAPE.scenes);

    const { records } = await readJournal(ws.out);
    for (const record of records) {
      expect(record.submissions.map((s) => s.outcome)).toEqual(['not_found', 'accepted']);
    }
    // Both servers generated each job once: two payments per job, both on record.
    const audit = auditPayments([first, second], records);
    expect(audit).toMatchObject({
      paid: 2 * SHAPE.scenes,
      reportedExtra: SHAPE.scenes,
      unreportedDuplicates: 0,
    });
    expect(await filmFingerprint(filmPath(ws.out))).toEqual(reference);
  });

  it("a wrong RUNCOMFY_BASE_URL on resume (404s without RunComfy's error code) stops the batch, keeps the ids, pays nothing again", async () => {
    // Every status poll of the resume met the server's own "no such route" 404: after 5 of them each
    // job was taken for forgotten by the provider, its request id marked not_found, and the run with
    // the base URL fixed paid for every scene a second time.
    const server = await startMock({ slots: 0 }); // the jobs stay queued until the fixed rerun
    const ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: SHAPE.scenes, prompt: 'wrong base url' });
    const child = spawnCli(renderArgs(file, ws.out, '--concurrency', '3'), { env: mockEnv(server) });
    await waitFor(
      async () => (await readJournal(ws.out)).records.filter((r) => r.requestId).length === SHAPE.scenes,
    );
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(130);
    const paidFirst = server.jobs().map((job) => job.id);
    expect(paidFirst).toHaveLength(SHAPE.scenes);

    const wrongUrl = `${server.url}/runcomfy`;
    const wrong = await runCli(renderArgs(file, ws.out), {
      env: { ...mockEnv(server), RUNCOMFY_BASE_URL: wrongUrl },
    });
    const events = cleanRunEvents(wrong, [1]);
    expect(events.filter((e) => e.type === 'warning' && e.code === 'request_not_found')).toEqual([]);
    const stopped = events.find((e): e is WarningEvent => e.type === 'warning' && e.code === 'batch_stopped');
    expect(stopped?.message).toContain(`${wrongUrl}/v1/requests/`);
    expect(stopped?.message).toContain('RUNCOMFY_BASE_URL');
    expect(server.jobs().map((job) => job.id)).toEqual(paidFirst);
    const { records } = await readJournal(ws.out);
    for (const record of records) {
      expect(paidFirst).toContain(record.requestId);
      expect(record.submissions.map((s) => s.outcome)).toEqual(['accepted']);
    }

    server.setTiming({ slots: 4 });
    cleanRunEvents(await cliRenderer(server, { file, out: ws.out }), [0]);
    expect(server.jobs().map((job) => job.id)).toEqual(paidFirst); // each scene paid once, in all
  });
});
