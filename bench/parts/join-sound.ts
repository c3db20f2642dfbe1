/**
 * Clips that differ only in having sound (issue 17): 20 Kling-like clips (720p, 5 s), every other one
 * without an audio track, as `sound: false` scenes come back. Before: such clips could not be copied,
 * so the join re-encoded every frame (the normalising join, run here as it was). Now: each silent
 * clip gets a silent AAC track and every video packet is copied (joinClips). One run of each: the
 * re-encode takes a minute or more on two shared cores; CPU time is the steadier figure.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { joinClips, normaliseRecipe } from '../../src/media/join.js';
import { probe } from '../../src/media/probe.js';
import { normaliseJoinArgs } from '../../src/media/recipes.js';
import { runFfmpeg } from '../../src/media/run.js';
import { verifyClip } from '../../src/media/verify.js';
import { copies, makeClip, REALISTIC_CLIP } from '../lib/fixtures.js';
import { type PartResult, say } from '../lib/report.js';
import { measure, millis, seconds } from '../lib/stats.js';

export async function benchJoinSound(workDir: string, clipCount = 20): Promise<PartResult> {
  const dir = path.join(workDir, 'join-sound');
  const withSound = path.join(dir, 'with-sound.mp4');
  const silent = path.join(dir, 'silent.mp4');
  say(`join-sound: making ${clipCount} clips, every other one silent`);
  await makeClip(withSound, REALISTIC_CLIP);
  await makeClip(silent, { ...REALISTIC_CLIP, sound: false });
  const half = Math.ceil(clipCount / 2);
  const loud = await copies(withSound, path.join(dir, 'loud'), half);
  const quiet = await copies(silent, path.join(dir, 'quiet'), clipCount - half);
  const clips = loud.flatMap((clip, index) => (quiet[index] ? [clip, quiet[index]!] : [clip]));
  // As in a render: every clip was verified (and so probed) as it arrived.
  for (const [index, clip] of clips.entries()) {
    await verifyClip(clip, { durationSec: 5, sound: index % 2 === 0, aspectRatio: '16:9' });
  }
  const infos = await Promise.all(clips.map((clip) => probe(clip)));

  say('join-sound: the normalising join (what these clips got before)');
  const before = path.join(dir, 'before.mp4');
  const normalised = await measure(() =>
    runFfmpeg(normaliseJoinArgs(normaliseRecipe(clips, infos, before)), 'normalising join'),
  );
  say('join-sound: joinClips now (silent tracks added, video copied)');
  const after = path.join(dir, 'after.mp4');
  let mode = '';
  let silenced = 0;
  const copied = await measure(async () => {
    const result = await joinClips(clips, after);
    mode = result.mode;
    silenced = result.silencedClips ?? 0;
  });
  const beforeSec = (await probe(before)).durationSec;
  const afterSec = (await probe(after)).durationSec;
  await rm(dir, { recursive: true, force: true });
  const film = `${clipCount} clips (720p, 5 s), ${clipCount - half} of them without sound`;
  return {
    rows: [
      {
        part: 'join-sound',
        metric: `${film}: the normalising join (before)`,
        value: seconds(normalised.wallMs, 1),
        note: `one run; CPU ${seconds(normalised.cpuMs, 1)} (ffmpeg included); film ${beforeSec.toFixed(2)} s, every frame re-encoded`,
      },
      {
        part: 'join-sound',
        metric: `${film}: joinClips now (${mode}, ${silenced} silent tracks added)`,
        value: millis(copied.wallMs),
        note: `one run; CPU ${millis(copied.cpuMs)}; film ${afterSec.toFixed(2)} s; ${(normalised.wallMs / copied.wallMs).toFixed(0)}x faster`,
      },
    ],
  };
}
