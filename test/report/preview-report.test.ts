/**
 * The pages of a preview render, as a reviewer sees them in real headless Chromium: a sharp poster
 * (the film's own first frame, not a thumbnail scaled up), no charges (a preview costs nothing, as
 * the CLI says), no meaningless "submit to result", and the index in the storyboard's order.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type Workspace, workspace } from '../render/support.js';
import { type Browser, launchChromium, type StaticServer, serveFolder } from './browser.js';

// Variants deliberately not in alphabetical order: the index must keep the storyboard's.
const STORYBOARD = `version: 1
title: Order test
defaults:
  sound: false
scenes:
  - id: one
    prompt: The first scene
    duration: 3
  - id: two
    prompt: The second scene
    duration: 3
variants:
  zeta: { only: [one] }
  alpha: { defaults: { aspect_ratio: "9:16" } }
`;

let ws: Workspace;
let pages: StaticServer;
let browser: Browser;
let cliOutput = '';

beforeAll(async () => {
  ws = await workspace();
  const file = path.join(ws.dir, 'order.yaml');
  await writeFile(file, STORYBOARD);
  const run = await runCli(['render', file, '--all-variants', '--provider', 'preview', '--out', ws.out]);
  expect(run.exitCode).toBe(0);
  cliOutput = run.stdout;
  pages = await serveFolder(ws.out);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await pages?.close();
  await ws?.cleanup();
});

async function open(relative: string) {
  const page = await browser.context.newPage();
  await page.goto(`${pages.url}/${relative}`, { waitUntil: 'load' });
  return page;
}

describe('the report of a preview render', () => {
  it('uses a full-size frame of the film as the poster', async () => {
    const page = await open('order/default/report.html');
    const poster = await page.locator('video').getAttribute('poster');
    expect(poster).toBeTruthy();
    const width = await page.evaluate(
      `new Promise((resolve, reject) => { const image = new Image(); image.onload = () => resolve(image.naturalWidth); image.onerror = reject; image.src = ${JSON.stringify(poster)}; })`,
    );
    expect(width).toBe(1280);
    await page.close();
  });

  it('says this run cost nothing, like the CLI, and shows no submit-to-result time', async () => {
    expect(cliOutput).toContain('Cost of this run: nothing');
    const page = await open('order/default/report.html');
    const totals = (await page.locator('dl.stats').textContent()) ?? '';
    expect(totals).toMatch(/Cost, this run\s*Nothing/);
    expect(totals).not.toMatch(/this run\s*\$/);
    expect(await page.getByText('Submit to result').count()).toBe(0);
    await page.close();
  });

  it('lists the variants in the index in the storyboard order', async () => {
    const page = await open('index.html');
    const ids = await page
      .locator('article.variant-card h3')
      .evaluateAll((headings) => headings.map((heading) => (heading as unknown as { id: string }).id));
    expect(ids).toEqual(['variant-order-default', 'variant-order-zeta', 'variant-order-alpha']);
    await page.close();
  });
});
