/** Bad finishing files are refused through the real CLI: exit 2 at the file's position, nothing submitted. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'storyreel-assets-'));
  await mkdir(path.join(dir, 'board'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function storyboard(finish: string): Promise<string> {
  const file = path.join(dir, 'board', 'ad.yaml');
  await writeFile(
    file,
    `version: 1\nfinish:\n${finish}\nscenes:\n  - { id: street, prompt: Autumn street }\n`,
  );
  return file;
}

describe('finishing files are checked before anything is spent', () => {
  it('validate refuses a missing music file, a text file posing as a logo and a font that is not one', async () => {
    await writeFile(path.join(dir, 'board', 'logo.png'), 'not a picture');
    await writeFile(path.join(dir, 'board', 'brand.ttf'), 'not a font');
    const file = await storyboard(
      '  font: brand.ttf\n  music: { file: assets/bed.m4a }\n  end_card: { image: logo.png }',
    );
    const run = await runCli(['validate', file]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      `${file}:3:9 finish.font: font file 'brand.ttf' is not a TrueType or OpenType font`,
    );
    expect(run.stderr).toContain(
      `${file}:4:18 finish.music.file: music file 'assets/bed.m4a' does not exist`,
    );
    expect(run.stderr).toContain(
      `${file}:5:22 finish.end_card.image: image file 'logo.png' is not a PNG, JPEG or WebP image`,
    );
  });

  it('render refuses a music file outside the storyboard folder unless allowed, and submits nothing', async () => {
    await writeFile(path.join(dir, 'secret.txt'), 'the runner secrets');
    const file = await storyboard('  music: { file: ../secret.txt }');
    const out = path.join(dir, 'out');
    const render = await runCli(['render', file, '--provider', 'runcomfy', '--out', out], {
      env: { RUNCOMFY_API_TOKEN: 'test-token' },
    });
    expect(render.exitCode).toBe(2);
    expect(render.stderr).toContain("music file '../secret.txt' is outside the storyboard's folder");
    expect(render.stderr).toContain('--allow-outside-assets');
    expect(existsSync(out)).toBe(false); // nothing locked, journaled or submitted
    const allowed = await runCli(['validate', file, '--allow-outside-assets']);
    expect(allowed.exitCode).toBe(2);
    expect(allowed.stderr).toContain("music file '../secret.txt' is not an audio file ffprobe can read");
    expect(allowed.stderr).not.toContain('the runner secrets');
  });

  it('refuses a Japanese super the bundled font cannot draw, naming the characters and a font to give', async () => {
    const file = path.join(dir, 'board', 'jp.yaml');
    await writeFile(
      file,
      'version: 1\nscenes:\n  - id: street\n    prompt: Autumn street\n    supers:\n      - { text: "Acme はじめて" }\n      - { text: "שלום Acme" }\n',
    );
    const run = await runCli(['validate', file]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      `${file}:6:9 scenes[0].supers[0]: the bundled font (DejaVu Sans) has no glyphs for 'は' U+306F, 'じ' U+3058, 'め' U+3081, 'て' U+3066`,
    );
    expect(run.stderr).toContain('Noto Sans CJK');
    expect(run.stderr).not.toContain('supers[1]'); // Hebrew: DejaVu Sans has it
  });
});
