/**
 * Joining: 100 Kling-like clips (720p, 5 s, H.264 + AAC) by stream copy with joinClips, against `cat`
 * of the same files into one (the floor: reading and writing the bytes once). And the normalising
 * path (mixed clips, one re-encode), as seconds of work per minute of film.
 */
import { rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { joinClips } from '../../src/media/join.js';
import { probe } from '../../src/media/probe.js';
import { copies, makeClip, REALISTIC_CLIP } from '../lib/fixtures.js';
import { type PartResult, type Row, say } from '../lib/report.js';
import { median, megabytes, millis, noise, repeatMs, seconds } from '../lib/stats.js';

export async function benchJoin(workDir: string, runs: number, clipCount = 100): Promise<PartResult> {
  const dir = path.join(workDir, 'join');
  say(`join: making ${clipCount} clips`);
  const clipBytes = await makeClip(path.join(dir, 'source.mp4'), REALISTIC_CLIP);
  const clips = await copies(path.join(dir, 'source.mp4'), path.join(dir, 'clips'), clipCount);
  const film = path.join(dir, 'film.mp4');
  const catted = path.join(dir, 'cat.mp4');

  say('join: cat vs stream copy');
  const cat = await repeatMs(runs, () => execa('sh', ['-c', 'cat "$@" > "$0"', catted, ...clips]), 1);
  let mode = '';
  const copy = await repeatMs(
    runs,
    async () => {
      mode = (await joinClips(clips, film)).mode;
    },
    1,
  );
  const probes = await repeatMs(runs, () => Promise.all(clips.map((clip) => probe(clip))));
  const filmBytes = (await stat(film)).size;
  const ratio = median(copy) / median(cat);

  say('join: normalising path');
  const normalised = await benchNormalised(dir, clips.slice(0, 6), Math.max(1, Math.min(runs, 3)));
  await rm(dir, { recursive: true, force: true });
  const rows: Row[] = [
    {
      part: 'join',
      metric: `\`cat\` of ${clipCount} clips (${megabytes(clipBytes * clipCount)}) into one file`,
      value: millis(median(cat)),
      note: `${noise(cat)}; page cache warm, same disk`,
    },
    {
      part: 'join',
      metric: `joinClips, ${clipCount} clips by stream copy (${mode}, film ${megabytes(filmBytes)})`,
      value: millis(median(copy)),
      note: noise(copy),
    },
    {
      part: 'join',
      metric: 'stream-copy join / `cat`',
      value: `${ratio.toFixed(1)}x`,
      target: '<= 2x',
      met: ratio <= 2,
      note: `of which probing the ${clipCount} clips (unbounded, for comparison): ${millis(median(probes))}`,
    },
    normalised,
  ];
  return { rows };
}

/** Five 16:9 clips and one 9:16: nothing can be copied, every frame is scaled and re-encoded. */
async function benchNormalised(dir: string, sixClips: string[], runs: number): Promise<Row> {
  const portrait = path.join(dir, 'portrait.mp4');
  await makeClip(portrait, { ...REALISTIC_CLIP, width: 720, height: 1280 });
  const mixed = [...sixClips.slice(0, 5), portrait];
  const film = path.join(dir, 'normalised.mp4');
  let durationSec = 0;
  let mode = '';
  const times = await repeatMs(runs, async () => {
    ({ durationSec, mode } = await joinClips(mixed, film));
  });
  const perMinute = median(times) / (durationSec / 60);
  return {
    part: 'join',
    metric: `normalising join (${mode}: 720p re-encode of ${mixed.length} mixed clips, ${durationSec.toFixed(0)} s of film)`,
    value: `${seconds(perMinute, 1)} per minute of film`,
    note: `${noise(times)}; ${seconds(median(times))} for this film, on ${os.cpus().length} cores`,
  };
}
