/**
 * The report's thumbnails are made while the jobs generate, as each clip is verified, not all after
 * the last one: through the real CLI, the mock server and real ffmpeg. Each scene's thumbnail must be
 * its own clip's first frame, and nothing made on the way may be left in the temp folder.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../src/media/run.js';
import { thumbnailArgs } from '../../src/report/image-recipes.js';
import { runCli } from '../helpers/cli.js';
import { loggingTools } from '../helpers/logging-tools.js';
import {
  mockEnv,
  mockServer,
  readReport,
  renderArgs,
  scenes,
  workspace,
  writeStoryboard,
} from './support.js';

describe('thumbnails made while rendering', () => {
  it('are each scene’s own first frame, none is made after the jobs, and no scratch folder is left', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(5));
    const tools = await loggingTools(ws.dir);
    const tmp = path.join(ws.dir, 'tmp');
    await mkdir(tmp);
    const env = { ...mockEnv(server), ...tools.env, TMPDIR: tmp };
    expect((await runCli(renderArgs(file, ws.out, '--concurrency', '2'), { env })).exitCode).toBe(0);

    const variantDir = path.join(ws.out, 'film', 'default');
    const report = await readReport(ws.out, 'film');
    const expected = path.join(ws.dir, 'expected');
    await mkdir(expected);
    const pictures = new Set<string>();
    for (const scene of report.scenes) {
      const made = await readFile(
        path.join(variantDir, 'thumbs', `${path.basename(scene.clip!, '.mp4')}.jpg`),
      );
      const own = path.join(expected, `${scene.scene}.jpg`);
      await runFfmpeg(thumbnailArgs(path.join(variantDir, scene.clip!), own), 'the expected thumbnail');
      expect(
        made.equals(await readFile(own)),
        `${scene.scene}'s thumbnail is its own clip's first frame`,
      ).toBe(true);
      pictures.add(made.toString('base64'));
    }
    expect(pictures.size).toBe(5);

    const runs = await tools.runs();
    const writtenInto = (folder: string) => runs.filter((run) => run.startsWith(`ffmpeg ${folder}`));
    expect(writtenInto(path.join(tmp, 'storyreel-thumbs-')).length).toBeGreaterThan(0);
    expect(writtenInto(path.join(variantDir, 'thumbs'))).toEqual([]);
    expect((await readdir(tmp)).filter((name) => name.startsWith('storyreel-thumbs-'))).toEqual([]);
    await rm(expected, { recursive: true, force: true });
  });
});
