/**
 * Every figure storyreel shows about money, compared with the mock server's own truth (its job list
 * and request log): what cancel says it stopped, what plan says is still to pay, what --max-cost
 * refuses, what a free preview costs.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MOCK_PRICES } from '../../src/providers/mock-server/routes.js';
import type { MockJob } from '../../src/providers/mock-server/server.js';
import type { PlanEvent, RunEvent } from '../../src/run/events.js';
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

interface JsonPlanJob {
  key: string;
  status: string;
  toPay: boolean;
}

/** What the mock server charges for its jobs: its own price for each completed job it holds. */
function charged(jobs: MockJob[]): number {
  const cost = (job: MockJob) =>
    (job.payload.duration ?? 5) * (job.payload.sound === false ? MOCK_PRICES.silent : MOCK_PRICES.withSound);
  return usd(jobs.filter((job) => job.state === 'completed').reduce((sum, job) => sum + cost(job), 0));
}

function usd(amount: number): number {
  return Math.round(amount * 10_000) / 10_000;
}

function planEventOf(events: RunEvent[]): PlanEvent {
  return events.find((event): event is PlanEvent => event.type === 'plan')!;
}

describe('money after a render that timed out', () => {
  it('plan and render agree that nothing is left to pay; cancel stops the queued jobs and names the charged one', async () => {
    // One slot, a long generation: the first job generates, the other two wait in the queue.
    const server = await mockServer({ slots: 1, queueMs: 0, generationMs: 600_000 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const env = mockEnv(server);
    const timedOut = await runCli(renderArgs(file, ws.out, '--concurrency', '3', '--timeout', '0.02'), {
      env,
    });
    expect(timedOut.exitCode).toBe(1);
    expect(server.jobs()).toHaveLength(3);

    // The server holds all three jobs: none of them is still to pay.
    const plan = JSON.parse((await runCli(['plan', file, '--json', '--out', ws.out])).stdout) as {
      jobs: JsonPlanJob[];
      costToGenerate: number;
    };
    expect(plan.jobs.filter((job) => !job.toPay)).toHaveLength(server.jobs().length);
    expect(plan.costToGenerate).toBe(0);
    const table = await runCli(['plan', file, '--out', ws.out]);
    expect(table.stdout).toContain('$0.00 for the 0 clips still to pay for');
    const budget = await runCli(renderArgs(file, ws.out, '--max-cost', '0', '--json', '--timeout', '0.02'), {
      env,
    });
    expect(planEventOf(jsonEvents(budget.stdout)).jobs.toSubmit).toBe(0);
    expect(server.jobs()).toHaveLength(3);

    const cancel = await runCli(['cancel', file, '--out', ws.out], { env });
    expect(cancel.exitCode).toBe(0);
    const states = server.jobs().map((job) => job.state);
    const cancelled = states.filter((state) => state === 'cancelled').length;
    const charged = states.filter((state) => state !== 'cancelled').length;
    expect(cancelled).toBe(2);
    expect(cancel.stdout).toContain(
      `Cancelled ${cancelled} queued job(s) (not charged); could not cancel ${charged}`,
    );
    expect(cancel.stdout).toContain(`Those ${charged} will be charged (estimated $0.25)`);
    expect((cancel.stdout.match(/: cancelled$/gm) ?? []).length).toBe(cancelled);
    expect((cancel.stdout.match(/: not cancellable$/gm) ?? []).length).toBe(charged);

    // The rerun says why it pays again for the cancelled jobs, and pays for exactly those (the
    // generating one is still generating: the rerun times out on it again).
    const submittedBefore = server.submissions();
    const rerun = await runCli(renderArgs(file, ws.out, '--timeout', '0.02'), { env });
    expect(rerun.exitCode).toBe(1);
    expect(rerun.stderr).toContain(`${cancelled} job(s) were cancelled earlier`);
    expect(server.submissions() - submittedBefore).toBe(cancelled);
  });
});

describe('--max-cost', () => {
  it('shows enough digits to see why it refused, sends nothing and leaves the output folder untouched', async () => {
    const server = await mockServer();
    const ws = await workspace();
    // One silent 3 s scene: 3 x $0.084 = $0.252.
    const file = await writeStoryboard(ws.dir, scenes(1));
    const run = await runCli(renderArgs(file, ws.out, '--max-cost', '0.25'), { env: mockEnv(server) });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('is $0.252, above --max-cost $0.250; nothing was submitted');
    expect(server.submissions()).toBe(0);
    expect(existsSync(ws.out)).toBe(false);
  });

  it('does not apply to a free preview, which shows $0', async () => {
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const run = await runCli(renderArgs(file, ws.out, '--provider', 'preview', '--max-cost', '0', '--json'));
    expect(run.exitCode).toBe(0);
    const events = jsonEvents(run.stdout);
    expect(planEventOf(events).estimatedCostUsd).toBe(0);
  });
});

describe('costs of jobs shared by variants and storyboards', () => {
  it('attribute each paid job once, so the films of a run add up to what the server charged', async () => {
    const server = await mockServer({ slots: 6 });
    const ws = await workspace();
    // ad: a1 a2 a3; its teaser only reuses a2 and a3; alt pays for its own a1. promo shares a2's
    // exact request (another scene id, the same job) and adds one of its own.
    const ad = await writeStoryboard(ws.dir, scenes(3, 'a'), {
      name: 'ad',
      variants: ['  teaser: { only: [a2, a3] }', '  alt: { scenes: { a1: { prompt: "a1, altered" } } }'].join(
        '\n',
      ),
    });
    const promo = await writeStoryboard(
      ws.dir,
      [
        { id: 'shared', prompt: 'a number 2' },
        { id: 'own', prompt: 'only in the promo' },
      ],
      { name: 'promo' },
    );
    const run = await runCli(renderArgs(ad, ws.out, '--all-variants', '--concurrency', '6'), {
      env: mockEnv(server),
    });
    expect(run.exitCode).toBe(0);
    const both = await runCli(
      ['render', ad, promo, '--all-variants', '--out', path.join(ws.dir, 'two'), '--poll-interval', '0.05'],
      { env: mockEnv(server) },
    );
    expect(both.exitCode).toBe(0);

    // The first render: 4 distinct jobs (a1, a2, a3, alt's a1).
    const firstJobs = server.jobs().slice(0, 4);
    const variants = ['default', 'teaser', 'alt'];
    const reports = await Promise.all(variants.map((variant) => readReport(ws.out, 'ad', variant)));
    const sum = (values: (number | undefined)[]) => usd(values.reduce<number>((a, b) => a + (b ?? 0), 0));
    expect(sum(reports.map((report) => report.cost.estimatedThisRun))).toBe(charged(firstJobs));
    expect(sum(reports.map((report) => report.cost.actualThisRun))).toBe(charged(firstJobs));
    const teaser = reports[1]!;
    expect(teaser.cost.estimatedThisRun).toBe(0);
    expect(teaser.cost.actualThisRun).toBeUndefined();
    expect(teaser.scenes.map((scene) => scene.paidBy?.variant)).toEqual(['default', 'default']);
    const teaserHtml = await readFile(path.join(ws.out, 'ad', 'teaser', 'report.html'), 'utf8');
    expect(teaserHtml).toContain('paid by variant default: not paid again');
    const index = await readFile(path.join(ws.out, 'index.html'), 'utf8');
    const total = charged(firstJobs).toFixed(2);
    expect(index).toContain(`Paid at these renders: $${total} estimated, $${total} reported`);

    // The second render, two storyboards into a fresh folder: 5 distinct jobs (promo's "shared" is a2).
    const secondJobs = server.jobs().slice(4);
    expect(secondJobs).toHaveLength(5);
    const two = path.join(ws.dir, 'two');
    const all = await Promise.all([
      ...variants.map((variant) => readReport(two, 'ad', variant)),
      readReport(two, 'promo', 'default'),
    ]);
    expect(sum(all.map((report) => report.cost.estimatedThisRun))).toBe(charged(secondJobs));
    expect(sum(all.map((report) => report.cost.actualThisRun))).toBe(charged(secondJobs));
    expect(all[3]!.scenes[0]!.paidBy).toEqual({ storyboard: 'ad', variant: 'default', scene: 'a2' });
    const promoHtml = await readFile(path.join(two, 'promo', 'default', 'report.html'), 'utf8');
    expect(promoHtml).toContain('paid by ad/default, scene a2: not paid again');
  });
});

describe('the summary', () => {
  it('says what this run paid, and apart from it what the batch has cost so far', async () => {
    const server = await mockServer({ generationMs: 1_500 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const env = mockEnv(server);
    const first = await runCli(renderArgs(file, ws.out, '--concurrency', '3', '--timeout', '0.005'), { env });
    expect(first.exitCode).toBe(1);
    expect(server.jobs()).toHaveLength(3);

    // The resume only collects: the server charged the first run, and this one sends nothing.
    const resume = await runCli(renderArgs(file, ws.out, '--json'), { env });
    expect(resume.exitCode).toBe(0);
    expect(server.jobs()).toHaveLength(3);
    const summary = jsonEvents(resume.stdout).find((event) => event.type === 'summary')!;
    const truth = charged(server.jobs());
    expect(summary).toMatchObject({
      estimatedCostUsd: 0,
      cost: {
        thisRun: { jobs: 0, estimatedUsd: 0, reportedUsd: 0 },
        soFar: { jobs: 3, estimatedUsd: truth, reportedUsd: truth, reported: 3 },
      },
    });
    expect(summary).not.toHaveProperty('actualCostUsd');
    expect(resume.stderr).toContain('This run paid nothing: it submitted no job.');
    expect(resume.stderr).toContain(
      `The batch so far: 3 paid job(s), estimated $${truth.toFixed(2)}; $${truth.toFixed(2)} reported by RunComfy.`,
    );
  });
});
