/**
 * `render --json` ends with an event a machine can act on, also when the render never starts:
 * bad input (exit 2), a missing token (exit 2), a --max-cost refusal (exit 3). Stdout stays JSON only.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ErrorEvent } from '../../src/run/events.js';
import { runCli } from '../helpers/cli.js';
import {
  jsonEvents,
  mockEnv,
  mockServer,
  renderArgs,
  scenes,
  workspace,
  writeStoryboard,
} from './support.js';

/** Every stdout line is JSON; the last is the error event. */
function lastEvent(stdout: string): ErrorEvent {
  const events = jsonEvents(stdout);
  expect(events.length).toBeGreaterThan(0);
  const last = events.at(-1)!;
  expect(last.type).toBe('error');
  return last as ErrorEvent;
}

describe('render --json when the render ends with exit 2 or 3', () => {
  it('bad input: the last event has exit 2 and every problem with its file, line and column', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = path.join(ws.dir, 'film.yaml');
    await writeFile(
      file,
      'version: 1\nscenes:\n  - id: intro\n    prompt: the opening\n    duration: 99\n  - id: outro\n    promt: again\n',
    );
    const run = await runCli(renderArgs(file, ws.out, '--json'), { env: mockEnv(server) });
    expect(run.exitCode).toBe(2);
    const event = lastEvent(run.stdout);
    expect(event).toMatchObject({ exitCode: 2, error: 'StoryboardError' });
    expect(event.problems.length).toBeGreaterThanOrEqual(2);
    expect(event.problems).toContainEqual(
      expect.objectContaining({ file, line: 5, message: expect.any(String) }),
    );
    expect(event.problems).toContainEqual(
      expect.objectContaining({ file, line: 7, col: 5, message: "unknown key 'promt'" }),
    );
    expect(server.submissions()).toBe(0);
  });

  it('a wrong command-line value: exit 2, with what is wrong', async () => {
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(1));
    const run = await runCli(renderArgs(file, ws.out, '--json', '--concurrency', '0'));
    expect(run.exitCode).toBe(2);
    const event = lastEvent(run.stdout);
    expect(event.exitCode).toBe(2);
    expect(event.problems[0]!.message).toContain('--concurrency needs a whole number >= 1');
  });

  it('no token: exit 2, naming the variable to set', async () => {
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(1));
    const run = await runCli(renderArgs(file, ws.out, '--json'), { env: { RUNCOMFY_API_TOKEN: undefined } });
    expect(run.exitCode).toBe(2);
    const event = lastEvent(run.stdout);
    expect(event.exitCode).toBe(2);
    expect(event.message).toContain('RUNCOMFY_API_TOKEN');
  });

  it('refused by --max-cost: exit 3, the estimate and the limit, nothing submitted', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const run = await runCli(renderArgs(file, ws.out, '--json', '--max-cost', '0.50'), {
      env: mockEnv(server),
    });
    expect(run.exitCode).toBe(3);
    const event = lastEvent(run.stdout);
    expect(event).toMatchObject({ exitCode: 3, error: 'BudgetExceededError', maxCostUsd: 0.5 });
    expect(event.estimatedCostUsd).toBeGreaterThan(0.5);
    expect(event.message).toContain('above --max-cost');
    expect(server.submissions()).toBe(0);
  });
});
