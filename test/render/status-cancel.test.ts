import { stat } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import type { VariantStatus } from '../../src/run/status.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import {
  journalRecords,
  mockEnv,
  mockServer,
  renderArgs,
  requestsTo,
  scenes,
  type Workspace,
  waitFor,
  workspace,
  writeStoryboard,
} from './support.js';

/** One render of two scenes, the first failed by the provider: what the status and --out tests read. */
let rendered: { server: MockServer; ws: Workspace; file: string };
beforeAll(async () => {
  const server = await mockServer({ faults: ['generation:fail:next=1:message=content policy'] });
  const ws = await workspace();
  const file = await writeStoryboard(ws.dir, scenes(2));
  await runCli(renderArgs(file, ws.out, '--concurrency', '1'), { env: mockEnv(server) });
  rendered = { server, ws, file };
});

describe('storyreel status', () => {
  it('shows done scenes and failed ones with the reason and request id, also as JSON, with no token', async () => {
    const { ws, file } = rendered;
    const status = await runCli(['status', file, '--out', ws.out]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('film/default: 2 scene(s): 1 failed, 1 done');
    expect(status.stdout).toMatch(
      /01 scene1 +failed: generation: the generation failed: content policy \[request \S+\]/,
    );

    const json = await runCli(['status', file, '--out', ws.out, '--json']);
    const parsed = JSON.parse(json.stdout) as { variants: VariantStatus[] };
    expect(parsed.variants[0]!.scenes.map((scene) => scene.condition)).toEqual(['failed', 'done']);
    expect(parsed.variants[0]!.scenes[0]!.requestId).toEqual(expect.any(String));
  });
});

describe('status and cancel with an --out that holds no render (mistyped)', () => {
  it('exit 2 naming the folder and the one meant, create nothing, send nothing', async () => {
    // They said "not started" / "Nothing to cancel" with exit 0, and cancel created the folder.
    const { server, ws, file } = rendered;
    const env = mockEnv(server);
    const typo = `${ws.out}s`; // "outputs"
    for (const command of ['status', 'cancel']) {
      const run = await runCli([command, file, '--out', typo], { env });
      expect({ command, exit: run.exitCode, stdout: run.stdout }).toEqual({ command, exit: 2, stdout: '' });
      expect(run.stderr).toContain(`${typo} holds no render`);
      expect(run.stderr).toContain(`Did you mean --out ${ws.out}?`);
      await expect(stat(typo)).rejects.toThrow();
    }
    const never = await runCli(['status', file, '--out', ws.dir], { env }); // a folder, but no render's
    expect(never.exitCode).toBe(2);
    expect(never.stderr).toContain(`${ws.dir} holds no render`);
    expect(requestsTo(server, 'cancel')).toBe(0);
  });
});

describe('storyreel cancel', () => {
  it('journals the jobs it could not cancel as past their queue: status no longer says "queued, position 0"', async () => {
    // The render last saw them queued; they started after it stopped. status went on showing that.
    // Long enough a generation for cancel and status to run while it goes on, on a loaded machine.
    const server = await mockServer({ queueMs: 1500, slots: 4, generationMs: 8000 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const env = mockEnv(server);
    const render = spawnCli(renderArgs(file, ws.out, '--concurrency', '2'), { env });
    await waitFor(() => server.submissions() === 2 && requestsTo(server!, 'status') >= 2);
    render.kill('SIGINT');
    expect((await render).exitCode).toBe(130);
    expect((await runCli(['status', file, '--out', ws.out])).stdout).toContain('in flight: queued');
    await waitFor(() => server.jobs().every((job) => job.state === 'in_progress'));

    const cancel = await runCli(['cancel', file, '--out', ws.out], { env });
    expect(cancel.stdout.match(/: not cancellable$/gm)).toHaveLength(2);
    const status = await runCli(['status', file, '--out', ws.out]);
    expect(status.stdout).not.toContain('queued');
    expect(status.stdout.match(/in flight: generating/g)).toHaveLength(2);
    expect((await runCli(renderArgs(file, ws.out), { env })).exitCode).toBe(0);
    expect(server.submissions()).toBe(2); // collected, not paid again
  });

  it('cancels queued jobs after Ctrl-C, reports running ones, and the next render submits only the cancelled', async () => {
    // One generates (long enough to outlast Ctrl-C and cancel, as above), the other two stay queued.
    const server = await mockServer({ slots: 1, generationMs: 8000 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const env = mockEnv(server);
    const render = spawnCli(renderArgs(file, ws.out, '--concurrency', '3'), { env });
    await waitFor(() => server.submissions() === 3 && requestsTo(server!, 'status') >= 3);
    render.kill('SIGINT');
    expect((await render).exitCode).toBe(130);

    const cancel = await runCli(['cancel', file, '--out', ws.out], { env });
    expect(cancel.exitCode).toBe(0);
    const cancelled = (cancel.stdout.match(/: cancelled$/gm) ?? []).length;
    const running = (cancel.stdout.match(/: not cancellable$/gm) ?? []).length;
    expect(cancelled + running).toBe(3);
    expect(cancelled).toBeGreaterThanOrEqual(1);
    expect(cancel.stdout).toContain(`Cancelled ${cancelled} queued job(s)`);
    const states = (await journalRecords(ws.out)).map((record) => record.state);
    expect(states.filter((state) => state === 'cancelled')).toHaveLength(cancelled);

    const status = await runCli(['status', file, '--out', ws.out]);
    expect(status.stdout).toContain(`${cancelled} cancelled`);

    server.setTiming({ generationMs: 200 });
    const resumed = await runCli(renderArgs(file, ws.out), { env });
    expect(resumed.exitCode).toBe(0);
    expect(server.submissions()).toBe(3 + cancelled);
  });
});

describe('status during a live render', () => {
  it("shows submissions waiting in the render's rate limiter as being submitted by it, not as lost", async () => {
    const server = await mockServer({ generationMs: 5_000 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(6));
    // One request a second: most of the six submits wait in the client's limiter, journaled as
    // intents with no answer yet, exactly like a submission whose answer was lost.
    const env = { ...mockEnv(server), RUNCOMFY_MAX_REQUESTS_PER_SECOND: '1' };
    const render = spawnCli(renderArgs(file, ws.out, '--concurrency', '6'), { env });
    let status = '';
    try {
      await waitFor(async () => {
        status = (await runCli(['status', file, '--out', ws.out])).stdout;
        return status.includes('being submitted by') || status.includes('MAY HAVE BEEN SUBMITTED');
      });
    } finally {
      render.kill('SIGINT');
      await render;
    }
    expect(status).not.toContain('MAY HAVE BEEN SUBMITTED');
    expect(status).toContain(`being submitted by process ${render.pid} (storyreel render`);
  });
});
