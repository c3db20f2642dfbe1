import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probe } from '../../src/media/probe.js';
import { runCli } from '../helpers/cli.js';
import {
  jsonEvents,
  mockEnv,
  mockServer,
  readReport,
  renderArgs,
  scenes,
  workspace,
  writeStoryboard,
} from './support.js';

describe('storyreel render against the mock RunComfy server', () => {
  it('renders a film, clips and report.json; a rerun submits nothing; an edited scene alone is submitted again', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const env = mockEnv(server);

    const first = await runCli(renderArgs(file, ws.out), { env });
    expect(first.stderr).not.toContain('internal error');
    expect(first.exitCode).toBe(0);
    expect(server.submissions()).toBe(3);
    const variantDir = path.join(ws.out, 'film', 'default');
    expect((await readdir(path.join(variantDir, 'clips'))).sort()).toEqual([
      '01-scene1.mp4',
      '02-scene2.mp4',
      '03-scene3.mp4',
    ]);
    const film = await probe(path.join(variantDir, 'film.mp4'));
    expect(film.durationSec).toBeGreaterThan(8.5);
    expect(film.durationSec).toBeLessThan(9.6);
    const report = await readReport(ws.out, 'film');
    expect(report.status).toBe('complete');
    expect(report.film).toMatchObject({
      path: 'film.mp4',
      bytes: (await stat(path.join(variantDir, 'film.mp4'))).size,
    });
    expect(report.scenes.map((scene) => scene.status)).toEqual(['verified', 'verified', 'verified']);
    for (const scene of report.scenes) expect(scene.requestId).toMatch(/\S/);
    expect(first.stdout).toContain(path.join(variantDir, 'film.mp4'));

    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode).toBe(0);
    expect(server.submissions()).toBe(3);
    expect(rerun.stdout).toContain('0 submission(s) sent');

    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('scene number 2', 'scene number 2, now at night'));
    const edited = await runCli(renderArgs(file, ws.out), { env });
    expect(edited.exitCode).toBe(0);
    expect(server.submissions()).toBe(4);
    const after = await readReport(ws.out, 'film');
    expect(after.scenes.map((scene) => scene.reused)).toEqual([true, false, true]);
    expect(after.scenes[1]!.prompt).toContain('now at night');
  });

  it('failed generations give exit 1 with the reason and the resume command; a rerun submits only them', async () => {
    const server = await mockServer({ faults: ['generation:fail:next=2:message=content policy violation'] });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(4));
    const env = mockEnv(server);

    const first = await runCli(renderArgs(file, ws.out, '--concurrency', '1'), { env });
    expect(first.exitCode).toBe(1);
    expect(server.submissions()).toBe(4);
    expect(first.stdout).toContain('content policy violation');
    expect(first.stdout).toContain(
      `storyreel render ${file} --concurrency 1 --out ${ws.out} --poll-interval 0.05`,
    );
    const report = await readReport(ws.out, 'film');
    expect(report.status).toBe('incomplete');
    expect(report.film).toBeUndefined();
    expect(report.scenes.filter((scene) => scene.status === 'failed')).toHaveLength(2);
    await expect(stat(path.join(ws.out, 'film', 'default', 'film.mp4'))).rejects.toThrow();

    const rerun = await runCli(renderArgs(file, ws.out), { env });
    expect(rerun.exitCode).toBe(0);
    expect(server.submissions()).toBe(6);
    expect((await readReport(ws.out, 'film')).status).toBe('complete');
  });

  it('--json prints only JSON events on stdout, ending with the summary', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const run = await runCli(renderArgs(file, ws.out, '--json'), { env: mockEnv(server) });
    expect(run.exitCode).toBe(0);
    const events = jsonEvents(run.stdout);
    expect(events[0]).toMatchObject({ type: 'plan', jobs: { total: 2, toSubmit: 2 } });
    // Each job's request id is announced as it is queued (again with its place when the remote queue says).
    const queued = events.filter((e) => e.type === 'job' && e.state === 'queued' && e.requestId);
    expect(new Set(queued.map((e) => (e.type === 'job' ? e.requestId : undefined))).size).toBe(2);
    expect(events.filter((e) => e.type === 'downloaded')).toHaveLength(2);
    expect(events).toContainEqual(expect.objectContaining({ type: 'film', variant: 'default' }));
    expect(events.at(-1)).toMatchObject({ type: 'summary', outcome: 'complete', exitCode: 0, submitted: 2 });
    expect(run.stderr).toContain('Done in');
  });

  it('refuses above --max-cost with exit 3, the figures, and no request sent', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const run = await runCli(renderArgs(file, ws.out, '--max-cost', '0.50'), { env: mockEnv(server) });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('above --max-cost $0.50');
    expect(run.stderr).toContain('3 of 3 distinct jobs to generate');
    expect(server.requests).toHaveLength(0);
    await expect(readdir(path.join(ws.out, '.storyreel', 'jobs'))).rejects.toThrow();
  });

  it('a storyboard problem stops everything with exit 2 before anything is sent or written', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const good = await writeStoryboard(ws.dir, scenes(2), { name: 'good' });
    const bad = path.join(ws.dir, 'bad.yaml');
    await writeFile(bad, 'version: 1\nscenes:\n  - id: one\n    prompt: a\n    duration: 99\n');
    const run = await runCli(renderArgs(good, ws.out).concat(bad), { env: mockEnv(server) });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/bad\.yaml:5:\d+/);
    expect(server.requests).toHaveLength(0);
    await expect(stat(ws.out)).rejects.toThrow();
  });

  it("refuses a storyboard whose file name would name one of storyreel's own folders, before anything", async () => {
    // `.storyreel.yaml` wrote its film into the journal's folder, `..yaml` into the output folder's root.
    const server = await mockServer();
    const ws = await workspace();
    const valid = await writeStoryboard(ws.dir, scenes(1));
    const text = await readFile(valid, 'utf8');
    for (const name of ['.storyreel.yaml', '..yaml', 'index.html.yaml', '.STORYREEL.yml']) {
      const file = path.join(ws.dir, name);
      await writeFile(file, text);
      for (const args of [renderArgs(file, ws.out), ['validate', file]]) {
        const run = await runCli(args, { env: mockEnv(server) });
        expect({ name, command: args[0], exit: run.exitCode }).toEqual({ name, command: args[0], exit: 2 });
        expect(run.stderr).toContain(`${file}:`);
        expect(run.stderr).toContain('rename the file');
      }
    }
    expect(server.requests).toHaveLength(0);
    await expect(stat(ws.out)).rejects.toThrow();
  });

  it('a base URL whose path prefix the server does not know: one 404 on submit stops the batch, naming the URL', async () => {
    // Every scene failed as "rejected ... Fix the scene and rerun", as if the scenes were at fault.
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(4));
    const wrong = { ...mockEnv(server), RUNCOMFY_BASE_URL: `${server.url}/runcomfy` };
    const run = await runCli(renderArgs(file, ws.out, '--concurrency', '1', '--json'), { env: wrong });
    expect(run.exitCode).toBe(1);
    expect(server.requests).toHaveLength(1); // one submit, to the wrong path; nothing else sent
    expect(server.jobs()).toHaveLength(0);
    const events = jsonEvents(run.stdout);
    const summary = events.at(-1);
    expect(summary).toMatchObject({
      type: 'summary',
      outcome: 'stopped',
      jobs: { failed: 1, notStarted: 3 },
    });
    const stopped = events.find((e) => e.type === 'warning' && e.code === 'batch_stopped');
    expect(JSON.stringify(stopped)).toContain(`no submit endpoint at ${server.url}/runcomfy/v1/`);
    expect(JSON.stringify(stopped)).toContain('RUNCOMFY_BASE_URL');
    expect(run.stdout + run.stderr).not.toContain('Fix the scene');
    // Fixed, the rerun pays for each scene once: nothing was created by the wrong URL.
    const fixed = await runCli(renderArgs(file, ws.out), { env: mockEnv(server) });
    expect(fixed.exitCode).toBe(0);
    expect(server.submissions()).toBe(4);
  });

  it('without a token, says how to set one, exits 2 and sends nothing', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(1));
    const run = await runCli(renderArgs(file, ws.out), { env: { RUNCOMFY_BASE_URL: server.url } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('RUNCOMFY_API_TOKEN');
    expect(run.stderr).toContain('--provider preview');
    expect(server.requests).toHaveLength(0);
  });
});
