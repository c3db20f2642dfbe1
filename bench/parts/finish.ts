/**
 * Finishing (issue 15): the 31.5 s cut (six 5 s 720p clips with sound, a 0.5 s head trim, two
 * crossfades, three supers, a 3 s end card with logo and text, a ducked music bed, loudness -14) by
 * finishFilm (metering pass, film pass, ebur128 check of the film), against a plain re-encode of the
 * same clips at the same encoder settings (the normalising join: libx264 veryfast CRF 18). Then the peak memory of the ffmpeg child for a 60 s
 * film (twelve clips, eleven crossfades), read by /usr/bin/time around ffmpeg, and the measured
 * loudness of finished films at other targets and music levels (quiet, loud, none), small clips.
 * One run each: these are minutes of encoding on two shared cores; CPU time is the steadier figure.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Cut } from '../../src/cut/types.js';
import { finishFilm } from '../../src/finish/finish.js';
import { ffmpegPath } from '../../src/media/binaries.js';
import { normaliseRecipe } from '../../src/media/join.js';
import { probe } from '../../src/media/probe.js';
import { normaliseJoinArgs } from '../../src/media/recipes.js';
import { runFfmpeg } from '../../src/media/run.js';
import { planVariant } from '../../src/plan/planner.js';
import { parseStoryboard } from '../../src/storyboard/load.js';
import { makeClickTrackClip } from '../../test/helpers/clips.js';
import { copies, makeClip, REALISTIC_CLIP } from '../lib/fixtures.js';
import { type PartResult, type Row, say } from '../lib/report.js';
import { measure, seconds } from '../lib/stats.js';

const ASSETS = path.resolve('storyboards/assets');

interface CutShape {
  scenes: number;
  trim?: number;
  /** Indexes of scenes that crossfade into the next one. */
  crossfades: number[];
  supers: number;
  endCard: number;
  musicDb?: number;
  loudness: number;
}

function storyboardOf(shape: CutShape): string {
  const lines = [
    'version: 1',
    'defaults: { aspect_ratio: "16:9", sound: true }',
    'finish:',
    `  loudness: ${shape.loudness}`,
    `  end_card: { duration: ${shape.endCard}, image: logo.png, text: "Visit Harbour Roasters", background: "#101010" }`,
    ...(shape.musicDb !== undefined
      ? [`  music: { file: bed.m4a, volume: ${shape.musicDb}, duck: true, fade_out: 2 }`]
      : []),
    'scenes:',
  ];
  for (let k = 0; k < shape.scenes; k++) {
    lines.push(`  - id: s${k + 1}`, `    prompt: scene ${k + 1}`, '    duration: 5');
    if (k === 0 && shape.trim) lines.push(`    trim: { start: ${shape.trim} }`);
    if (shape.crossfades.includes(k)) lines.push('    transition: crossfade');
    if (k < shape.supers) lines.push(`    supers: [{ text: "Super number ${k + 1}", at: 1, for: 2 }]`);
  }
  return `${lines.join('\n')}\n`;
}

function cutOf(shape: CutShape): Cut {
  const result = planVariant(
    parseStoryboard(storyboardOf(shape), path.join(ASSETS, 'bench.yaml')),
    'default',
  );
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  const cut = result.plan.cut!;
  return {
    ...cut,
    assetsResolved: true,
    ...(cut.music ? { music: { ...cut.music, file: path.join(ASSETS, 'bed.m4a') } } : {}),
    endCard: { ...cut.endCard!, image: path.join(ASSETS, 'logo.png') },
  };
}

/** FFMPEG_PATH pointed at /usr/bin/time around the real ffmpeg: every run's peak RSS, in KB. */
async function timedFfmpeg(
  dir: string,
): Promise<{ restore(): void; peaks(): Promise<{ kb: number; command: string }[]> }> {
  const log = path.join(dir, 'ffmpeg-rss.log');
  const script = path.join(dir, 'timed-ffmpeg.sh');
  await writeFile(
    script,
    `#!/bin/sh\nexec /usr/bin/time -a -o "${log}" -f "%M %C" "${ffmpegPath()}" "$@"\n`,
    {
      mode: 0o755,
    },
  );
  const previous = process.env.FFMPEG_PATH;
  process.env.FFMPEG_PATH = script;
  return {
    restore: () => {
      if (previous === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = previous;
    },
    peaks: async () =>
      (existsSync(log) ? await readFile(log, 'utf8') : '')
        .split('\n')
        .filter((line) => /^\d+ /.test(line))
        .map((line) => ({ kb: Number(line.split(' ')[0]), command: line })),
  };
}

export async function benchFinish(workDir: string): Promise<PartResult> {
  const dir = path.join(workDir, 'finish');
  const clip = path.join(dir, 'clip.mp4');
  say('finish: making the clips (720p, 5 s, with sound)');
  await makeClip(clip, REALISTIC_CLIP);
  const clips = await copies(clip, path.join(dir, 'clips'), 12);
  const rows: Row[] = [];
  const canTime = existsSync('/usr/bin/time');
  const timed = canTime ? await timedFfmpeg(dir) : undefined;
  try {
    const six = clips.slice(0, 6);
    const adCut = cutOf({
      scenes: 6,
      trim: 0.5,
      crossfades: [1, 3],
      supers: 3,
      endCard: 3,
      musicDb: -12,
      loudness: -14,
    });
    say(`finish: the ${adCut.duration} s cut, finished`);
    const finishedFile = path.join(dir, 'finished.mp4');
    let loudness = { integrated: 0, truePeak: 0 };
    const finished = await measure(async () => {
      loudness = (await finishFilm(adCut, six, finishedFile)).loudness;
    });
    say('finish: a plain re-encode of the same clips, same encoder settings');
    const infos = await Promise.all(six.map((file) => probe(file)));
    const plainFile = path.join(dir, 'plain.mp4');
    const plain = await measure(() =>
      runFfmpeg(normaliseJoinArgs(normaliseRecipe(six, infos, plainFile)), 'plain re-encode'),
    );
    const ratio = finished.wallMs / plain.wallMs;
    rows.push(
      {
        part: 'finish',
        metric: `${adCut.duration} s cut (6 clips 720p, trim, 2 crossfades, 3 supers, end card, ducked music, -14 LUFS): finishFilm`,
        value: seconds(finished.wallMs, 1),
        note: `one run; CPU ${seconds(finished.cpuMs, 1)}; the metering pass and the ebur128 check of the film included; film ${(await probe(finishedFile)).durationSec.toFixed(3)} s, ${loudness.integrated} LUFS, ${loudness.truePeak} dBTP`,
      },
      {
        part: 'finish',
        metric: 'the same clips, plain re-encode (normalising join, veryfast CRF 18)',
        value: seconds(plain.wallMs, 1),
        note: `one run; CPU ${seconds(plain.cpuMs, 1)}; film ${(await probe(plainFile)).durationSec.toFixed(3)} s`,
      },
      {
        part: 'finish',
        metric: 'finishing / plain re-encode, wall',
        value: `${ratio.toFixed(2)}x`,
        target: '<= 1.25x',
        met: ratio <= 1.25,
        note: `CPU ratio ${(finished.cpuMs / plain.cpuMs).toFixed(2)}x; editly is timed by hand on the same cut (docs/benchmarks.md: 921.6 s wall, 487.9 s CPU under load), as it needs system packages and a half-hour native build`,
      },
    );

    say('finish: a 60 s film (12 clips, 11 crossfades), peak memory of the ffmpeg child');
    const longCut = cutOf({
      scenes: 12,
      crossfades: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      supers: 6,
      endCard: 5.5,
      musicDb: -12,
      loudness: -14,
    });
    const longFile = path.join(dir, 'long.mp4');
    const before = (await timed?.peaks())?.length ?? 0;
    const long = await measure(() => finishFilm(longCut, clips, longFile));
    const film = (await timed?.peaks())?.slice(before).find((run) => run.command.includes('film.graph'));
    rows.push({
      part: 'finish',
      metric: `${longCut.duration} s film (12 clips 720p, 11 crossfades): peak RSS of the ffmpeg pass`,
      value: film ? `${Math.round(film.kb / 1024)} MB` : 'not measured (no /usr/bin/time)',
      target: '< 1 GB',
      ...(film ? { met: film.kb < 1024 * 1024 } : {}),
      note: `finishFilm ${seconds(long.wallMs, 1)} wall, CPU ${seconds(long.cpuMs, 1)}`,
    });

    say('finish: measured loudness at other targets and music levels (small clips)');
    const small = path.join(dir, 'small.mp4');
    await makeClip(small, { ...REALISTIC_CLIP, width: 320, height: 180, noise: 0, bitrate: '500k' });
    const smallClips = await copies(small, path.join(dir, 'small'), 6);
    // A peaky mix: a quiet tone with a full-scale click every half second (-24.6 LUFS, peaks at 0
    // dBFS): a gain alone to -14 would clip every click, so this is the limiter's case.
    const clicks = path.join(dir, 'clicks.mp4');
    await makeClickTrackClip(clicks, { width: 320, height: 180 });
    const clickClips = await copies(clicks, path.join(dir, 'clicks'), 6);
    const cases: [string, Partial<CutShape>, string[]][] = [
      ['-14 LUFS, music -12 dB', { musicDb: -12, loudness: -14 }, smallClips],
      ['-14 LUFS, loud music 0 dB', { musicDb: 0, loudness: -14 }, smallClips],
      ['-14 LUFS, quiet music -36 dB', { musicDb: -36, loudness: -14 }, smallClips],
      ['-23 LUFS (EBU R128 broadcast), music -12 dB', { musicDb: -12, loudness: -23 }, smallClips],
      ['-16 LUFS, no music', { loudness: -16 }, smallClips],
      ['-14 LUFS, click-track clips (peaks at 0 dBFS), no music', { loudness: -14 }, clickClips],
    ];
    for (const [label, overrides, clips] of cases) {
      const shape: CutShape = {
        scenes: 6,
        trim: 0.5,
        crossfades: [1, 3],
        supers: 3,
        endCard: 3,
        loudness: -14,
        ...overrides,
      };
      if (!('musicDb' in overrides)) delete shape.musicDb;
      const cut = cutOf(shape);
      const out = path.join(dir, 'loud.mp4');
      const { loudness: got } = await finishFilm(cut, clips, out);
      const off = Math.abs(got.integrated - shape.loudness);
      rows.push({
        part: 'finish',
        metric: `loudness, ${label}`,
        value: `${got.integrated} LUFS, ${got.truePeak} dBTP`,
        target: 'within 0.5 LU, true peak <= -1',
        met: off <= 0.5 && got.truePeak <= -1,
        note: `${off.toFixed(1)} LU from the target, measured on the film with ebur128`,
      });
    }
  } finally {
    timed?.restore();
    await rm(dir, { recursive: true, force: true });
  }
  return { rows };
}
