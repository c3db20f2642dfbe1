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

describe('text wider than the title-safe area', () => {
  it('is wrapped when it has spaces, refused with the widths when one word is too wide', async () => {
    const { checkPlanAssets } = await import('../../src/run/assets.js');
    const { planVariant } = await import('../../src/plan/planner.js');
    const { parseStoryboard } = await import('../../src/storyboard/load.js');
    const yaml = (text: string) =>
      `version: 1\nscenes:\n  - id: street\n    prompt: Autumn street\n    supers: [{ text: "${text}" }]\n`;
    const planOf = (text: string) => {
      const result = planVariant(parseStoryboard(yaml(text), path.join(dir, 'board', 'ad.yaml')), 'default');
      if (!result.ok) throw new Error('plan failed');
      return result.plan;
    };
    const long = 'Every ride starts with a push, and every push starts with someone who believes in you';
    const [wrapped] = await checkPlanAssets([planOf(long)], { cwd: dir, allowOutside: false });
    const wrapAt = wrapped!.cut!.overlays[0]!.wrapAt!;
    expect(wrapAt).toBeGreaterThan(10);
    expect(wrapAt).toBeLessThan(long.length);
    await expect(
      checkPlanAssets([planOf(`Acme ${'W'.repeat(30)}`)], {
        cwd: dir,
        allowOutside: false,
      }),
    ).rejects.toThrow(/'W{30}' is \d+ px wide at 48 px; the title-safe width of 16:9 is 1152 px/);
    const [short] = await checkPlanAssets([planOf('Acme Cruiser')], { cwd: dir, allowOutside: false });
    expect(short!.cut!.overlays[0]!.wrapAt).toBeUndefined();
  });
});
