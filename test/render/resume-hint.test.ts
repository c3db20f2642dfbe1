/**
 * The resume hint a failed render prints must work, as printed, from the shell the user started it
 * in: `npx storyreel ...` after `npx storyreel`, `storyreel ...` when it is on PATH, and this
 * installation's script elsewhere. Each hint is run in a real shell and must finish the film.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import { binPath, repoRoot } from '../helpers/cli.js';
import {
  mockEnv,
  mockServer,
  readReport,
  scenes,
  type Workspace,
  workspace,
  writeStoryboard,
} from './support.js';

/**
 * A user's shell: no npm_* variables and no node_modules/.bin on PATH (vitest itself runs under
 * npm, whose PATH and variables would otherwise leak into the CLI and decide the answer).
 */
function userShellEnv(server: MockServer, extraPath: string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name.toLowerCase().startsWith('npm_')) continue;
    env[name] = value;
  }
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => !dir.includes('node_modules'));
  env.PATH = [...extraPath, ...dirs].join(path.delimiter);
  delete env.RUNCOMFY_API_TOKEN;
  env.CI = 'true';
  return { ...env, ...(mockEnv(server) as Record<string, string>) };
}

function shell(command: string, cwd: string, env: Record<string, string>) {
  return execa('bash', ['-c', command], { cwd, env, extendEnv: false, reject: false, timeout: 120_000 });
}

/** Renders with one failing scene through `start`, returns the printed hint, then runs it. */
async function failThenResume(
  { server, ws }: { server: MockServer; ws: Workspace },
  start: string,
  cwd: string,
  env: Record<string, string>,
): Promise<string> {
  const file = await writeStoryboard(ws.dir, scenes(2));
  const first = await shell(`${start} render ${file} --out ${ws.out} --poll-interval 0.05`, cwd, env);
  expect(first.stderr).not.toContain('internal error');
  expect(first.exitCode).toBe(1);
  const lines = String(first.stdout).split('\n');
  const intro = lines.findIndex((line) => /^To (resume|retry)/.test(line));
  expect(intro).toBeGreaterThan(-1);
  const hint = lines[intro + 1]?.trim() ?? '';
  expect(hint).toMatch(/ render /);

  const resumed = await shell(hint, cwd, env);
  expect(resumed.stderr).not.toContain('command not found');
  expect(resumed.exitCode).toBe(0);
  expect(server.submissions()).toBe(3);
  expect((await readReport(ws.out, 'film')).status).toBe('complete');
  return hint;
}

describe('the resume hint works from where the user stands', () => {
  it('after `npx storyreel` in the project folder (storyreel not on PATH) it says `npx storyreel`', async () => {
    const server = await mockServer({ faults: ['generation:fail:next=1:message=content policy violation'] });
    const ws = await workspace();
    const hint = await failThenResume({ server, ws }, 'npx storyreel', repoRoot, userShellEnv(server));
    expect(hint.startsWith('npx storyreel render ')).toBe(true);
  });

  it('with storyreel on PATH it says `storyreel`', async () => {
    const server = await mockServer({ faults: ['generation:fail:next=1:message=content policy violation'] });
    const ws = await workspace();
    const bin = path.join(ws.dir, 'bin');
    await mkdir(bin);
    await writeFile(path.join(bin, 'storyreel'), `#!/bin/sh\nexec node ${JSON.stringify(binPath)} "$@"\n`);
    await chmod(path.join(bin, 'storyreel'), 0o755);
    const hint = await failThenResume({ server, ws }, 'storyreel', ws.dir, userShellEnv(server, [bin]));
    expect(hint.startsWith('storyreel render ')).toBe(true);
  });

  it('outside any project, with storyreel not on PATH, it names the script it ran', async () => {
    const server = await mockServer({ faults: ['generation:fail:next=1:message=content policy violation'] });
    const ws = await workspace();
    const hint = await failThenResume({ server, ws }, `node ${binPath}`, ws.dir, userShellEnv(server));
    expect(hint.startsWith(`node ${binPath} render `)).toBe(true);
  });
});
