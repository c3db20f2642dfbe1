/**
 * Ctrl-C leaves report.html too, as every render does: opened in real headless Chromium it shows
 * what was saved (the finished scene with its picture) and the command that resumes.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import {
  closedAfterTest,
  journalRecords,
  mockEnv,
  mockServer,
  renderArgs,
  scenes,
  waitFor,
  workspace,
  writeStoryboard,
} from '../render/support.js';
import { launchChromium, serveFolder } from './browser.js';

async function verifiedCount(out: string): Promise<number> {
  try {
    return (await journalRecords(out)).filter((record) => record.state === 'verified').length;
  } catch {
    return 0; // a record being replaced at that moment: look again
  }
}

describe('report.html after Ctrl-C', () => {
  it('is written, shows the scene finished before the interrupt and the resume command', async () => {
    const server = await mockServer({ generationMs: 1500, slots: 1 });
    const ws = await workspace();
    const file = await writeStoryboard(ws.dir, scenes(3));
    const child = spawnCli(renderArgs(file, ws.out, '--concurrency', '1'), { env: mockEnv(server) });
    await waitFor(() => verifiedCount(ws.out).then((count) => count >= 1));
    child.kill('SIGINT');
    const interrupted = await child;
    expect(interrupted.exitCode).toBe(130);
    await access(path.join(ws.out, 'film', 'default', 'report.html'));

    const pages = closedAfterTest(await serveFolder(ws.out));
    const browser = closedAfterTest(await launchChromium());
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.goto(`${pages.url}/film/default/report.html`, { waitUntil: 'load' });
    await expect.poll(() => page.getByText('No film to play.').isVisible()).toBe(true);
    expect(await page.locator('.notice code').textContent()).toContain(`--out ${ws.out}`);
    expect(await page.locator('article.card').count()).toBe(3);
    const first = page.locator('#scene-scene1');
    expect(await first.locator('.badge').first().textContent()).toMatch(/rendered/i);
    await page.evaluate('Promise.all([...document.images].map((image) => image.decode()))');
    const width = await first
      .locator('img')
      .evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth);
    expect(width).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
