/**
 * status, cancel, plan and takes are library calls a Node program (or a test) makes without a process,
 * as render is: driven here in process, against a folder a real preview render wrote.
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { render } from '../../src/index.js';
import { cancelRender } from '../../src/run/cancel.js';
import { dryRun } from '../../src/run/dry-run.js';
import { statusOf } from '../../src/run/status.js';
import { takesInFolder } from '../../src/run/takes.js';
import { workspace } from '../helpers/fixtures.js';

const STORYBOARD = [
  'version: 1',
  'defaults: { aspect_ratio: "16:9", sound: false }',
  'scenes:',
  '  - { id: intro, prompt: "the opening", duration: 3 }',
  '  - { id: outro, prompt: "the ending", duration: 3 }',
  '',
].join('\n');

async function boardIn(dir: string): Promise<string> {
  await writeFile(path.join(dir, 'film.yaml'), STORYBOARD);
  return 'film.yaml';
}

const batch = (cwd: string, file: string) => ({
  files: [file],
  variants: [],
  allVariants: false,
  outDir: 'output',
  cwd,
  provider: 'preview' as const,
});

describe('the library calls of status, cancel, plan and takes', () => {
  it('status and cancel refuse a folder that holds no render before needing a token, and write nothing', async () => {
    const ws = await workspace();
    const file = await boardIn(ws.dir);
    await expect(statusOf(batch(ws.dir, file))).rejects.toThrow(UsageError);
    await expect(statusOf(batch(ws.dir, file))).rejects.toThrow(/holds no render/);
    const cancel = cancelRender({ ...batch(ws.dir, file), provider: 'runcomfy', env: {} });
    await expect(cancel).rejects.toThrow(/holds no render/);
    expect(await readdir(ws.dir)).toEqual(['film.yaml']);
  });

  it('after a preview render: plan has nothing to pay, status says done, takes lists each stored take', async () => {
    const ws = await workspace();
    const file = await boardIn(ws.dir);
    const before = await dryRun(batch(ws.dir, file));
    expect(before.plans[0]?.jobs.map((job) => before.progress.get(job.key)?.toPay)).toEqual([true, true]);

    const rendered = await render({ files: [file], provider: 'preview', cwd: ws.dir, env: {} });
    expect(rendered.exitCode).toBe(0);

    const after = await dryRun(batch(ws.dir, file));
    expect(after.plans[0]?.jobs.map((job) => after.progress.get(job.key)?.label)).toEqual(['done', 'done']);
    expect(after.plans[0]?.jobs.map((job) => after.takes.get(job.key))).toEqual([[1], [1]]);

    const status = await statusOf(batch(ws.dir, file));
    expect(status.out).toBe(path.join(ws.dir, 'output'));
    expect(status.variants[0]?.scenes.map((scene) => scene.condition)).toEqual(['done', 'done']);

    const takes = await takesInFolder({ ...batch(ws.dir, file), scenes: ['outro'] });
    expect(takes.scenes.map((scene) => [scene.scene, scene.takes.map((take) => take.stored)])).toEqual([
      ['outro', [true]],
    ]);

    const cancelled = await cancelRender({ ...batch(ws.dir, file), env: {} });
    expect(cancelled).toEqual([]);
  });
});
