/**
 * The journal cannot be written mid-render (the disk is full): the renderer stops at once with exit
 * 1 and says why, never sends a request it could not record first, names a request id it was given
 * but could not save, and once there is room the rerun completes, reporting any submission whose
 * answer went unrecorded. (It used to end as "internal error (please report it)" with exit 70.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import type { CliRun } from '../helpers/cli.js';
import { auditPayments, cleanRunEvents, readJournal } from './support/checks.js';
import { journalDisk, nodeWithFileSizeLimit, renderOnDisk, type SmallDisk } from './support/filesystems.js';
import { mockEnv, startMock } from './support/mock.js';
import { type Workspace, workspace, writeFilm } from './support/workspace.js';

let ws: Workspace;
let disk: SmallDisk;
let server: MockServer;
beforeAll(async () => {
  ws = await workspace();
  disk = await journalDisk(ws.dir);
  server = await startMock();
});

function render(file: string, options: Parameters<typeof renderOnDisk>[3] = {}): Promise<CliRun> {
  return renderOnDisk(disk, file, mockEnv(server), options);
}

describe('a journal that cannot be written', () => {
  it('stops the render clearly, sends nothing unrecorded, and the rerun completes', async () => {
    console.log(`[reliability] journal made unwritable with: ${disk.method}`);
    const file = await writeFilm(ws.dir, { scenes: 2, prompt: 'journal full' });
    const stopped = await render(file);
    expect(stopped.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(stopped.exitCode, stopped.stderr).toBe(1);
    expect(stopped.stderr).toMatch(/could not write the journal/);
    expect(stopped.stderr).toMatch(/ENOSPC|EFBIG/);
    // Every request that reached the server has its intent on disk.
    const { records } = await readJournal(disk.out);
    const intents = records.flatMap((record) => record.submissions).length;
    expect(server.submissions()).toBeLessThanOrEqual(intents);
    // A request id that came back but could not be saved is printed, so that it is not lost.
    for (const job of server.jobs()) {
      const saved = records.some((record) => record.requestId === job.id);
      if (!saved) expect(stopped.stderr).toContain(job.id);
    }

    await disk.makeRoom();
    const rerun = await render(file);
    const events = cleanRunEvents(rerun, [0]);
    const unanswered = records.flatMap((r) => r.submissions).filter((s) => s.requestId === null).length;
    const warned = events.some(
      (event) => event.type === 'warning' && event.code === 'may_have_been_submitted',
    );
    expect(warned).toBe(unanswered > 0 && server.submissions() > 0);
    expect(auditPayments(server, (await readJournal(disk.out)).records).unreportedDuplicates).toBe(0);
  });

  it('a record that cannot be written whole (a per-file size limit) is never put in place', async () => {
    // A write past RLIMIT_FSIZE is cut short and the next one fails: a writer that ignores the short
    // count renames half a record over the whole one, and every later run refuses the folder.
    const out = `${ws.dir}/limited`;
    const file = await writeFilm(ws.dir, { name: 'limited', scenes: 1, prompt: 'short write' });
    const before = server.submissions();
    const run = await render(file, { command: nodeWithFileSizeLimit(400), out });
    expect(String(run.stderr)).toMatch(/could not write the journal/);
    expect(run.exitCode).toBe(1);
    expect(server.submissions()).toBe(before); // the intent could not be recorded: nothing was sent
    await readJournal(out); // every record on disk parses
    cleanRunEvents(await render(file, { command: ['node'], out }), [0]);
  });
});
