import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeIndexHtml } from '../../src/report/html.js';
import { renderIndexHtml } from '../../src/report/render-index.js';
import type { FilmReport } from '../../src/report/types.js';
import { FAILED_SCENE, filmReport, SCENES, sceneReport } from './fixtures.js';

let outDir: string;
beforeEach(async () => {
  outDir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-report-index-'));
});
afterEach(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function report(storyboard: string, variant: string, overrides: Partial<FilmReport> = {}): FilmReport {
  const specs = variant === 'teaser' ? [...SCENES, FAILED_SCENE] : SCENES;
  return filmReport(
    specs.map((spec, index) => sceneReport(spec, index)),
    { storyboard, variant, file: `storyboards/${storyboard}.yaml`, ...overrides },
  );
}

/** A variant folder as a finished run leaves it (the pictures' content does not matter here). */
async function variantOnDisk(
  storyboard: string,
  variant: string,
  value: FilmReport | string,
): Promise<string> {
  const variantDir = path.join(outDir, storyboard, variant);
  await mkdir(variantDir, { recursive: true });
  await writeFile(
    path.join(variantDir, 'report.json'),
    typeof value === 'string' ? value : JSON.stringify(value),
  );
  await writeFile(path.join(variantDir, 'report.html'), '<!doctype html>');
  await writeFile(path.join(variantDir, 'contact-sheet.jpg'), 'jpg');
  return variantDir;
}

function cards(page: string): string[] {
  return [...page.matchAll(/<article\b[\s\S]*?<\/article>/g)].map((match) => match[0]);
}

describe('writeIndexHtml', () => {
  it('writes <out>/index.html with one card per variant, linking its report and showing its contact sheet', async () => {
    const fresh = report('ad', 'vertical');
    const variantDir = await variantOnDisk('ad', 'vertical', fresh);
    const file = await writeIndexHtml(outDir, [{ variantDir, report: fresh }]);
    expect(file).toBe(path.join(outDir, 'index.html'));
    const [card] = cards(await readFile(file, 'utf8'));
    expect(card).toContain('<a href="ad/vertical/report.html">vertical</a>');
    expect(card).toContain(
      '<img src="ad/vertical/contact-sheet.jpg" alt="Contact sheet of Autumn bike ride, variant vertical">',
    );
    expect(card).toContain('<dt>Its clips cost</dt><dd>$1.09 estimated; not reported</dd>');
    expect(card).toContain('<dt>Paid at its render</dt><dd>$0.84 estimated; not reported</dd>');
    expect(card).toContain('Complete');
  });

  it('also lists the variants already on disk, so a run of one variant keeps the others in the index', async () => {
    await variantOnDisk('ad', 'default', report('ad', 'default'));
    await variantOnDisk('ad', 'teaser', report('ad', 'teaser'));
    await variantOnDisk('launch', 'default', report('launch', 'default', { title: 'Spring launch' }));
    await mkdir(path.join(outDir, '.storyreel', 'jobs'), { recursive: true });
    const fresh = report('ad', 'vertical');
    const variantDir = await variantOnDisk('ad', 'vertical', fresh);

    const page = await readFile(await writeIndexHtml(outDir, [{ variantDir, report: fresh }]), 'utf8');
    expect(cards(page).map((card) => /<h3 id="variant-([a-z]+-[a-z]+)"/.exec(card)?.[1])).toEqual([
      'ad-default',
      'ad-teaser',
      'ad-vertical',
      'launch-default',
    ]);
    expect(page).toContain('<h2 id="storyboard-launch">Spring launch');
    expect(page).toContain('4 variants');
    expect(page).toContain('2 storyboards');
    expect(cards(page)[1]).toContain('Incomplete');
    expect(cards(page)[1]).toContain('<dt>Scenes rendered</dt><dd>3 of 4</dd>');
  });

  it("uses this run's report over an older report.json on disk", async () => {
    const variantDir = await variantOnDisk('ad', 'default', report('ad', 'default', { title: 'Old title' }));
    const page = await readFile(
      await writeIndexHtml(outDir, [{ variantDir, report: report('ad', 'default', { title: 'New title' }) }]),
      'utf8',
    );
    expect(page).toContain('New title');
    expect(page).not.toContain('Old title');
  });

  it('names a folder whose report.json cannot be read instead of dropping it silently', async () => {
    await variantOnDisk('ad', 'broken', '{"version": 1, "scen');
    const page = await readFile(await writeIndexHtml(outDir, []), 'utf8');
    expect(page).toContain('their report.json could not be read: <code>ad/broken</code>');
    expect(page).toContain('No report.json found in this output folder yet.');
  });

  it('escapes titles and shows a variant without a contact sheet or report.html without dead links', () => {
    const page = renderIndexHtml([
      { report: report('ad', 'default', { title: '<script>x</script>' }), folder: 'ad/default' },
    ]);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).toContain('No scene rendered yet');
    expect(page).toContain('No report.html yet.');
    expect(page).not.toContain('href="ad/');
  });
});
