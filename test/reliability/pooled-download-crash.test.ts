/**
 * A job gives its generation slot back when the provider says completed, and its clip downloads in
 * a pool of its own. A renderer killed while such a download hangs, after the freed slot already
 * went to the next submission, must resume both jobs without paying for either again.
 */
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { readJournal } from './support/checks.js';
import { mockEnv, startMock } from './support/mock.js';
import { waitFor } from './support/wait.js';
import { renderArgs, workspace, writeFilm } from './support/workspace.js';

describe('a kill during a pooled download', () => {
  it('resumes the download and the job submitted in its freed slot, paying for neither again', async () => {
    const server = await startMock({ generationMs: 300, slots: 1 });
    // The first clip's download never answers: the renderer is still in it when killed.
    server.addFault('media:hang:next=1');
    const ws = await workspace('storyreel-pooled-download-');
    const out = ws.out;
    const args = renderArgs(await writeFilm(ws.dir, { scenes: 3 }), out, '--concurrency', '1');
    const child = spawnCli(args, { env: mockEnv(server) });
    // With one slot, a second submission while the first download hangs is the freed slot at work;
    // killed once its request id is on disk.
    await waitFor(async () => {
      const withIds = (await readJournal(out)).records.filter((record) => record.requestId);
      return server.requests.some((entry) => entry.listener === 'media') && withIds.length >= 2;
    }, 30_000);
    child.kill('SIGKILL');
    await child;
    const paidBeforeKill = server.submissions();
    expect(paidBeforeKill).toBeGreaterThanOrEqual(2);

    const rerun = await runCli(args, { env: mockEnv(server) });
    expect(rerun.exitCode).toBe(0);
    // Three scenes, three jobs created in all: nothing the killed run submitted was submitted again.
    expect(server.submissions()).toBe(3);
    const { records } = await readJournal(out);
    expect(records).toHaveLength(3);
    for (const record of records) {
      expect(record.state).toBe('verified');
      expect(record.submissions.map((submission) => submission.outcome)).toEqual(['accepted']);
    }
  }, 60_000);
});
