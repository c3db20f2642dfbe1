/**
 * The resume command on an incomplete render's report.html, as a user meets it: read in real headless
 * Chromium, then run exactly as shown, in a shell, from where the render was started. It must resume
 * into the same output folder, paying only for what is missing.
 */
import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { binPath, cleanEnv, runCli } from '../helpers/cli.js';
import {
  closedAfterTest,
  mockEnv,
  mockServer,
  readReport,
  scenes,
  workspace,
  writeStoryboard,
} from '../render/support.js';
import { launchChromium, serveFolder } from './browser.js';

/** A folder with a `storyreel` on PATH that runs this checkout, as `npm install -g` would give. */
async function storyreelOnPath(dir: string): Promise<string> {
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  const shim = path.join(bin, 'storyreel');
  await writeFile(shim, `#!/bin/sh\nexec node ${JSON.stringify(binPath)} "$@"\n`);
  await chmod(shim, 0o755);
  return bin;
}

describe("report.html's resume command", () => {
  it('is the command that resumes: run as shown, it keeps --out and pays only for the failed scene', async () => {
    const server = await mockServer({ faults: ['generation:fail:next=1:message=content policy violation'] });
    const ws = await workspace();
    await writeStoryboard(ws.dir, scenes(3));
    const bin = await storyreelOnPath(ws.dir);
    // A user's shell: storyreel on PATH, not started through npm.
    const env = {
      ...mockEnv(server),
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      npm_command: undefined,
      npm_lifecycle_event: undefined,
    };
    const args = ['render', 'film.yaml', '--out', 'renders', '--concurrency', '1', '--poll-interval', '0.05'];
    const first = await runCli(args, { cwd: ws.dir, env });
    expect(first.exitCode).toBe(1);
    expect(server.submissions()).toBe(3);

    const pages = closedAfterTest(await serveFolder(path.join(ws.dir, 'renders')));
    const browser = closedAfterTest(await launchChromium());
    const page = await browser.context.newPage();
    await page.goto(`${pages.url}/film/default/report.html`, { waitUntil: 'load' });
    await expect.poll(() => page.getByText('No film to play.').isVisible()).toBe(true);
    const shown = (await page.locator('.notice code').textContent()) ?? '';
    await page.close();
    expect(shown).toContain('--out renders');

    const resumed = await execa('bash', ['-c', shown], {
      cwd: ws.dir,
      env: cleanEnv(env),
      extendEnv: true,
      reject: false,
      timeout: 120_000,
    });
    expect(resumed.stderr).not.toContain('internal error');
    expect(resumed.exitCode).toBe(0);
    expect(server.submissions()).toBe(4);
    expect((await readReport(path.join(ws.dir, 'renders'), 'film')).status).toBe('complete');
    expect((await stat(path.join(ws.dir, 'renders', 'film', 'default', 'film.mp4'))).size).toBeGreaterThan(0);
    expect((await readdir(ws.dir)).sort()).toEqual(['bin', 'film.yaml', 'renders']);
  });
});
