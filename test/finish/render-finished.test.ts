/**
 * Finishing through the real CLI against the mock server: the film is finished (supers, crossfade,
 * end card, music, loudness), its sidecars written, its report naming files as the storyboard does,
 * and finishing never pays: editing a super re-finishes from the stored clips with zero
 * submissions; one variant's failed finish keeps its clips and previous film, exits 1 with ffmpeg's
 * reason, the other variants are still finished and reported, and the rerun finishes without paying.
 */
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { ffmpegPath, ffprobePath } from '../../src/media/binaries.js';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import { runCli } from '../helpers/cli.js';
import {
  jsonEvents,
  mockEnv,
  mockServer,
  readReport,
  renderArgs,
  requestsTo,
  type Workspace,
  workspace,
} from '../render/support.js';

let server: MockServer | undefined;
let ws: Workspace | undefined;
afterEach(async () => {
  await server?.close();
  await ws?.cleanup();
  server = undefined;
  ws = undefined;
});

const storyboard = (superText: string) => `version: 1
title: Finished
defaults: { aspect_ratio: "16:9", sound: true }
finish:
  loudness: -16
  music: { file: assets/bed.m4a, volume: -12, fade_out: 1 }
  end_card: { duration: 1.5, image: assets/logo.png, text: "The end", background: "#202020" }
deliver: { length: 6.5 }
scenes:
  - id: one
    prompt: first scene
    duration: 3
    trim: { start: 0.5 }
    supers: [{ text: ${JSON.stringify(superText)}, at: 0.5, for: 1.5 }]
    transition: crossfade
  - id: two
    prompt: second scene
    duration: 3
    captions: [{ text: "Hello there", at: 0.5, for: 1 }]
`;

async function setUp(superText: string): Promise<string> {
  ws = await workspace();
  await execa('mkdir', ['-p', path.join(ws.dir, 'assets')]);
  for (const asset of ['bed.m4a', 'logo.png']) {
    await copyFile(path.resolve('storyboards/assets', asset), path.join(ws.dir, 'assets', asset));
  }
  const file = path.join(ws.dir, 'ad.yaml');
  await writeFile(file, storyboard(superText));
  return file;
}

function filmEvents(stdout: string) {
  return jsonEvents(stdout).flatMap((event) => (event.type === 'film' ? [event] : []));
}

async function videoFrames(file: string): Promise<number> {
  const { stdout } = await execa(ffprobePath(), [
    ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
    ...['-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file],
  ]);
  return Number(stdout.trim());
}

async function hasAudio(file: string): Promise<boolean> {
  const { stdout } = await execa(ffprobePath(), [
    ...['-v', 'error', '-select_streams', 'a', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', file],
  ]);
  return stdout.includes('audio');
}

/**
 * An ffmpeg that fails the finishing pass of the films written under `where` as a full disk would,
 * and runs every other command.
 */
async function fullDiskFfmpeg(dir: string, where: string): Promise<string> {
  const script = path.join(dir, 'full-disk-ffmpeg.sh');
  await writeFile(
    script,
    `#!/bin/sh\ncase "$*" in *film.graph*${where}*) echo "simulated: No space left on device" >&2; exit 1;; esac\nexec "${ffmpegPath()}" "$@"\n`,
    { mode: 0o755 },
  );
  return script;
}

/** The storyboard above with its super per market: `default` says `opening`, the variant `de` its own. */
const twoMarkets = (opening: string, german: string) =>
  `${storyboard('{{opening}}')}vars: { opening: ${JSON.stringify(opening)} }\nvariants:\n  de:\n    vars: { opening: ${JSON.stringify(german)} }\n`;

// One story in four renders (each finishing pass costs seconds on a loaded machine, so they are
// shared): finish, rerun unchanged, edit the supers while one market's disk is full, rerun.
describe('render finishes the film', () => {
  it("finishes in one pass with sidecars; reruns keep it; one market's failed finish costs only its film; edits re-finish with zero submissions", async () => {
    const file = await setUp('{{opening}}');
    await writeFile(file, twoMarkets('First ride', 'Erste Fahrt'));
    server = await mockServer();
    const env = mockEnv(server);
    const dir = (variant: string) => path.join(ws!.out, 'ad', variant);
    const film = path.join(dir('default'), 'film.mp4');

    // 1. The default market, finished.
    const first = await runCli([...renderArgs(file, ws!.out), '--json'], { env });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(filmEvents(first.stdout).map((e) => e.joinMode)).toEqual(['finished']);
    // 2.5 + 3 - 0.5 crossfade + 1.5 end card = 6.5 s = 156 frames, with sound.
    expect(await videoFrames(film)).toBe(156);
    expect(await hasAudio(film)).toBe(true);
    const report = await readReport(ws!.out, 'ad');
    expect(report.cut?.duration).toBe(6.5);
    expect(report.cut?.overlays.map((o) => o.text)).toEqual(['First ride']);
    expect(Math.abs(report.film!.loudness!.integrated - -16)).toBeLessThanOrEqual(0.5);
    expect(report.film!.loudness!.truePeak).toBeLessThanOrEqual(-1);
    // The report names the files as the storyboard does, not where they are on this machine.
    expect(report.cut?.music?.file).toBe('assets/bed.m4a');
    expect(report.cut?.endCard?.image).toBe('assets/logo.png');
    expect(JSON.stringify(report.cut)).not.toContain(path.join(ws!.dir, 'assets'));
    // The caption at 0.5 s into 'two', which starts at 2 s (2.5 shown - 0.5 crossfade).
    expect(await readFile(path.join(dir('default'), 'film.srt'), 'utf8')).toContain(
      '00:00:02,500 --> 00:00:03,500',
    );
    expect(await readFile(path.join(dir('default'), 'film.vtt'), 'utf8')).toMatch(/^WEBVTT/);
    const otio = JSON.parse(await readFile(path.join(dir('default'), 'timeline.otio'), 'utf8'));
    expect(otio.OTIO_SCHEMA).toBe('Timeline.1');
    const submits = requestsTo(server, 'submit');
    expect(submits).toBe(2);

    // 2. Nothing changed: the film is kept as it is.
    const unchanged = await runCli([...renderArgs(file, ws!.out), '--json'], { env });
    expect(unchanged.exitCode, unchanged.stderr).toBe(0);
    expect(filmEvents(unchanged.stdout).map((e) => e.joinMode)).toEqual(['unchanged']);
    const before = await readFile(film);

    // 3. Both markets' supers edited, both rendered; the first market's finishing pass fails (its
    // disk is full). It keeps its clips and previous film and says why; the market after it is
    // still finished (from the same stored clips: nothing submitted) and reported; exit 1.
    await writeFile(file, twoMarkets('The first ride', 'Die erste Fahrt'));
    const args = [...renderArgs(file, ws!.out), '--all-variants'];
    const failed = await runCli(args, {
      env: { ...env, FFMPEG_PATH: await fullDiskFfmpeg(ws!.dir, '/ad/default/') },
    });
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toContain('film not made: ad/default');
    expect(failed.stdout).toContain('No space left on device');
    expect((await readFile(film)).equals(before)).toBe(true);
    for (const clip of ['01-one.mp4', '02-two.mp4']) {
      expect((await stat(path.join(dir('default'), 'clips', clip))).size).toBeGreaterThan(0);
    }
    const failedReport = await readReport(ws!.out, 'ad');
    expect(failedReport.status).toBe('incomplete');
    expect(failedReport.filmError?.message).toContain('No space left on device');
    expect(await readFile(path.join(dir('default'), 'report.html'), 'utf8')).toContain(
      'No space left on device',
    );
    const other = await readReport(ws!.out, 'ad', 'de');
    expect(other.status).toBe('complete');
    expect(other.cut?.overlays.map((o) => o.text)).toEqual(['Die erste Fahrt']);
    expect(await videoFrames(path.join(dir('de'), 'film.mp4'))).toBe(156);
    expect(requestsTo(server, 'submit')).toBe(submits);

    // 4. The rerun finishes the failed market with its edited super, paying nothing.
    const rerun = await runCli([...args, '--json'], { env });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(filmEvents(rerun.stdout).map((e) => [e.variant, e.joinMode])).toEqual([
      ['default', 'finished'],
      ['de', 'unchanged'],
    ]);
    expect(requestsTo(server, 'submit')).toBe(submits);
    expect((await readFile(film)).equals(before)).toBe(false);
    const finished = await readReport(ws!.out, 'ad');
    expect(finished.status).toBe('complete');
    expect(finished.filmError).toBeUndefined();
    expect(finished.cut?.overlays.map((o) => o.text)).toEqual(['The first ride']);
  }, 240_000);
});
