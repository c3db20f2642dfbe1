/**
 * Joining: 100 Kling-like clips (720p, 5 s, H.264 + AAC) by stream copy with joinClips, against `cat`
 * of the same files into one (the floor: reading and writing the bytes once). Measured as a render
 * joins them (every clip verified a moment before, as each download is) and cold (a fresh set of files
 * no ffprobe has seen). And the normalising path (mixed clips, one re-encode) per minute of film.
 */
import { rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { joinClips } from '../../src/media/join.js';
import { probe } from '../../src/media/probe.js';
import { concatCopyArgs, concatList } from '../../src/media/recipes.js';
import { runFfmpeg } from '../../src/media/run.js';
import { verifyClip } from '../../src/media/verify.js';
import { copies, makeClip, REALISTIC_CLIP } from '../lib/fixtures.js';
import { type PartResult, type Row, say } from '../lib/report.js';
import { type Measured, measure, median, megabytes, millis, noise, seconds } from '../lib/stats.js';

export async function benchJoin(workDir: string, runs: number, clipCount = 100): Promise<PartResult> {
  const dir = path.join(workDir, 'join');
  const source = path.join(dir, 'source.mp4');
  say(`join: making ${clipCount} clips`);
  const clipBytes = await makeClip(source, REALISTIC_CLIP);
  const film = path.join(dir, 'film.mp4');
  const catted = path.join(dir, 'cat.mp4');
  const cat = (clips: string[]) => execa('sh', ['-c', 'cat "$@" > "$0"', catted, ...clips]);
  let mode = '';
  const join = async (clips: string[]) => {
    const result = await joinClips(clips, film);
    mode = `${result.mode} by ${result.by}`;
  };
  // The join before storyreel spliced clips itself: ffmpeg's concat demuxer, which probes every clip.
  const demuxed = path.join(dir, 'demuxer.mp4');
  const listFile = path.join(dir, 'list.txt');
  const demux = async (clips: string[]) => {
    await writeFile(listFile, concatList(clips), 'utf8');
    await runFfmpeg(concatCopyArgs(listFile, demuxed), 'joining with the concat demuxer');
  };

  say('join: cat vs stream copy, clips just verified (as in a render)');
  const verified = await copies(source, path.join(dir, 'verified'), clipCount);
  for (const clip of verified) await verifyClip(clip, { durationSec: 5, sound: true, aspectRatio: '16:9' });
  await cat(verified);
  await join(verified);
  const catRuns: Measured[] = [];
  const joinRuns: Measured[] = [];
  const demuxRuns: Measured[] = [];
  for (let run = 0; run < runs; run++) {
    // Interleaved, so that all three see the same moments of a shared machine.
    catRuns.push(await measure(() => cat(verified)));
    joinRuns.push(await measure(() => join(verified)));
    demuxRuns.push(await measure(() => demux(verified)));
  }
  const drift = await overClipsSum(film, demuxed, clipCount);

  say('join: stream copy, cold (every clip probed)');
  const coldRuns: Measured[] = [];
  for (let run = 0; run < Math.min(runs, 3); run++) {
    const fresh = await copies(source, path.join(dir, `cold-${run}`), clipCount);
    coldRuns.push(await measure(() => join(fresh)));
    await rm(path.dirname(fresh[0]!), { recursive: true, force: true });
  }
  const filmBytes = (await stat(film)).size;

  say('join: normalising path');
  // One run: a minute of re-encoding on two shared cores; its CPU time is the steadier figure.
  const normalised = await benchNormalised(dir, verified.slice(0, 5), 1);
  await rm(dir, { recursive: true, force: true });

  const wall = (list: Measured[]) => median(list.map((m) => m.wallMs));
  const cpu = (list: Measured[]) => median(list.map((m) => m.cpuMs));
  const ratio = wall(joinRuns) / wall(catRuns);
  const cpuRatio = cpu(joinRuns) / cpu(catRuns);
  const rows: Row[] = [
    {
      part: 'join',
      metric: `\`cat\` of ${clipCount} clips (${megabytes(clipBytes * clipCount)}) into one file`,
      value: millis(wall(catRuns)),
      note: `${noise(catRuns.map((m) => m.wallMs))}; CPU ${millis(cpu(catRuns))}; page cache warm, same disk`,
    },
    {
      part: 'join',
      metric: `joinClips, ${clipCount} clips by stream copy (${mode}), clips just verified as in a render`,
      value: millis(wall(joinRuns)),
      note: `${noise(joinRuns.map((m) => m.wallMs))}; CPU ${millis(cpu(joinRuns))} (ffmpeg included); film ${megabytes(filmBytes)}, faststart`,
    },
    {
      part: 'join',
      metric: 'stream-copy join / `cat` (wall time, medians)',
      value: `${ratio.toFixed(1)}x`,
      target: '<= 2x',
      met: ratio <= 2,
      note: `CPU time ratio ${cpuRatio.toFixed(1)}x`,
    },
    {
      part: 'join',
      metric: `before: ffmpeg's concat demuxer, ${clipCount} clips by stream copy (probes every clip)`,
      value: millis(wall(demuxRuns)),
      note: `${noise(demuxRuns.map((m) => m.wallMs))}; ${(wall(demuxRuns) / wall(catRuns)).toFixed(1)}x \`cat\`; film ${drift.demuxer}`,
    },
    {
      part: 'join',
      metric: 'film length over the sum of the clips (joinClips now)',
      value: drift.splice,
      note: 'sound at each cut within half an AAC frame of the picture: test/media/splice.test.ts',
    },
    {
      part: 'join',
      metric: `joinClips cold: ${clipCount} clips no ffprobe has seen yet`,
      value: millis(wall(coldRuns)),
      note: `${noise(coldRuns.map((m) => m.wallMs))}; CPU ${millis(cpu(coldRuns))}; ${(wall(coldRuns) / wall(catRuns)).toFixed(1)}x \`cat\``,
    },
    normalised,
  ];
  return { rows };
}

/** How much longer than the clips' sum each film is (the demuxer kept every AAC priming frame). */
async function overClipsSum(spliced: string, demuxed: string, clipCount: number) {
  const expected = clipCount * 5;
  const over = async (file: string) => `${millis(((await probe(file)).durationSec - expected) * 1000)} over`;
  return { splice: await over(spliced), demuxer: await over(demuxed) };
}

/** Four 16:9 clips and one 9:16: nothing can be copied, every frame is scaled and re-encoded. */
async function benchNormalised(dir: string, fourClips: string[], runs: number): Promise<Row> {
  const portrait = path.join(dir, 'portrait.mp4');
  await makeClip(portrait, { ...REALISTIC_CLIP, width: 720, height: 1280 });
  const mixed = [...fourClips.slice(0, 4), portrait];
  const film = path.join(dir, 'normalised.mp4');
  let durationSec = 0;
  let mode = '';
  const times: Measured[] = [];
  for (let run = 0; run < runs; run++) {
    times.push(
      await measure(async () => {
        ({ durationSec, mode } = await joinClips(mixed, film));
      }),
    );
  }
  const perMinute = (ms: number) => ms / (durationSec / 60);
  const wallMs = median(times.map((m) => m.wallMs));
  return {
    part: 'join',
    metric: `normalising join (${mode}: 720p re-encode of ${mixed.length} mixed clips, ${durationSec.toFixed(0)} s of film)`,
    value: `${seconds(perMinute(wallMs), 1)} per minute of film`,
    note: `${noise(times.map((m) => m.wallMs))}; ${seconds(wallMs)} for this film; CPU ${seconds(perMinute(median(times.map((m) => m.cpuMs))), 1)} per minute on ${os.cpus().length} cores`,
  };
}
