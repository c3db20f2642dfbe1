/**
 * ThumbnailsAhead with real ffmpeg: a clip's picture is found by the clip file's identity (so a
 * re-rendered or rewritten clip never gets the old picture), a clip ffmpeg cannot read is simply not
 * prepared (the report then makes or fails it itself), and dispose removes what was made.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileIdentity } from '../../src/report/freshness.js';
import { ThumbnailsAhead } from '../../src/report/thumbnails-ahead.js';
import { waitFor } from '../helpers/wait.js';
import { makeVariantFolder } from './fixtures.js';

let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-thumbnails-ahead-'));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('ThumbnailsAhead', () => {
  it('prepares each readable clip, by identity; skips one ffmpeg cannot read; dispose removes them', async () => {
    const report = await makeVariantFolder(workDir);
    const clips = report.scenes.filter((scene) => scene.clip).map((scene) => path.join(workDir, scene.clip!));
    const broken = path.join(workDir, 'broken.mp4');
    await writeFile(broken, 'not a video');
    const ahead = new ThumbnailsAhead(10);
    for (const clip of [...clips, broken]) ahead.add(clip);

    const made: string[] = [];
    for (const clip of clips) {
      const picture = await ahead.picture((await fileIdentity(clip))!);
      expect(picture, clip).toBeDefined();
      expect((await stat(picture!)).size).toBeGreaterThan(0);
      made.push(picture!);
    }
    expect(await ahead.picture((await fileIdentity(broken))!)).toBeUndefined();

    // Rewritten since: another identity, so not the old picture.
    await writeFile(clips[0]!, await readFile(clips[0]!));
    expect(await ahead.picture((await fileIdentity(clips[0]!))!)).toBeUndefined();

    await ahead.dispose();
    for (const picture of made) await expect(stat(picture)).rejects.toThrow();
  });

  it('hands over a picture already made at once, while a later wave is still being made', async () => {
    const report = await makeVariantFolder(workDir);
    const [first, second] = report.scenes
      .filter((scene) => scene.clip)
      .map((scene) => path.join(workDir, scene.clip!));
    const ahead = new ThumbnailsAhead(10);
    try {
      ahead.add(first!);
      const firstPicture = await ahead.picture((await fileIdentity(first!))!);
      ahead.add(second!);
      ahead.flush();
      // The second clip's run has started; the first picture does not wait for it.
      expect(await ahead.picture((await fileIdentity(first!))!)).toBe(firstPicture);
      const folder = path.dirname(firstPicture!);
      expect(await readdir(folder)).toEqual([path.basename(firstPicture!)]);
      expect(await ahead.picture((await fileIdentity(second!))!)).toBeDefined();
    } finally {
      await ahead.dispose();
    }
  });

  it('starts a wave waiting for company as soon as it is told no more clips will come', async () => {
    const report = await makeVariantFolder(workDir);
    const clip = path.join(workDir, report.scenes.find((scene) => scene.clip)!.clip!);
    // Its scratch folder lands here, where the test can see the picture appear.
    const scratch = path.join(workDir, 'tmp');
    await mkdir(scratch);
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    const ahead = new ThumbnailsAhead(60_000);
    try {
      ahead.add(clip);
      ahead.flush();
      const pictures = async () =>
        (await readdir(scratch, { recursive: true })).filter((name) => name.endsWith('.jpg'));
      // Made long before the minute it would have waited for more clips.
      await waitFor(async () => (await pictures()).length === 1, 20_000);
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
      await ahead.dispose();
    }
  });

  it("in the last wave, makes each clip's picture as it comes, without waiting for company", async () => {
    const report = await makeVariantFolder(workDir);
    const [first, second] = report.scenes
      .filter((scene) => scene.clip)
      .map((scene) => path.join(workDir, scene.clip!));
    const scratch = path.join(workDir, 'tmp');
    await mkdir(scratch);
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    const ahead = new ThumbnailsAhead(60_000);
    const pictures = async () =>
      (await readdir(scratch, { recursive: true })).filter((name) => name.endsWith('.jpg'));
    try {
      ahead.add(first!);
      ahead.hurry();
      await waitFor(async () => (await pictures()).length === 1, 20_000);
      // A clip that comes later is not held back for the minute's gathering either.
      ahead.add(second!);
      await waitFor(async () => (await pictures()).length === 2, 20_000);
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
      await ahead.dispose();
    }
  });
});
