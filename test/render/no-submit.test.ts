/**
 * `render --no-submit`: finish from what the store holds, never sending a submission. Each test
 * points the finishing render at a fresh mock server, so "no request at all" is its empty logs.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/providers/mock-server/server.js';
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

async function server(options: Parameters<typeof mockServer>[0] = {}): Promise<MockServer> {
  const started = await mockServer(options);
  return started;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

describe('render --no-submit', () => {
  it('joins a film from the store alone, sending no request', async () => {
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const paid = await server();
    expect((await runCli(renderArgs(file, ws.out), { env: mockEnv(paid) })).exitCode).toBe(0);
    const film = path.join(ws.out, 'film', 'default', 'film.mp4');

    const fresh = await server();
    const finished = await runCli(renderArgs(file, ws.out, '--no-submit'), { env: mockEnv(fresh) });
    expect(finished.exitCode).toBe(0);
    expect(fresh.requests).toHaveLength(0);
    expect(await exists(film)).toBe(true);
    expect((await readReport(ws.out, 'film')).status).toBe('complete');
  });

  it('exits 1 naming each job the store lacks, sends nothing and journals nothing for it', async () => {
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const paid = await server();
    expect((await runCli(renderArgs(file, ws.out), { env: mockEnv(paid) })).exitCode).toBe(0);
    // The storyboard gains a scene and another is edited: two jobs the store does not hold.
    await writeStoryboard(ws.dir, [
      { id: 'scene1', prompt: 'scene number 1' },
      { id: 'scene2', prompt: 'scene two, edited' },
      { id: 'added', prompt: 'a new ending' },
    ]);

    const fresh = await server();
    const run = await runCli(renderArgs(file, ws.out, '--no-submit', '--max-cost', '0'), {
      env: mockEnv(fresh),
    });
    expect(run.exitCode).toBe(1);
    expect(fresh.requests).toHaveLength(0);
    expect(fresh.jobs()).toHaveLength(0);
    expect(run.stderr).toMatch(/--no-submit: 2 job\(s\) are not in the store.*scene2.*added/);
    expect(run.stdout).toContain('Missing (not in the store; --no-submit sent nothing): 2 job(s):');
    expect(run.stdout).toMatch(/^ {2}scene2 \(film\/default\)/m);
    expect(run.stdout).toMatch(/^ {2}added \(film\/default\)/m);
    expect(run.stdout).toContain('0 submission(s) sent');
    expect(run.stdout).toMatch(/^ {2}.*storyreel render \S+film\.yaml .*--no-submit$/m);

    const report = await readReport(ws.out, 'film');
    expect(report.status).toBe('incomplete');
    expect(report.film).toBeUndefined();
    expect(await journalRecords(ws.out)).toHaveLength(2); // the two paid jobs only
  });

  it('collects a job an earlier run submitted, by its request id, without submitting anything', async () => {
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const slow = await server({ generationMs: 2500 });
    const env = mockEnv(slow);
    const child = spawnCli(renderArgs(file, ws.out, '--concurrency', '2'), { env });
    await waitFor(() => slow.submissions() === 2 && requestsTo(slow, 'status') > 0);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(130);

    const finished = await runCli(renderArgs(file, ws.out, '--no-submit'), { env });
    expect(finished.exitCode).toBe(0);
    expect(slow.submissions()).toBe(2);
    expect((await readReport(ws.out, 'film')).status).toBe('complete');
  });
});
