import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probe } from '../../src/media/probe.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { mockEnv, mockServer, readReport, renderArgs, workspace, writeStoryboard } from './support.js';

const VARIANTS = [
  '  vertical: { defaults: { aspect_ratio: "9:16" } }',
  '  teaser: { only: [intro, outro] }',
  '  night: { scenes: { middle: { prompt: "the middle, at night" } } }',
].join('\n');

describe('rendering every variant', () => {
  it('submits each distinct job once and gives every variant its film', async () => {
    const server = await mockServer({ slots: 6 });
    const ws = await workspace();
    const scenes = [
      { id: 'intro', prompt: 'the opening' },
      { id: 'middle', prompt: 'the middle' },
      { id: 'outro', prompt: 'the ending' },
    ];
    const file = await writeStoryboard(ws.dir, scenes, { variants: VARIANTS });
    const run = await runCli(renderArgs(file, ws.out, '--all-variants', '--concurrency', '6'), {
      env: mockEnv(server),
    });
    expect(run.exitCode).toBe(0);

    const variants = ['default', 'vertical', 'teaser', 'night'];
    const keys = new Set<string>();
    for (const variant of variants) {
      const report = await readReport(ws.out, 'film', variant);
      expect(report.status).toBe('complete');
      for (const scene of report.scenes) keys.add(scene.key);
    }
    // default 3 + vertical 3 (another aspect ratio) + night 1 (its patched scene); teaser reuses default's.
    expect(keys.size).toBe(7);
    expect(server.submissions()).toBe(keys.size);
    expect(await readdir(path.join(ws.out, 'film', 'teaser', 'clips'))).toEqual([
      '01-intro.mp4',
      '02-outro.mp4',
    ]);
    const vertical = await probe(path.join(ws.out, 'film', 'vertical', 'film.mp4'));
    expect(vertical.video!.height).toBeGreaterThan(vertical.video!.width);
    expect((await readReport(ws.out, 'film', 'teaser')).scenes.every((scene) => scene.reused)).toBe(true);
  });
});

describe('the preview provider', () => {
  it('renders storyboards/ad.yaml into a watchable, finished 27-second film with sound, no token needed', async () => {
    const ws = await workspace();
    const run = await runCli(['render', 'storyboards/ad.yaml', '--provider', 'preview', '--out', ws.out], {
      cwd: repoRoot,
    });
    expect(run.exitCode).toBe(0);
    const film = await probe(path.join(ws.out, 'ad', 'default', 'film.mp4'));
    // The README's first film is finished: four clips, a trim, a crossfade and the end card, to the frame.
    expect(film.durationSec).toBeGreaterThan(26.95);
    expect(film.durationSec).toBeLessThan(27.05);
    const folder = path.join(ws.out, 'ad', 'default');
    expect(await readFile(path.join(folder, 'film.srt'), 'utf8')).toContain(
      "I've got you... you're doing it!",
    );
    expect(JSON.parse(await readFile(path.join(folder, 'timeline.otio'), 'utf8')).OTIO_SCHEMA).toMatch(
      /^Timeline\./,
    );
    expect(film.video).toMatchObject({ width: 1280, height: 720 });
    expect(film.audio).toBeDefined();
    const report = await readReport(ws.out, 'ad');
    expect(report).toMatchObject({ provider: 'preview', status: 'complete' });
    expect(report.scenes.map((scene) => scene.scene)).toEqual(['street', 'closeup', 'letgo', 'packshot']);
  });
});

describe('the index of an output folder', () => {
  it("lists the storyboard's variants in its order, and not one it no longer has", async () => {
    const ws = await workspace();
    const both = ['  zeta: { vars: {} }', '  alpha: { only: [intro] }'].join('\n');
    const spec = [
      { id: 'intro', prompt: 'the opening' },
      { id: 'outro', prompt: 'the ending' },
    ];
    const file = await writeStoryboard(ws.dir, spec, { variants: both });
    const args = [...renderArgs(file, ws.out, '--all-variants', '--provider', 'preview')];
    expect((await runCli(args)).exitCode).toBe(0);
    const cardNames = async () => {
      const page = await readFile(path.join(ws.out, 'index.html'), 'utf8');
      return { page, names: [...page.matchAll(/<h3 id="variant-film-([a-z]+)"/g)].map((match) => match[1]) };
    };
    expect((await cardNames()).names).toEqual(['default', 'zeta', 'alpha']);

    // alpha is removed from the storyboard: its folder stays on disk, but it is no film of it now.
    await writeStoryboard(ws.dir, spec, { variants: '  zeta: { vars: {} }' });
    expect((await runCli(args)).exitCode).toBe(0);
    const { page, names } = await cardNames();
    expect(names).toEqual(['default', 'zeta']);
    expect(page).toContain('<span>2 variants</span>');
    expect(page).toContain('no longer variants of their storyboard: <code>film/alpha</code>');
  });
});

describe('rendering one variant of a storyboard with an invalid other variant', () => {
  it('renders what it checked and warns about the other, which validate rejects', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const spec = [{ id: 'intro', prompt: 'the opening' }];
    const file = await writeStoryboard(ws.dir, spec, {
      variants: '  broken: { scenes: { nosuchscene: { prompt: "x" } } }',
    });
    const validate = await runCli(['validate', file]);
    expect(validate.exitCode).toBe(2);
    const problem = validate.stderr.split('\n').find((line) => line.includes('nosuchscene'))!;
    expect(problem).toMatch(/^\S+\.yaml:\d+:\d+ /);

    const run = await runCli(renderArgs(file, ws.out), { env: mockEnv(server) });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain(`WARNING: ${file}: variant 'broken' is invalid and was not rendered`);
    expect(run.stderr).toContain(problem);
    expect(server.submissions()).toBe(1);
  });
});
