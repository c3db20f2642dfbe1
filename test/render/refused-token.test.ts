/**
 * A refused token (401) is learnt from one request: the batch's first submit goes alone, so nothing
 * else is sent once it is refused, and the long message is printed once per stream, not per job.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import {
  jsonEvents,
  mockServer,
  renderArgs,
  requestsTo,
  scenes,
  workspace,
  writeStoryboard,
} from './support.js';

const REFUSED = 'RunComfy refused the API token';
const count = (text: string, part: string) => text.split(part).length - 1;

describe('a refused token', () => {
  it('stops after the first 401: one submit sent, the reason said once', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(8));
    const env = { RUNCOMFY_BASE_URL: server.url, RUNCOMFY_API_TOKEN: 'not-the-token' };
    const run = await runCli(renderArgs(file, ws.out, '--concurrency', '4'), { env });
    expect(run.exitCode).toBe(1);
    expect(requestsTo(server, 'submit')).toBe(1);
    expect(server.jobs()).toHaveLength(0);
    expect(count(run.stdout, REFUSED)).toBe(1);
    expect(count(run.stderr, REFUSED)).toBe(1);
    expect(run.stdout).toContain('1 failed, 7 not submitted; 1 submission(s) sent');

    // --json keeps the whole reason in the events a machine reads.
    const json = await runCli(renderArgs(file, ws.out, '--concurrency', '4', '--json'), { env });
    expect(requestsTo(server, 'submit')).toBe(2);
    const stopped = jsonEvents(json.stdout).find((e) => e.type === 'warning' && e.code === 'batch_stopped');
    expect(JSON.stringify(stopped)).toContain(REFUSED);
  });
});
