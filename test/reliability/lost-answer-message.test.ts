/**
 * Found by the fault matrix: when a submission's answer was lost, the scene's failure said
 * "storyreel does not resubmit it on its own; check your requests on RunComfy before rendering this
 * scene again", while the warning beside it (rightly) said that the next render submits it again,
 * and it does. A user must be told what will happen, once, the same way everywhere.
 */
import { describe, expect, it } from 'vitest';
import type { FailedEvent, WarningEvent } from '../../src/run/events.js';
import { runCli } from '../helpers/cli.js';
import { cleanRunEvents } from './support/checks.js';
import { mockEnv, startMock } from './support/mock.js';
import { renderArgs, workspace, writeFilm } from './support/workspace.js';

describe('a submission whose answer was lost', () => {
  it('is described the same way by the failure and the warning: the next render submits it again', async () => {
    const server = await startMock({ faults: ['submit:reset:next=1'] });
    const ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: 1, prompt: 'lost answer' });
    const env = mockEnv(server);
    const events = cleanRunEvents(await runCli(renderArgs(file, ws.out), { env }), [1]);
    const failure = events.find((event): event is FailedEvent => event.type === 'failed')!;
    expect(failure.error.kind).toBe('ambiguous');
    expect(failure.error.message).toMatch(/may have been (created|submitted) and (paid for|charged)/);
    expect(failure.error.message).not.toMatch(/does not resubmit it on its own/);
    expect(failure.error.message).toMatch(/next render submits it again/);

    const rerun = cleanRunEvents(await runCli(renderArgs(file, ws.out), { env }), [0]);
    const warning = rerun.find(
      (e): e is WarningEvent => e.type === 'warning' && e.code === 'may_have_been_submitted',
    );
    expect(warning).toBeDefined();
    expect(server.submissions()).toBe(2);
  });
});
