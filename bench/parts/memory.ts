/**
 * Memory: peak RSS of `storyreel render` (the CLI process) at 1000 scenes, and whether it depends on
 * the size of the clips: the same batch with ~100 MB and ~200 MB clips (downloads are streamed, so it
 * should not), and with tiny ones for scale.
 */
import path from 'node:path';
import { BIG_CLIP, BIGGER_CLIP, type ClipSpec, makeClip, TINY_CLIP } from '../lib/fixtures.js';
import { type PartResult, type Row, say } from '../lib/report.js';
import { megabytes, seconds } from '../lib/stats.js';
import { runScenario, type Scenario, type ScenarioResult } from './scenario.js';

const LIMIT_BYTES = 200 * 2 ** 20;

/** `thousandRun`: the schedule part's 1000-scene render, when it ran (else a quick one is made here). */
export async function benchMemory(workDir: string, thousandRun?: ScenarioResult): Promise<PartResult> {
  const tiny = path.join(workDir, 'tiny.mp4');
  const big = path.join(workDir, 'big.mp4');
  const bigger = path.join(workDir, 'bigger.mp4');
  await makeClip(tiny, TINY_CLIP);
  say('memory: making ~100 MB and ~200 MB clips');
  const bigBytes = await makeClip(big, BIG_CLIP);
  const biggerBytes = await makeClip(bigger, BIGGER_CLIP);
  // Short generations and frequent polls: what is measured is the renderer's memory, not the schedule.
  const fast = { concurrency: 8, generationMs: 200, pollIntervalSec: 0.05, maxRequestsPerSecond: 200 };
  const run = async (label: string, scenario: Scenario) => {
    say(`memory: ${label}`);
    const result = await runScenario(workDir, scenario, `mem-${label.replaceAll(' ', '-')}`);
    if (result.peakRssBytes === undefined) throw new Error(`no peak RSS for ${label}`);
    return { ...result, peakRssBytes: result.peakRssBytes };
  };
  const reused = thousandRun?.peakRssBytes !== undefined;
  const thousand =
    thousandRun?.peakRssBytes !== undefined
      ? { ...thousandRun, peakRssBytes: thousandRun.peakRssBytes }
      : await run('1000 tiny', { ...fast, scenes: 1000, clip: tiny, durationSec: TINY_CLIP.durationSec });
  const thousandHow = reused ? "the schedule part's run, 2 s generations" : '200 ms generations';
  // Eight scenes at concurrency 8: every download of a batch runs at once.
  const each = (clip: string, spec: ClipSpec) => ({
    ...fast,
    scenes: 8,
    clip,
    durationSec: spec.durationSec,
  });
  const small = await run('8 tiny', each(tiny, TINY_CLIP));
  const large = await run('8 big', each(big, BIG_CLIP));
  const larger = await run('8 bigger', each(bigger, BIGGER_CLIP));
  // Twice the bytes per clip; a clip (or a fixed share of it) held in memory would add ~100 MB here.
  const growth = larger.peakRssBytes - large.peakRssBytes;
  const rows: Row[] = [
    {
      part: 'memory',
      metric: 'peak RSS of `storyreel render`, 1000 scenes (tiny clips)',
      value: megabytes(thousand.peakRssBytes),
      target: '< 200 MB',
      met: thousand.peakRssBytes < LIMIT_BYTES,
      note: `getrusage maxrss of the CLI process, ffmpeg children excluded; ${thousandHow}, run took ${seconds(thousand.wallMs, 1)}`,
    },
    {
      part: 'memory',
      metric: `peak RSS, 8 scenes of ${megabytes(bigBytes)} clips vs 8 of ${megabytes(biggerBytes)}`,
      value: `${megabytes(large.peakRssBytes)} vs ${megabytes(larger.peakRssBytes)}`,
      target: 'independent of clip size',
      // Allow the noise of two runs (GC timing): 20 MB, a fifth of what the extra bytes per clip are.
      met: growth < 20 * 2 ** 20,
      note: `${growth >= 0 ? '+' : ''}${megabytes(growth)} for twice the bytes; tiny clips: ${megabytes(small.peakRssBytes)} (streams at full loopback speed keep ~30-40 MB of chunks until the GC frees them, whatever the size)`,
    },
  ];
  return { rows };
}
