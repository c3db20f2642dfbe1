/**
 * A renderer killed (SIGKILL: no resume command printed) while its `--rerender` request waits in the
 * queue: the rerun, with or without `--rerender`, collects that paid request instead of reusing the
 * clip it replaces or paying again, and the journal ends with the new request's clip.
 */
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { cleanRunEvents, readJournal } from './support/checks.js';
import { mockEnv, startMock } from './support/mock.js';
import { waitFor } from './support/wait.js';
import { renderArgs, workspace, writeFilm } from './support/workspace.js';

let child: ReturnType<typeof spawnCli> | undefined;

describe('SIGKILL during --rerender', () => {
  for (const again of [[], ['--rerender', 's1']]) {
    it(`the rerun${again.length ? ' with --rerender' : ''} collects the paid request: one payment for the re-render`, async () => {
      const server = await startMock();
      const ws = await workspace();
      const file = await writeFilm(ws.dir, { scenes: 2, prompt: 'rerender crash' });
      const env = mockEnv(server);
      cleanRunEvents(await runCli(renderArgs(file, ws.out), { env }), [0]);

      server.setTiming({ slots: 0 });
      child = spawnCli(renderArgs(file, ws.out, '--rerender', 's1'), { env });
      await waitFor(async () =>
        (await readJournal(ws.out)).records.some((r) => r.state === 'queued' && r.requestId),
      );
      child.kill('SIGKILL');
      await child;
      const paidRequest = server.jobs()[2]!.id;

      server.setTiming({ slots: 4 });
      cleanRunEvents(await runCli(renderArgs(file, ws.out, ...again), { env }), [0]);
      const { records } = await readJournal(ws.out);
      expect(server.jobs()).toHaveLength(3);
      const s1 = records.find((r) => r.payload.prompt === 'rerender crash number 1')!;
      expect(s1).toMatchObject({ state: 'verified', requestId: paidRequest });
      expect(s1.clip).toMatchObject({ requestId: paidRequest, sha256: expect.any(String) });
      // Paid twice on purpose (the first render, the --rerender), both on record: nothing more.
      expect(s1.submissions.map((s) => s.outcome)).toEqual(['accepted', 'accepted']);
    });
  }
});
