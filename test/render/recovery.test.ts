import { readdir, rm, truncate } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import {
  journalRecords,
  mockEnv,
  mockServer,
  readReport,
  renderArgs,
  scenes,
  workspace,
  writeStoryboard,
} from './support.js';

describe('recovering from what happens between runs', () => {
  it('a refused token stops the batch with the fix; with the right token the rerun finishes', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const refused = await runCli(renderArgs(file, ws.out, '--concurrency', '1'), {
      env: { RUNCOMFY_BASE_URL: server.url, RUNCOMFY_API_TOKEN: 'revoked-token' },
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain('Stopped');
    expect(refused.stdout).toContain('RUNCOMFY_API_TOKEN');
    expect(refused.stdout).toContain('2 not submitted');
    expect(server.jobs()).toHaveLength(0);

    const rerun = await runCli(renderArgs(file, ws.out), { env: mockEnv(server) });
    expect(rerun.exitCode).toBe(0);
    expect(server.jobs()).toHaveLength(3);
  });

  it('a job past --timeout is reported with its request id, and the rerun collects it without paying again', async () => {
    const server = await mockServer({ generationMs: 2500 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(1));
    const env = mockEnv(server);
    const first = await runCli(renderArgs(file, ws.out, '--timeout', '0.01'), { env });
    expect(first.exitCode).toBe(1);
    const [record] = await journalRecords(ws.out);
    expect(record).toMatchObject({ state: 'timed_out', requestId: expect.any(String) });
    expect(first.stdout).toContain(`timed out: no clip after 0.6 s (request ${record!.requestId} kept`);

    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode).toBe(0);
    expect(server.submissions()).toBe(1);
    expect((await readReport(ws.out, 'film')).scenes[0]!.requestId).toBe(record!.requestId);
  });

  it('a stored clip deleted or damaged by hand is fetched again by its request id, not paid again', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const env = mockEnv(server);
    expect((await runCli(renderArgs(file, ws.out), { env })).exitCode).toBe(0);
    const store = path.join(ws.out, '.storyreel', 'clips');
    const [first, second] = (await readdir(store)).sort();
    await rm(path.join(store, first!));
    await truncate(path.join(store, second!), 2000);

    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode).toBe(0);
    expect(rerun.stderr).toContain('the stored clip is unusable');
    expect(server.submissions()).toBe(3);
    expect((await readReport(ws.out, 'film')).status).toBe('complete');
    expect((await readdir(store)).sort()).toEqual([first, second, expect.any(String)].sort());
  });
});
