/** The shipped finished examples, through the real CLI: valid, 27 s exactly, and the same jobs. */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function planJson(file: string, variant = 'default') {
  const run = await runCli(['plan', file, '--json', '--variant', variant]);
  expect(run.exitCode, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { jobs: { key: string }[]; cut: { duration: number; plain: boolean } };
}

describe('storyboards/ad-finished.yaml', () => {
  it('validates, lasts its deliver.length and plans the very jobs of storyboards/ad.yaml', async () => {
    const validate = await runCli(['validate', 'storyboards/ad-finished.yaml']);
    expect(validate.exitCode, validate.stderr).toBe(0);
    const finished = await planJson('storyboards/ad-finished.yaml');
    const first = await planJson('storyboards/ad.yaml');
    expect(finished.jobs.map((j) => j.key)).toEqual(first.jobs.map((j) => j.key));
    expect(finished.cut.duration).toBe(27);
    expect(finished.cut.plain).toBe(false);
    // The README's first command renders ad.yaml: finished too, to the same length.
    expect(first.cut.plain).toBe(false);
    expect(first.cut.duration).toBe(27);
    expect((await planJson('storyboards/ad-finished.yaml', 'teaser')).cut.duration).toBe(12.5);
    expect((await planJson('storyboards/ad.yaml', 'teaser')).cut.duration).toBe(13.5);
  });

  it('a wrong deliver.length is refused by validate with the sum, exit 2', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'storyreel-finished-'));
    await mkdir(path.join(dir, 'assets'));
    for (const asset of ['bed.m4a', 'logo.png']) {
      await copyFile(path.join(repoRoot, 'storyboards', 'assets', asset), path.join(dir, 'assets', asset));
    }
    const text = await readFile(path.join(repoRoot, 'storyboards', 'ad-finished.yaml'), 'utf8');
    const file = path.join(dir, 'ad.yaml');
    await writeFile(file, text.replace('length: 27 #', 'length: 30 #'));
    const run = await runCli(['validate', file]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /ad\.yaml:\d+:11 deliver\.length: the film adds up to 6\.5 \+ 5 \+ 7 \+ 6 - 0\.5 crossfade \+ 3 end card = 27 s, deliver\.length is 30/,
    );
  });
});
