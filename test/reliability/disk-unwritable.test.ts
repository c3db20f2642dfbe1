/**
 * An output folder that cannot be written: refused before anything is sent, with exit 2 and a
 * message that names the folder and the fix. (It used to end as "internal error (please report
 * it)" with a stack trace and exit 70.)
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import { runCli } from '../helpers/cli.js';
import { readOnlyFolder } from './support/filesystems.js';
import { mockEnv, startMock } from './support/mock.js';
import { renderArgs, type Workspace, workspace, writeFilm } from './support/workspace.js';

let server: MockServer;
let ws: Workspace;
let file: string;
beforeAll(async () => {
  server = await startMock();
  ws = await workspace();
  file = await writeFilm(ws.dir, { scenes: 2, prompt: 'unwritable' });
});
function expectClearRefusal(run: { exitCode: number; stderr: string; stdout: string }, out: string): void {
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(run.exitCode).toBe(2);
  expect(run.stderr).toContain(out);
  expect(run.stderr).toMatch(/cannot be written/);
  expect(run.stderr).toContain('--out');
  expect(server.submissions()).toBe(0);
}

describe('an output folder that cannot be written', () => {
  it('below a regular file (ENOTDIR: stops root too): exit 2, nothing submitted', async () => {
    const blocker = path.join(ws.dir, 'a-file');
    await writeFile(blocker, 'not a folder');
    const out = path.join(blocker, 'output');
    expectClearRefusal(await runCli(renderArgs(file, out), { env: mockEnv(server) }), out);
  });

  it('on a read-only file system (or unwritable to this user): exit 2, nothing submitted', async () => {
    const folder = await readOnlyFolder(ws.dir);
    try {
      console.log(`[reliability] read-only output folder made with: ${folder.method}`);
      const out = path.join(folder.path, 'output');
      expectClearRefusal(await runCli(renderArgs(file, out), { env: mockEnv(server) }), out);
    } finally {
      await folder.release();
    }
  });
});
