/**
 * storyreel as a Node library, used the way a user's program uses it: `import ... from 'storyreel'`
 * resolved through package.json's `exports` (the built dist/), type-checked by tsc against the shipped
 * declarations, run as its own process.
 */
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, repoRoot } from './helpers/cli.js';

const consumer = `
import { loadStoryboard, plan, render, StoryboardError } from 'storyreel';

const board = await loadStoryboard(${JSON.stringify(path.join(repoRoot, 'storyboards/ad.yaml'))});
const planned = plan(board);
const events: string[] = [];
const result = await render({
  files: [${JSON.stringify(path.join(repoRoot, 'storyboards/ad.yaml'))}],
  provider: 'preview',
  outDir: 'out',
  onEvent: (event) => events.push(event.type),
});
let refused = '';
try {
  plan(await loadStoryboard('broken.yaml'));
} catch (error) {
  if (error instanceof StoryboardError) refused = error.problems[0]?.message ?? '';
}
console.log(JSON.stringify({ jobs: planned.jobs.length, cost: planned.totalCost, exitCode: result.exitCode, events, refused }));
`;

describe('the library API', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-library-'));
    await mkdir(path.join(dir, 'node_modules'));
    await symlink(repoRoot, path.join(dir, 'node_modules', 'storyreel'), 'dir');
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    await writeFile(path.join(dir, 'use.mts'), consumer);
    await writeFile(path.join(dir, 'broken.yaml'), 'version: 1\nscenes: []\n');
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          skipLibCheck: true,
          typeRoots: [path.join(repoRoot, 'node_modules/@types')],
          types: ['node'],
        },
        files: ['use.mts'],
      }),
    );
  });
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('type-checks against the shipped declarations, plans, refuses bad input with its problems, and renders a film', async () => {
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    const checked = await execa('node', [tsc, '-p', 'tsconfig.json'], { cwd: dir, reject: false });
    expect(checked.stdout + checked.stderr).toBe('');
    expect(await readdir(dir)).toContain('use.mjs');

    const run = await execa('node', ['use.mjs'], { cwd: dir, env: cleanEnv(), reject: false });
    expect(run.stderr).toBe('');
    const output = JSON.parse(run.stdout) as {
      jobs: number;
      cost: number;
      exitCode: number;
      events: string[];
      refused: string;
    };
    expect(output.jobs).toBeGreaterThan(0);
    expect(output.cost).toBeGreaterThan(0);
    expect(output.exitCode).toBe(0);
    expect(output.events[0]).toBe('plan');
    expect(output.events).toContain('film');
    expect(output.refused).not.toBe('');
    expect(await readdir(path.join(dir, 'out', 'ad', 'default'))).toContain('film.mp4');
  });
});
