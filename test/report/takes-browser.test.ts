/**
 * The takes of a scene as a director compares them: a real `render --takes 2` (preview provider,
 * through the CLI), then report.html in headless Chromium. Every take's player loads its clip and
 * its poster, the film's take is marked, and nothing on the page fails.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FilmReport } from '../../src/report/types.js';
import { runCli } from '../helpers/cli.js';
import { readReport } from '../render/support.js';
import { type Browser, launchChromium, type StaticServer, serveFolder } from './browser.js';

let dir: string;
let server: StaticServer;
let browser: Browser;
let report: FilmReport;

beforeAll(async () => {
  browser = await launchChromium();
  dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-takes-browser-'));
  const file = path.join(dir, 'film.yaml');
  await writeFile(
    file,
    [
      'version: 1',
      'defaults: { aspect_ratio: "16:9", sound: false }',
      'scenes:',
      '  - { id: street, prompt: Autumn street, duration: 3, take: 2 }',
      '  - { id: closeup, prompt: Close-up of the girl, duration: 3 }',
      '',
    ].join('\n'),
  );
  const out = path.join(dir, 'output');
  const run = await runCli(['render', file, '--provider', 'preview', '--out', out, '--takes', '2']);
  if (run.exitCode !== 0) throw new Error(`render failed: ${run.stderr}`);
  report = await readReport(out, 'film');
  server = await serveFolder(out);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the takes in report.html', () => {
  it('shows every take side by side, each playable, with its poster, the film take marked', async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.goto(`${server.url}/film/default/report.html`, { waitUntil: 'load' });
    // Browser-side code as strings: this project's TypeScript has no DOM types.
    const tiles = (await page.evaluate(`(async () => {
      const tiles = [...document.querySelectorAll('li.take')];
      return Promise.all(tiles.map(async (tile) => {
        const video = tile.querySelector('video');
        video.preload = 'metadata';
        video.load();
        await new Promise((resolve, reject) => {
          if (video.readyState >= 1) return resolve();
          video.addEventListener('loadedmetadata', resolve, { once: true });
          video.addEventListener('error', () => reject(new Error('cannot load ' + video.src)), { once: true });
        });
        const poster = new Image();
        poster.src = video.poster;
        await poster.decode();
        const box = tile.getBoundingClientRect();
        return {
          scene: tile.closest('article').id,
          take: Number(tile.dataset.take),
          chosen: tile.textContent.includes('In the film'),
          duration: video.duration,
          posterWidth: poster.naturalWidth,
          top: Math.round(box.top),
          left: Math.round(box.left),
        };
      }));
    })()`)) as {
      scene: string;
      take: number;
      chosen: boolean;
      duration: number;
      posterWidth: number;
      top: number;
      left: number;
    }[];
    await page.close();
    expect(problems).toEqual([]);
    expect(tiles.map((tile) => [tile.scene, tile.take, tile.chosen])).toEqual([
      ['scene-street', 1, false],
      ['scene-street', 2, true],
      ['scene-closeup', 1, true],
      ['scene-closeup', 2, false],
    ]);
    for (const tile of tiles) {
      expect(tile.duration).toBeCloseTo(3, 0);
      expect(tile.posterWidth).toBeGreaterThan(0);
    }
    // Side by side: the two takes of a scene share a row.
    expect(tiles[0]!.top).toBe(tiles[1]!.top);
    expect(tiles[1]!.left).toBeGreaterThan(tiles[0]!.left);
    // And report.json says the same.
    expect(report.scenes.map((scene) => scene.takes?.map((take) => [take.take, take.chosen]))).toEqual([
      [
        [1, false],
        [2, true],
      ],
      [
        [1, true],
        [2, false],
      ],
    ]);
  });
});
