/**
 * The times report.json and report.html give a scene, held against the mock server's own clock (its
 * request log and job list): when the request was really sent, and when generation really started.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { elapsed, formatDuration } from '../../src/report/format.js';
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

const ms = (iso: string | undefined) => new Date(iso!).getTime();

describe('report timings', () => {
  it('submittedAt is when the request was sent, not when it started waiting to be (a 429 first)', async () => {
    // The first POST is refused with a 429 asking for a second's pause: the request that creates
    // the job leaves only after that answer, well after the intent was journaled.
    const server = await mockServer({ faults: ['submit:429:next=1:retry-after=1'] });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(1));
    const run = await runCli(renderArgs(file, ws.out), { env: mockEnv(server) });
    expect(run.exitCode).toBe(0);

    const submits = server.requests.filter((entry) => entry.endpoint === 'submit');
    expect(submits.map((entry) => entry.outcome)).toEqual([429, 200]);
    const [job] = server.jobs();
    const { timings } = (await readReport(ws.out, 'film')).scenes[0]!;
    expect(ms(timings.submittedAt)).toBeGreaterThanOrEqual(submits[0]!.at);
    expect(ms(timings.submittedAt)).toBeLessThanOrEqual(job!.submittedAt);
    expect(ms(timings.answeredAt)).toBeGreaterThanOrEqual(job!.submittedAt);
    const page = await readFile(path.join(ws.out, 'film', 'default', 'report.html'), 'utf8');
    const submitToResult = elapsed(timings.submittedAt, timings.completedAt)!;
    expect(page).toContain(`<dt>Submit to result</dt><dd>${formatDuration(submitToResult)}</dd>`);
  });

  it('startedAt after a resume is when an earlier run first saw the job generating', async () => {
    const server = await mockServer({ queueMs: 0, generationMs: 4_000 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(1));
    const env = mockEnv(server);
    const first = await runCli(renderArgs(file, ws.out, '--timeout', '0.03'), { env });
    expect(first.exitCode).toBe(1);
    const [record] = (await journalRecords(ws.out)) as { transitions: { state: string; at: string }[] }[];
    const seenGenerating = record!.transitions.find((transition) => transition.state === 'generating');
    expect(seenGenerating).toBeDefined();

    const resumedAt = Date.now();
    const resume = await runCli(renderArgs(file, ws.out), { env });
    expect(resume.exitCode).toBe(0);
    const { timings } = (await readReport(ws.out, 'film')).scenes[0]!;
    expect(timings.startedAt).toBe(seenGenerating!.at);
    expect(ms(timings.startedAt)).toBeLessThan(resumedAt);
    expect(ms(timings.startedAt)).toBeGreaterThanOrEqual(server.jobs()[0]!.startedAt!);
  });
});
