import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../src/media/binaries.js';
import { joinClips } from '../../src/media/join.js';
import { probe } from '../../src/media/probe.js';
import { findFont } from '../../src/media/synth.js';
import { fileIdentity } from '../../src/report/freshness.js';
import { writeReportHtml } from '../../src/report/html.js';
import {
  contactSheetArgs,
  labelledImageList,
  posterArgs,
  sheetColumns,
  thumbnailsArgs,
} from '../../src/report/image-recipes.js';
import { makeContactSheet, makePoster, sheetHeading } from '../../src/report/images.js';
import { ThumbnailsAhead } from '../../src/report/thumbnails-ahead.js';
import { FAILED_SCENE, filmReport, makeVariantFolder, SCENES, sceneReport } from './fixtures.js';

let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-report-images-'));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** The colour of one pixel of an image, as `#rrggbb`. */
async function pixel(file: string, x: number, y: number): Promise<string> {
  const { stdout } = await execa(
    ffmpegPath(),
    ['-v', 'error', '-i', file, '-vf', `format=rgb24,crop=1:1:${x}:${y}`, '-f', 'rawvideo', '-'],
    { encoding: 'buffer' },
  );
  return `#${Buffer.from(stdout).toString('hex')}`;
}

/** Close enough to a colour, allowing for JPEG and YUV rounding. */
function near(actual: string, expected: string): boolean {
  const channels = (hex: string) => [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  const [a, b] = [channels(actual), channels(expected)];
  return a.every((value, index) => Math.abs(value - b[index]!) <= 12);
}

async function pictures(directory: string): Promise<string[]> {
  return (await readdir(directory)).filter((name) => name.endsWith('.jpg'));
}

async function size(file: string): Promise<string> {
  const info = await probe(file);
  return `${info.video?.width}x${info.video?.height}`;
}

describe('writeReportHtml', () => {
  it('writes report.html, a small first-frame thumbnail per scene and a contact sheet with one tile each', async () => {
    const variantDir = path.join(workDir, 'ad', 'default');
    const report = await makeVariantFolder(variantDir);
    await writeReportHtml(report, variantDir);

    expect((await readdir(path.join(variantDir, 'thumbs'))).sort()).toEqual([
      '.made-from.json', // what each picture was made from, so that a rerun does not make it again
      '01-street.jpg',
      '02-closeup.jpg',
      '03-neon.jpg',
    ]);
    expect(await size(path.join(variantDir, 'thumbs', '01-street.jpg'))).toBe('320x180');
    // Scene 1's placeholder cards are dark blue (#1f3a5f), its second shot a darker shade: this is the first frame.
    const firstFrameColour = await pixel(path.join(variantDir, 'thumbs', '01-street.jpg'), 2, 90);
    expect(near(firstFrameColour, '#1f3a5f'), firstFrameColour).toBe(true);
    // Three 320x180 tiles in a 2x2 grid, 12 px apart, 16 px margins, each with a 34 px label strip,
    // under a 40 px heading.
    expect(await size(path.join(variantDir, 'contact-sheet.jpg'))).toBe(
      `${2 * 320 + 12 + 2 * 16}x${2 * (180 + 34) + 12 + 2 * 16 + 40}`,
    );
    const page = await readFile(path.join(variantDir, 'report.html'), 'utf8');
    expect(page).toContain('src="film.mp4"');
    expect(page).toContain('src="contact-sheet.jpg"');
    expect(page).toContain('src="thumbs/03-neon.jpg"');
    expect(await readdir(variantDir)).not.toContainEqual(expect.stringMatching(/partial|tmp/));
  });

  it('for an incomplete render: thumbnails for the rendered scenes, a "not rendered" tile, no film', async () => {
    const variantDir = path.join(workDir, 'ad', 'teaser');
    const report = await makeVariantFolder(variantDir, { specs: [...SCENES, FAILED_SCENE] });
    await writeReportHtml(report, variantDir);

    expect(await pictures(path.join(variantDir, 'thumbs'))).toHaveLength(3);
    // The failed scene keeps its place in the sheet: the fourth cell of the 2x2 grid is a grey tile.
    const sheet = path.join(variantDir, 'contact-sheet.jpg');
    expect(await size(sheet)).toBe(`${2 * 320 + 12 + 2 * 16}x${2 * (180 + 34) + 12 + 2 * 16 + 40}`);
    const fourthCell = await pixel(sheet, 16 + 320 + 12 + 20, 40 + 16 + 180 + 34 + 12 + 20);
    expect(near(fourthCell, '#5b6470'), fourthCell).toBe(true);
    const page = await readFile(path.join(variantDir, 'report.html'), 'utf8');
    expect(page).toContain('No film to play.');
    expect(page).toContain('No clip yet: failed');
  });

  it('never offers a film.mp4 that report.json does not name (one left by an earlier render)', async () => {
    const variantDir = path.join(workDir, 'ad', 'teaser');
    const report = await makeVariantFolder(variantDir, { specs: [...SCENES, FAILED_SCENE] });
    await writeFile(path.join(variantDir, 'film.mp4'), 'an older film');
    await writeReportHtml(report, variantDir);
    const page = await readFile(path.join(variantDir, 'report.html'), 'utf8');
    expect(page).not.toContain('<video');
    expect(page).toContain('No film to play.');
  });

  it('makes portrait thumbnails for a 9:16 film', async () => {
    const variantDir = path.join(workDir, 'ad', 'vertical');
    const report = await makeVariantFolder(variantDir, { specs: SCENES.slice(1, 2), aspectRatio: '9:16' });
    await writeReportHtml(report, variantDir);
    expect(await size(path.join(variantDir, 'thumbs', '01-closeup.jpg'))).toBe('180x320');
  });

  it('an old thumbnail of a removed scene goes, and one it did not make is made again', async () => {
    const variantDir = path.join(workDir, 'ad', 'default');
    const report = await makeVariantFolder(variantDir);
    await mkdir(path.join(variantDir, 'thumbs'), { recursive: true });
    await writeFile(path.join(variantDir, 'thumbs', '09-gone.jpg'), 'old');
    await writeFile(path.join(variantDir, 'thumbs', '01-street.jpg'), 'stale');
    await writeReportHtml(report, variantDir);
    expect(await readdir(path.join(variantDir, 'thumbs'))).not.toContain('09-gone.jpg');
    expect(await size(path.join(variantDir, 'thumbs', '01-street.jpg'))).toBe('320x180');
  });

  it('makes a picture again only when its inputs changed: a rerun makes none, a new take remakes its own', async () => {
    const variantDir = path.join(workDir, 'ad', 'default');
    const report = await makeVariantFolder(variantDir);
    await writeReportHtml(report, variantDir);
    const pictures = [
      'thumbs/01-street.jpg',
      'thumbs/02-closeup.jpg',
      'thumbs/03-neon.jpg',
      'contact-sheet.jpg',
    ];
    const identities = () =>
      Promise.all(
        pictures.map(async (picture) => {
          const stats = await stat(path.join(variantDir, picture), { bigint: true });
          return `${stats.ino}:${stats.mtimeNs}`;
        }),
      );
    const first = await identities();

    await writeReportHtml(report, variantDir);
    expect(await identities()).toEqual(first);

    // A new take of scene 2: another file under the clip's name, older than the thumbnail.
    const clip = path.join(variantDir, report.scenes[1]!.clip!);
    const take = path.join(workDir, 'take.mp4');
    await execa(ffmpegPath(), ['-v', 'error', '-i', clip, '-vf', 'negate', '-c:a', 'copy', '-y', take]);
    await utimes(take, new Date('2020-01-01'), new Date('2020-01-01'));
    await rename(take, clip);
    await rm(path.join(variantDir, pictures[2]!));
    await writeReportHtml(report, variantDir);
    const third = await identities();
    expect(third[0]).toBe(first[0]);
    expect(third[1]).not.toBe(first[1]); // the new take's picture
    expect(third[2]).not.toBe(first[2]); // deleted, so made again
    expect(third[3]).not.toBe(first[3]); // the sheet shows both
  });

  it('without any clip yet: no contact sheet (an old one is removed) and no thumbnails', async () => {
    const variantDir = path.join(workDir, 'ad', 'default');
    await mkdir(variantDir, { recursive: true });
    await writeFile(path.join(variantDir, 'contact-sheet.jpg'), 'old');
    const report = filmReport([sceneReport(FAILED_SCENE, 0)]);
    await writeReportHtml(report, variantDir);
    await expect(stat(path.join(variantDir, 'contact-sheet.jpg'))).rejects.toThrow(/ENOENT/);
    const page = await readFile(path.join(variantDir, 'report.html'), 'utf8');
    expect(page).not.toContain('contact-sheet.jpg');
    expect(page).toContain('No clip yet: failed');
  });
});

describe('a contact sheet of hundreds of scenes', () => {
  it('is made although its filtergraph is far over the 128 KiB Linux allows one argument', async () => {
    const variantDir = path.join(workDir, 'big', 'default');
    const report = await makeVariantFolder(variantDir, { specs: [SCENES[0]!] });
    await writeReportHtml(report, variantDir);
    // 400 scenes, every one with the first scene's thumbnail (making 400 would only slow the test).
    const big = filmReport(
      Array.from({ length: 400 }, (_, index) => ({
        ...sceneReport(SCENES[0]!, index),
        scene: `scene-${String(index + 1).padStart(3, '0')}`,
      })),
    );
    const pictures = Object.fromEntries(
      big.scenes.map((scene) => [
        scene.scene,
        { image: path.join(variantDir, 'thumbs', '01-street.jpg'), key: 'the first scene' },
      ]),
    );
    // The graph as makeContactSheet builds it: a label per tile, drawn with the bundled font.
    const graph = contactSheetArgs({
      tiles: big.scenes.map((scene) => ({
        image: path.join(variantDir, 'thumbs', '01-street.jpg'),
        label: `${scene.index + 1}  ${scene.scene}  ·  7 s`,
      })),
      tileWidth: 320,
      tileHeight: 180,
      columns: 8,
      fontFile: findFont()!,
      output: 'x',
    });
    expect(graph[graph.indexOf('-filter_complex') + 1]!.length).toBeGreaterThan(128 * 1024);

    expect(await makeContactSheet(big, variantDir, pictures)).toBe('contact-sheet.jpg');
    // 8 columns of 320 px and 50 rows of 180 + 34 px, 12 px apart, 16 px margins, under the heading.
    expect(await size(path.join(variantDir, 'contact-sheet.jpg'))).toBe(
      `${8 * 320 + 7 * 12 + 2 * 16}x${50 * (180 + 34) + 49 * 12 + 2 * 16 + 40}`,
    );
  });
});

describe('the poster made ahead', () => {
  it("is the very poster ffmpeg makes from the film, when the film is its clips' stream copy", async () => {
    const variantDir = path.join(workDir, 'ad', 'default');
    const report = await makeVariantFolder(variantDir);
    const clips = report.scenes.map((scene) => path.join(variantDir, scene.clip!));
    const film = path.join(workDir, 'copied.mp4');
    expect((await joinClips(clips, film)).mode).toBe('copy');
    const fromFilm = path.join(workDir, 'from-film.jpg');
    const ahead = path.join(workDir, 'ahead.jpg');
    await execa(ffmpegPath(), posterArgs(film, fromFilm));
    const thumbnail = path.join(workDir, 'thumb.jpg');
    await execa(ffmpegPath(), thumbnailsArgs([{ clip: clips[0]!, output: thumbnail, poster: ahead }]));
    expect(await size(ahead)).toBe(await size(fromFilm));
    expect(await readFile(ahead)).toEqual(await readFile(fromFilm));
    expect(await size(thumbnail)).toBe('320x180');
  });

  it('is taken for the clip the film starts with, and the film is read when none is named', async () => {
    const variantDir = path.join(workDir, 'ad', 'default');
    const report = await makeVariantFolder(variantDir);
    const ahead = new ThumbnailsAhead(0);
    // The second clip, named as the one the film starts with: the poster must then be its frame,
    // which tells a copy of the picture made ahead from a poster made from the film.
    const second = report.scenes[1]!.clip!;
    const stored = path.join(variantDir, second);
    ahead.wantPoster(stored);
    ahead.add(stored);
    try {
      const made = await ahead.poster((await fileIdentity(stored))!);
      expect(made).toBeDefined();
      expect(await makePoster(report, variantDir, { ahead, firstFrameOf: second })).toBe('poster.jpg');
      const poster = path.join(variantDir, 'poster.jpg');
      expect(await readFile(poster)).toEqual(await readFile(made!));

      await rm(poster);
      await makePoster(report, variantDir, { ahead });
      const fromFilm = path.join(workDir, 'from-film.jpg');
      await execa(ffmpegPath(), posterArgs(path.join(variantDir, report.film!.path), fromFilm));
      expect(await readFile(poster)).toEqual(await readFile(fromFilm));
      expect(await readFile(poster)).not.toEqual(await readFile(made!));
    } finally {
      await ahead.dispose();
    }
  });
});

describe('contact sheet recipe', () => {
  it('makes the same sheet from one input as from one input per tile, when the pictures are one size', async () => {
    const variantDir = path.join(workDir, 'ad', 'default');
    const report = await makeVariantFolder(variantDir);
    await writeReportHtml(report, variantDir);
    // Seven tiles in a 3-column grid (an empty cell at the end), every label in its own place: one
    // too long for its tile (cut at its edge), one with quotes and a backslash (taken literally, not
    // as ffmpeg syntax), one with a taller letter (its own ascent keeps the common baseline).
    const names = ['01-street.jpg', '02-closeup.jpg', '03-neon.jpg'];
    const labels = new Map([
      [2, '03  the-long-closing-shot-at-night-by-the-river  ·  5 s'],
      [4, "05  it's a \\'quote'  %{n}  ·  7 s"],
      [5, '06  Écluse  ·  8 s'],
    ]);
    const tiles = Array.from({ length: 7 }, (_, index) => ({
      image: path.join(variantDir, 'thumbs', names[index % 3]!),
      label: labels.get(index) ?? `0${index + 1}  scene-${index + 1}  ·  ${index + 3} s`,
    }));
    const headingFile = path.join(workDir, 'heading.txt');
    await writeFile(headingFile, 'A ride — default · 7 scenes');
    const imageList = path.join(workDir, 'images.txt');
    await writeFile(imageList, labelledImageList(tiles));
    const recipe = { tiles, headingFile, tileWidth: 320, tileHeight: 180, columns: 3, fontFile: findFont()! };
    const perTile = path.join(workDir, 'per-tile.jpg');
    const oneInput = path.join(workDir, 'one-input.jpg');
    await execa(ffmpegPath(), contactSheetArgs({ ...recipe, output: perTile }));
    const args = contactSheetArgs({ ...recipe, imageList, output: oneInput });
    expect(args.filter((arg) => arg === '-i')).toHaveLength(1);
    await execa(ffmpegPath(), args);
    expect(await size(oneInput)).toBe(await size(perTile));
    // Decoded, the two pictures are the same, pixel for pixel.
    const decoded = async (file: string) =>
      Buffer.from(
        (
          await execa(ffmpegPath(), ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
            encoding: 'buffer',
          })
        ).stdout,
      );
    const [a, b] = [await decoded(perTile), await decoded(oneInput)];
    let differing = 0;
    for (let at = 0; at < a.length; at++) if (Math.abs(a[at]! - b[at]!) > 2) differing += 1;
    expect(differing).toBe(0);
  });

  it('picks the grid closest to 16:9: four landscape scenes in 2x2, four portrait ones in a row', () => {
    expect([1, 2, 3, 4, 6, 9, 12, 20].map((count) => sheetColumns(count, 320, 180))).toEqual([
      1, 2, 2, 2, 3, 3, 4, 5,
    ]);
    expect([2, 4, 6, 12].map((count) => sheetColumns(count, 180, 320))).toEqual([2, 4, 6, 6]);
    // Never wider than 8 tiles, however many scenes.
    expect(sheetColumns(60, 180, 320)).toBe(8);
  });

  it('reads the heading from a file and draws a grey placeholder for a scene without a picture', () => {
    const args = contactSheetArgs({
      tiles: [{ image: '/v/thumbs/01-a.jpg', label: '01  a  ·  5 s' }, { label: '02  b  ·  5 s' }],
      headingFile: '/tmp/heading.txt',
      tileWidth: 320,
      tileHeight: 180,
      columns: 2,
      fontFile: '/fonts/DejaVuSans.ttf',
      output: '/v/.contact-sheet.jpg.1.partial',
    });
    expect(args).toEqual(expect.arrayContaining(['-i', '/v/thumbs/01-a.jpg', '-f', 'lavfi']));
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('textfile=/tmp/heading.txt');
    expect(graph).toContain('text=not rendered');
    expect(graph).toContain('concat=n=2:v=1:a=0,tile=layout=2x1');
    // The temporary name has no image extension: the format must be explicit.
    expect(args.slice(-10, -1)).toEqual([
      '-frames:v',
      '1',
      '-q:v',
      '3',
      '-f',
      'image2',
      '-update',
      '1',
      '-y',
    ]);
  });

  it('shortens the heading to fit a narrow sheet, keeping the title first', () => {
    const report = filmReport(SCENES.map((spec, index) => sceneReport(spec, index)));
    expect(sheetHeading(report, 1000)).toBe('Autumn bike ride — default · 3 scenes · 13 s');
    expect(sheetHeading(report, 400)).toBe('Autumn bike ride — default');
    expect(sheetHeading({ ...report, title: 'A very long campaign title for the spring launch' }, 200)).toBe(
      'A very long ca…',
    );
  });
});
