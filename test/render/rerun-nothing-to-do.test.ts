/**
 * A rerun with nothing to do, through the real CLI with real ffmpeg and ffprobe: no stored clip is
 * probed again (the journal saw each verified and none was written since), no thumbnail or contact
 * sheet is made again, nothing is sent. A clip written to by hand since is probed again.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { loggingTools } from '../helpers/logging-tools.js';
import {
  jsonEvents,
  mockEnv,
  mockServer,
  renderArgs,
  scenes,
  workspace,
  writeStoryboard,
} from './support.js';

describe('a rerun with nothing to do', () => {
  it('probes no stored clip, makes no picture, sends nothing; a clip written since is probed again', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const tools = await loggingTools(ws.dir);
    const env = { ...mockEnv(server), ...tools.env };
    expect((await runCli(renderArgs(file, ws.out), { env })).exitCode).toBe(0);
    const firstRuns = (await tools.runs()).length;
    const requests = server.requests.length;
    const sheet = path.join(ws.out, 'film', 'default', 'contact-sheet.jpg');
    const sheetWritten = (await stat(sheet)).mtimeMs;

    const rerun = await runCli([...renderArgs(file, ws.out), '--json'], { env });
    expect(rerun.exitCode).toBe(0);
    expect((await tools.runs()).slice(firstRuns)).toEqual([]);
    expect(server.requests.length).toBe(requests);
    expect((await stat(sheet)).mtimeMs).toBe(sheetWritten);
    const events = jsonEvents(rerun.stdout);
    expect(events.filter((event) => event.type === 'job' && event.state === 'verified')).toHaveLength(3);

    // Written to by hand (the same bytes, so still a good clip): checked again before it is trusted.
    const store = path.join(ws.out, '.storyreel', 'clips');
    const record = JSON.parse(
      await readFile(
        path.join(
          ws.out,
          '.storyreel',
          'jobs',
          `${(events.find((e) => e.type === 'job') as { job: string }).job}.json`,
        ),
        'utf8',
      ),
    ) as { id: string };
    const clip = path.join(store, `${record.id}.mp4`);
    await writeFile(clip, await readFile(clip));
    const beforeThird = (await tools.runs()).length;
    expect((await runCli(renderArgs(file, ws.out), { env })).exitCode).toBe(0);
    const third = (await tools.runs()).slice(beforeThird);
    expect(third.filter((run) => run.startsWith('ffprobe'))).toEqual([`ffprobe ${clip}`]);
    expect(server.requests.length).toBe(requests);
  });
});
