/**
 * A paid clip reaches the film: film.mp4 is current only when it was joined from exactly the clips the
 * store holds now (their SHA-256) and from the same provider, never because the job keys and the byte
 * size match. Through the real CLI against the mock server, payments counted from its job list.
 */
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ffprobePath } from '../../src/media/binaries.js';
import { runCli } from '../helpers/cli.js';
import { distinctClipsServer, filmMadeOf, videoPackets } from './clip-identity.js';
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

/** How each run's film was made: `copy`/`normalise` (joined now) or `unchanged` (it was current). */
function joinModes(stdout: string): string[] {
  return jsonEvents(stdout).flatMap((event) => (event.type === 'film' ? [event.joinMode] : []));
}

async function width(file: string): Promise<number> {
  const { stdout } = await execa(ffprobePath(), [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width',
    '-of',
    'csv=p=0',
    file,
  ]);
  return Number(stdout.trim());
}

describe('the film is joined from the clips the store holds', () => {
  it('render --rerender s1: the film has the new s1, the new clip was paid once', async () => {
    const ws = await workspace();
    const server = await distinctClipsServer(ws.dir);
    const file = await writeStoryboard(ws.dir, [
      { id: 's1', prompt: 'first scene' },
      { id: 's2', prompt: 'second scene' },
    ]);
    const env = mockEnv(server);
    const variantDir = path.join(ws.out, 'film', 'default');
    const first = await runCli(renderArgs(file, ws.out), { env });
    expect(first.exitCode, first.stderr).toBe(0);
    const oldS1 = await videoPackets(path.join(variantDir, 'clips', '01-s1.mp4'));

    const again = await runCli(renderArgs(file, ws.out, '--rerender', 's1', '--json'), { env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(server.jobs()).toHaveLength(3);
    const newS1 = await videoPackets(path.join(variantDir, 'clips', '01-s1.mp4'));
    expect(newS1).not.toEqual(oldS1);
    expect(await filmMadeOf(variantDir, ['01-s1.mp4', '02-s2.mp4'])).toBe(true);
    expect(joinModes(again.stdout)).toEqual(['copy']);

    // Nothing changed since: the film is current and is not joined again.
    const third = await runCli(renderArgs(file, ws.out, '--json'), { env });
    expect(third.exitCode, third.stderr).toBe(0);
    expect(joinModes(third.stdout)).toEqual(['unchanged']);
    expect(server.jobs()).toHaveLength(3);
  });

  it('the README flow, preview then RunComfy into one folder: the real clips are paid and film.mp4 is the real film', async () => {
    const ws = await workspace();
    const server = await mockServer();
    const file = await writeStoryboard(ws.dir, scenes(2));
    const variantDir = path.join(ws.out, 'film', 'default');
    const preview = await runCli(renderArgs(file, ws.out, '--provider', 'preview'));
    expect(preview.exitCode, preview.stderr).toBe(0);
    expect(await width(path.join(variantDir, 'film.mp4'))).toBe(1280);

    const real = await runCli(renderArgs(file, ws.out, '--json'), { env: mockEnv(server) });
    expect(real.exitCode, real.stderr).toBe(0);
    expect(server.jobs()).toHaveLength(2);
    expect(joinModes(real.stdout)).toEqual(['copy']);
    // The mock's clips are 160x90: the animatic's are 1280x720.
    expect(await width(path.join(variantDir, 'film.mp4'))).toBe(160);
    expect(await filmMadeOf(variantDir, ['01-scene1.mp4', '02-scene2.mp4'])).toBe(true);
    expect((await readReport(ws.out, 'film')).provider).toBe('runcomfy');

    // And back: a preview run does not take the real clips for its own, nor its film for current.
    const previewAgain = await runCli(renderArgs(file, ws.out, '--provider', 'preview'));
    expect(previewAgain.exitCode, previewAgain.stderr).toBe(0);
    expect(await width(path.join(variantDir, 'film.mp4'))).toBe(1280);
    const realAgain = await runCli(renderArgs(file, ws.out, '--json'), { env: mockEnv(server) });
    expect(realAgain.exitCode, realAgain.stderr).toBe(0);
    expect(joinModes(realAgain.stdout)).toEqual(['copy']);
    expect(server.jobs()).toHaveLength(2);
    expect(await width(path.join(variantDir, 'film.mp4'))).toBe(160);
  });
});
