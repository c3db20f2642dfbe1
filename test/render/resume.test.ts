/**
 * Real life: Ctrl-C, SIGKILL at several points, a second render on the same folder. Every scene must
 * end up paid for once; the only exception is a POST whose answer was lost, which is reported.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import {
  journalRecords,
  mockEnv,
  mockServer,
  readReport,
  renderArgs,
  requestsTo,
  scenes,
  waitFor,
  workspace,
  writeStoryboard,
} from './support.js';

interface Submission {
  requestId: string | null;
  outcome: string;
}

async function submissionsInJournal(out: string): Promise<Submission[]> {
  return (await journalRecords(out)).flatMap((record) => record.submissions as Submission[]);
}

describe('resuming a render', () => {
  it('Ctrl-C exits 130 with the resume command, keeps the request ids, and the rerun pays nothing more', async () => {
    const server = await mockServer({ generationMs: 3000, slots: 3 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const env = mockEnv(server);
    const child = spawnCli(renderArgs(file, ws.out, '--concurrency', '3'), { env });
    await waitFor(() => server.submissions() === 3 && requestsTo(server!, 'status') > 0);
    child.kill('SIGINT');
    const interrupted = await child;
    expect(interrupted.exitCode).toBe(130);
    expect(interrupted.stderr).toContain('Ctrl-C: no new submissions');
    expect(interrupted.stdout).toContain('Interrupted');
    expect(interrupted.stdout).toContain('3 still running remotely (request ids kept)');
    expect(interrupted.stdout).toContain(`storyreel render ${file} --concurrency 3 --out ${ws.out}`);
    const records = await journalRecords(ws.out);
    expect(records).toHaveLength(3);
    for (const record of records) expect(record.requestId).toEqual(expect.any(String));
    expect((await readReport(ws.out, 'film')).status).toBe('incomplete');

    const resumed = await runCli(renderArgs(file, ws.out), { env });
    expect(resumed.exitCode).toBe(0);
    expect(server.submissions()).toBe(3);
    expect((await readReport(ws.out, 'film')).status).toBe('complete');
  });

  it('killed right after a submission reached the server: the rerun finishes, paying at most once more, and says so', async () => {
    const server = await mockServer({ generationMs: 500 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const env = mockEnv(server);
    const child = spawnCli(renderArgs(file, ws.out, '--concurrency', '1'), { env });
    await waitFor(() => server.submissions() >= 1);
    child.kill('SIGKILL');
    await child;

    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode).toBe(0);
    const extra = server.submissions() - 3;
    expect(extra).toBeGreaterThanOrEqual(0);
    expect(extra).toBeLessThanOrEqual(1);
    const unanswered = (await submissionsInJournal(ws.out)).filter((s) => s.requestId === null);
    expect(unanswered).toHaveLength(extra);
    if (extra === 1) expect(rerun.stderr).toContain('may already have been submitted');
    else expect(rerun.stderr).not.toContain('may already have been submitted');
  });

  it('killed while polling: the rerun collects the job by its request id and submits nothing twice', async () => {
    const server = await mockServer({ generationMs: 2000 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const env = mockEnv(server);
    const child = spawnCli(renderArgs(file, ws.out, '--concurrency', '2'), { env });
    await waitFor(() => requestsTo(server!, 'status') >= 2);
    child.kill('SIGKILL');
    await child;
    const before = server.submissions();

    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode).toBe(0);
    expect(server.submissions()).toBe(3);
    expect(before).toBeGreaterThanOrEqual(1);
    expect(rerun.stderr).not.toContain('may already have been submitted');
    expect((await submissionsInJournal(ws.out)).every((s) => s.outcome === 'accepted')).toBe(true);
  });

  it('killed during a download: the rerun downloads it again without a new submission', async () => {
    const server = await mockServer({ generationMs: 200, faults: ['media:hang:next=1'] });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const env = mockEnv(server);
    const child = spawnCli(renderArgs(file, ws.out, '--concurrency', '1'), { env });
    // The first job's slot goes to the second as soon as RunComfy says completed (its download runs
    // in a pool of its own): killed once that submission's request id is on disk too, so that the
    // kill lands in the download, not in a submission's window (a kill mid-submit is tested above).
    await waitFor(async () => {
      const withIds = (await journalRecords(ws.out)).filter((record) => record.requestId);
      return server.requests.some((entry) => entry.listener === 'media') && withIds.length === 2;
    });
    child.kill('SIGKILL');
    await child;
    const downloading = (await journalRecords(ws.out)).find((record) => record.state === 'downloading');
    expect(downloading?.requestId).toEqual(expect.any(String));
    server.clearFaults();

    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode).toBe(0);
    expect(server.submissions()).toBe(2);
    const report = await readReport(ws.out, 'film');
    expect(report.scenes.map((scene) => scene.requestId)).toContain(downloading!.requestId);
  });

  it('a second render of the same output folder is refused while the first runs, naming its pid', async () => {
    const server = await mockServer({ generationMs: 600_000 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(1));
    const env = mockEnv(server);
    const first = spawnCli(renderArgs(file, ws.out), { env });
    const owner = path.join(ws.out, '.storyreel', 'lock', 'owner.json');
    await waitFor(() =>
      access(owner).then(
        () => true,
        () => false,
      ),
    );
    const second = await runCli(renderArgs(file, ws.out), { env });
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toContain(`in use by storyreel process ${first.pid}`);
    expect(JSON.parse(await readFile(owner, 'utf8')).pid).toBe(first.pid);
    first.kill('SIGINT');
    expect((await first).exitCode).toBe(130);
    expect(server.submissions()).toBe(1);
  });
});

describe('a second Ctrl-C', () => {
  it('exits at once, even while the first waits for a submission to answer, and the intent is on disk', async () => {
    const server = await mockServer({ faults: ['submit:hang:next=1'] });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const child = spawnCli(renderArgs(file, ws.out, '--concurrency', '1'), { env: mockEnv(server) });
    await waitFor(() => server.submissions() === 1);
    child.kill('SIGINT');
    // The first Ctrl-C waits for the POST's answer (it carries the id of a paid job)...
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(child.exitCode).toBeNull();
    // ...the second does not.
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const [record] = await journalRecords(ws.out);
    expect(record).toMatchObject({
      state: 'submitting',
      submissions: [{ requestId: null, outcome: 'pending' }],
    });
    const status = await runCli(['status', file, '--out', ws.out]);
    expect(status.stdout).toContain('MAY HAVE BEEN SUBMITTED');
  });
});

describe('a submission whose answer is lost', () => {
  it('is journaled as may-have-been-submitted (exit 1), and the rerun reports it and submits it again', async () => {
    const server = await mockServer({ faults: ['submit:reset:next=1'] });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const env = mockEnv(server);
    const first = await runCli(renderArgs(file, ws.out, '--concurrency', '1'), { env });
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toContain('the job may have been created and paid for');
    const unanswered = (await submissionsInJournal(ws.out)).filter((s) => s.requestId === null);
    expect(unanswered).toEqual([expect.objectContaining({ outcome: 'ambiguous' })]);

    const status = await runCli(['status', file, '--out', ws.out]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('MAY HAVE BEEN SUBMITTED');

    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode).toBe(0);
    expect(rerun.stderr).toContain('1 job(s) may already have been submitted');
    expect(server.submissions()).toBe(3);
  });
});
