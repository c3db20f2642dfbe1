/**
 * The reports as a reviewer sees them: real headless Chromium loading real pages, real thumbnails
 * and a real film over HTTP. Set STORYREEL_SCREENSHOTS=<dir> to keep full-page screenshots.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIndexHtml, writeReportHtml } from '../../src/report/html.js';
import { writeReportJson } from '../../src/report/report-json.js';
import type { FilmReport } from '../../src/report/types.js';
import { type Browser, launchChromium, type StaticServer, serveFolder } from './browser.js';
import { FAILED_SCENE, makeVariantFolder, SCENES, type SceneSpec, XSS_PROMPT } from './fixtures.js';

let outDir: string;
let server: StaticServer;
let browser: Browser;
let complete: FilmReport;
let incomplete: FilmReport;

beforeAll(async () => {
  // First: a browser that cannot start fails at once, loudly, with why (never a silent skip).
  browser = await launchChromium();
  outDir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-report-browser-'));
  const variants: { variantDir: string; report: FilmReport }[] = [];
  const plan: [string, SceneSpec[]][] = [
    ['default', SCENES],
    ['teaser', [...SCENES, FAILED_SCENE]],
  ];
  for (const [variant, specs] of plan) {
    const variantDir = path.join(outDir, 'ad', variant);
    const report = await makeVariantFolder(variantDir, { specs, overrides: { variant } });
    await writeReportJson(path.join(variantDir, 'report.json'), report);
    await writeReportHtml(report, variantDir);
    variants.push({ variantDir, report });
  }
  [complete, incomplete] = variants.map((entry) => entry.report) as [FilmReport, FilmReport];
  await writeIndexHtml(outDir, variants);
  server = await serveFolder(outDir);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  // A beforeAll that failed early leaves some of these unset: clean up only what exists, so the
  // one real error is the one reported.
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

interface OpenedPage {
  page: Page;
  /** Console errors, uncaught exceptions, failed requests, HTTP errors and dialogs, as text. */
  problems: string[];
  dialogs: string[];
}

async function open(relativeUrl: string): Promise<OpenedPage> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText ?? '';
    // With preload="metadata" Chromium cancels the video's download once it has what it needs;
    // that the video really loaded is asserted separately (readyState, duration, no media error).
    if (request.resourceType() === 'media' && error === 'net::ERR_ABORTED') return;
    problems.push(`failed: ${request.url()} ${error} (${request.resourceType()})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${server.url}/${relativeUrl}`, { waitUntil: 'load' });
  return { page, problems, dialogs };
}

async function screenshot(page: Page, name: string): Promise<void> {
  const directory = process.env.STORYREEL_SCREENSHOTS;
  if (directory) await page.screenshot({ path: path.join(directory, `${name}.png`), fullPage: true });
}

/** Every <img> in `selector` has been fetched and decoded (naturalWidth is 0 for a broken image). */
async function imageWidths(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (images) =>
    images.map((image) => (image as unknown as { naturalWidth: number }).naturalWidth),
  );
}

/** Waits until every image on the page is fetched and decoded (rejects if one is broken). */
async function decodeImages(page: Page): Promise<void> {
  await page.evaluate('Promise.all([...document.images].map((image) => image.decode()))');
}

/** Waits until the film's metadata (duration, size) has loaded. */
async function videoMetadata(page: Page): Promise<void> {
  // Browser-side code as strings: this project's TypeScript has no DOM types.
  await page.waitForFunction("(document.querySelector('video')?.readyState ?? 0) >= 1", undefined, {
    timeout: 20_000,
  });
}

describe('report.html in headless Chromium', () => {
  it('plays the film, shows every scene with its thumbnail and the contact sheet, with no errors', async () => {
    const { page, problems } = await open('ad/default/report.html');
    await videoMetadata(page);
    const video = await page.$eval('video', (element) => ({
      duration: element.duration,
      error: element.error?.message ?? null,
      width: element.videoWidth,
    }));
    const scenesSeconds = complete.scenes.reduce((sum, scene) => sum + scene.duration, 0);
    expect(video.error).toBeNull();
    expect(video.width).toBe(320);
    expect(Math.abs(video.duration - scenesSeconds)).toBeLessThan(0.5);

    const cards = page.locator('article.card');
    expect(await cards.count()).toBe(complete.scenes.length);
    for (const [index, scene] of complete.scenes.entries()) {
      await expect.poll(() => cards.nth(index).isVisible()).toBe(true);
      expect(await cards.nth(index).locator('h3').textContent()).toBe(`0${index + 1} ${scene.scene}`);
    }
    await decodeImages(page);
    expect(await imageWidths(page, 'article.card img')).toEqual([320, 320, 320]);
    expect((await imageWidths(page, 'img[src="contact-sheet.jpg"]'))[0]).toBe(684);
    // The number badge sits in the thumbnail's lower right, clear of a card's header (top left).
    const thumb = (await cards.first().locator('figure').boundingBox())!;
    const number = (await cards.first().locator('.number').boundingBox())!;
    expect(number.x).toBeGreaterThan(thumb.x + thumb.width / 2);
    expect(number.y).toBeGreaterThan(thumb.y + thumb.height / 2);
    await screenshot(page, 'report-complete');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a prompt with <script> in it as text, and nothing in it runs', async () => {
    const { page, problems, dialogs } = await open('ad/default/report.html');
    await videoMetadata(page);
    expect(await page.locator('#scene-neon .prompt').textContent()).toBe(XSS_PROMPT);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('for an incomplete render: says there is no film, and still shows every scene and the failure', async () => {
    const { page, problems } = await open('ad/teaser/report.html');
    expect(await page.locator('video').count()).toBe(0);
    await expect.poll(() => page.getByText('No film to play.').isVisible()).toBe(true);
    expect(await page.locator('article.card').count()).toBe(incomplete.scenes.length);
    const failed = page.locator('#scene-finale');
    expect(await failed.isVisible()).toBe(true);
    expect(await failed.locator('.badge').textContent()).toBe('Failed');
    expect(await failed.locator('.error').textContent()).toContain('<content policy> "violence" detected');
    await decodeImages(page);
    expect(await imageWidths(page, 'article.card img')).toEqual([320, 320, 320]);
    await screenshot(page, 'report-incomplete');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the index shows every variant with its contact sheet and links to its report', async () => {
    const { page, problems } = await open('index.html');
    const cards = page.locator('article.variant-card');
    expect(await cards.count()).toBe(2);
    await decodeImages(page);
    const widths = await imageWidths(page, 'article.variant-card img');
    expect(widths).toHaveLength(2);
    for (const width of widths) expect(width).toBe(684);
    await screenshot(page, 'index');
    await page.getByRole('link', { name: 'teaser' }).click();
    await page.waitForURL(/\/ad\/teaser\/report\.html$/);
    expect(await page.locator('h1').textContent()).toBe('Autumn bike ride');
    expect(problems).toEqual([]);
    await page.close();
  });
});
