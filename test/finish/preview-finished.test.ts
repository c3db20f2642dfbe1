/**
 * The preview provider finishes too, so an animatic shows the real timing for free: through the real
 * CLI with `--provider preview` (no token, no server), a finished storyboard gives a film of exactly
 * the cut's frames, the crossfade a mix of its two scenes' cards (each its own colour), the super drawn from its first frame to its last and nowhere else, and the sound
 * at the loudness asked (measured on film.mp4 here, not read from the report) with true peak <= -1 dBTP.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath, ffprobePath } from '../../src/media/binaries.js';
import { runCli } from '../helpers/cli.js';
import { averageColour } from '../media/media-helpers.js';
import { jsonEvents, readReport, type Workspace, workspace } from '../render/support.js';

const LOUDNESS = -14;
// Film frames (24 fps): 'one' shows 2.5 s (frames 0-59), the crossfade overlaps 0.5 s, 'two' ends at
// 5 s and the end card lasts 1 s: 144 frames. The super is on from 0.5 s for 1 s: frames 12 to 35.
const FRAMES = 144;
const SUPER = { first: 12, last: 35 };
// The crossfade: frames 48 to 59, 'two' fading in over 'one' (half way at frame 54).
const CROSSFADE = { first: 48, middle: 54, last: 59 };

const STORYBOARD = `version: 1
title: Animatic
defaults: { aspect_ratio: "16:9", sound: true }
finish:
  loudness: ${LOUDNESS}
  music: { file: assets/bed.m4a, volume: -6, fade_out: 1 }
  end_card: { duration: 1, text: "See you there", background: "#102030" }
deliver: { length: 6 }
scenes:
  - id: one
    prompt: a shop front at dawn
    duration: 3
    trim: { start: 0.5 }
    transition: crossfade
    supers: [{ text: "Grand opening", at: 0.5, for: 1, position: top }]
  - id: two
    prompt: the doors open
    duration: 3
`;

// Right-to-left supers, one a second at the top of a still card (frames 24k to 24k+23): Arabic as
// typed, the same word in the joined forms a correct renderer shapes it to, and in the isolated
// forms of a renderer that does not shape; Hebrew as typed, forced into the order a correct
// renderer displays it in (an LTR override of the reversed word), and reversed without override.
const RTL = {
  arabic: 'سلام',
  arabicJoined: '\uFEB3\uFEFC\uFEE1',
  arabicIsolated: '\uFEB1\uFEDD\uFE8D\uFEE1',
  hebrew: 'שלום',
  hebrewDisplayed: '\u202Dםולש\u202C',
  hebrewReversed: 'םולש',
};
const RTL_STORYBOARD = `version: 1
title: Right to left
defaults: { aspect_ratio: "16:9", sound: false }
scenes:
  - id: words
    prompt: a quiet street
    duration: 6
    supers:
${Object.values(RTL)
  .map((text, k) => `      - { text: ${JSON.stringify(text)}, at: ${k}, for: 1, position: top }`)
  .join('\n')}
`;

let ws: Workspace;
let film: string;
let run: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  ws = await workspace();
  await mkdir(path.join(ws.dir, 'assets'));
  await copyFile(path.resolve('storyboards/assets/bed.m4a'), path.join(ws.dir, 'assets', 'bed.m4a'));
  const file = path.join(ws.dir, 'animatic.yaml');
  await writeFile(file, STORYBOARD);
  const rtl = path.join(ws.dir, 'rtl.yaml');
  await writeFile(rtl, RTL_STORYBOARD);
  run = await runCli(['render', file, rtl, '--provider', 'preview', '--out', ws.out, '--json']);
  film = path.join(ws.out, 'animatic', 'default', 'film.mp4');
}, 120_000);

afterAll(async () => {
  await ws?.cleanup();
});

async function size(file: string): Promise<{ width: number; height: number }> {
  const { stdout } = await execa(ffprobePath(), [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height'],
    ...['-of', 'csv=p=0', file],
  ]);
  const [width, height] = stdout.trim().split(',').map(Number);
  return { width: width!, height: height! };
}

/** Frames first..last of the film (or `of`), decoded to 8-bit grey, one buffer each. */
function greyFrames(first: number, last: number, of = film): Promise<Buffer[]> {
  return greyFramesAt(
    Array.from({ length: last - first + 1 }, (_, k) => first + k),
    of,
  );
}

/** The frames numbered `numbers` (ascending) of `of`, decoded to 8-bit grey, one buffer each. */
async function greyFramesAt(numbers: number[], of: string): Promise<Buffer[]> {
  const { width, height } = await size(of);
  const select = numbers.map((n) => `eq(n,${n})`).join('+');
  const { stdout } = await execa(
    ffmpegPath(),
    [
      ...['-v', 'error', '-i', of, '-vf', `select='${select}',format=gray`],
      ...['-vsync', '0', '-f', 'rawvideo', '-'],
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  const bytes = width * height;
  return numbers.map((_, k) => Buffer.from(stdout.subarray(k * bytes, (k + 1) * bytes)));
}

/** Where two frames differ visibly (a grey step over 48): the box around those pixels, or none. */
function changedBox(a: Buffer, b: Buffer, width: number) {
  let box: { left: number; right: number; top: number; bottom: number; pixels: number } | undefined;
  for (let k = 0; k < a.length; k += 1) {
    if (Math.abs(a[k]! - b[k]!) <= 48) continue;
    const x = k % width;
    const y = Math.floor(k / width);
    box ??= { left: x, right: x, top: y, bottom: y, pixels: 0 };
    box.left = Math.min(box.left, x);
    box.right = Math.max(box.right, x);
    box.top = Math.min(box.top, y);
    box.bottom = Math.max(box.bottom, y);
    box.pixels += 1;
  }
  return box;
}

describe('a finished storyboard on the preview provider', () => {
  it('is finished for free, to the frame', async () => {
    expect(run.exitCode, run.stderr).toBe(0);
    const films = jsonEvents(run.stdout).flatMap((event) => (event.type === 'film' ? [event] : []));
    expect(films.map((event) => [event.storyboard, event.joinMode])).toEqual([
      ['animatic', 'finished'],
      ['rtl', 'finished'],
    ]);
    const { stdout } = await execa(ffprobePath(), [
      ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', film],
    ]);
    expect(Number(stdout.trim())).toBe(FRAMES);
    const report = await readReport(ws.out, 'animatic');
    expect(report.status).toBe('complete');
    expect(report.cost.estimatedThisRun).toBe(0);
  });

  it('draws the super from its first frame to its last, in the top title-safe band, centred', async () => {
    const { width, height } = await size(film);
    const before = await greyFrames(SUPER.first - 2, SUPER.first);
    const after = await greyFrames(SUPER.last, SUPER.last + 2);
    // The preview's card is still: the frames before the super and after it are alike...
    expect(changedBox(before[0]!, before[1]!, width)).toBeUndefined();
    expect(changedBox(after[1]!, after[2]!, width)).toBeUndefined();
    // ...and the super appears on its first frame and is gone the frame after its last, both times
    // in the same place: the top of the picture's title-safe area, centred.
    const appears = changedBox(before[1]!, before[2]!, width);
    const goes = changedBox(after[0]!, after[1]!, width);
    expect(appears).toBeDefined();
    expect(goes).toBeDefined();
    // The same box, give or take a pixel of the encoder's noise at the text's edges.
    for (const edge of ['left', 'right', 'top', 'bottom'] as const) {
      expect(Math.abs(goes![edge] - appears![edge])).toBeLessThanOrEqual(2);
    }
    expect(appears!.top).toBeGreaterThanOrEqual(Math.floor(height * 0.05));
    expect(appears!.bottom).toBeLessThan(height / 4);
    expect(Math.abs((appears!.left + appears!.right) / 2 - width / 2)).toBeLessThan(width * 0.02);
  });

  it('crossfades: half way through, the picture is a mix of the two scenes', async () => {
    const at = (frame: number) => averageColour(film, (frame + 0.5) / 24);
    const one = await at(CROSSFADE.first - 4);
    const two = await at(CROSSFADE.last + 4);
    const middle = await at(CROSSFADE.middle);
    const apart = [0, 1, 2].filter((c) => Math.abs(one[c]! - two[c]!) > 20);
    expect(apart.length).toBeGreaterThan(0);
    for (const c of apart) {
      const share = (middle[c]! - one[c]!) / (two[c]! - one[c]!);
      expect(share).toBeGreaterThan(0.3);
      expect(share).toBeLessThan(0.7);
    }
  });

  it('has the loudness asked, measured on film.mp4, with true peak at or under -1 dBTP', async () => {
    const { stderr } = await execa(ffmpegPath(), [
      ...['-hide_banner', '-nostats', '-i', film, '-map', '0:a:0', '-af', 'ebur128=peak=true'],
      ...['-f', 'null', '-'],
    ]);
    const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
    const integrated = Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]);
    const truePeak = Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)?.[1]);
    expect(Math.abs(integrated - LOUDNESS)).toBeLessThanOrEqual(0.5);
    expect(truePeak).toBeLessThanOrEqual(-1);
    const report = await readReport(ws.out, 'animatic');
    expect(Math.abs(report.film!.loudness!.integrated - integrated)).toBeLessThanOrEqual(0.1);
  });

  it('draws Arabic joined and Hebrew right to left, as typed, with the bundled font', async () => {
    const rtlFilm = path.join(ws.out, 'rtl', 'default', 'film.mp4');
    const { width } = await size(rtlFilm);
    // The middle frame of each super's second.
    const [arabic, joined, isolated, hebrew, displayed, reversed] = await greyFramesAt(
      [0, 1, 2, 3, 4, 5].map((k) => 24 * k + 12),
      rtlFilm,
    );
    const differing = (a: Buffer, b: Buffer) => changedBox(a, b, width)?.pixels ?? 0;
    // Each wrong rendering differs visibly from the right one...
    const wrongArabic = differing(joined!, isolated!);
    const wrongHebrew = differing(displayed!, reversed!);
    expect(wrongArabic).toBeGreaterThan(100);
    expect(wrongHebrew).toBeGreaterThan(100);
    // ...and the super as typed is the right one, within the encoder's noise.
    expect(differing(arabic!, joined!)).toBeLessThan(wrongArabic / 10);
    expect(differing(hebrew!, displayed!)).toBeLessThan(wrongHebrew / 10);
  });
});
