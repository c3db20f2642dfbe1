/**
 * Is this downloaded file the clip we paid for? Checked before it is renamed into place, so a bad
 * file is fetched again instead of ending up in a film.
 */
import { ExitCode, MediaError, MediaToolError } from '../errors.js';
import type { AspectRatio } from '../plan/types.js';
import { ffprobeProblem } from './binaries.js';
import { readMp4Layout } from './mp4-boxes.js';
import { type MediaInfo, parseRate, probe } from './probe.js';

export interface ClipExpectation {
  durationSec: number;
  sound: boolean;
  aspectRatio?: AspectRatio;
  /** Seconds the clip may differ from `durationSec`; default durationTolerance(durationSec). */
  toleranceSec?: number;
}

/**
 * Kling durations are whole seconds (3..15), so a wrong clip is off by at least 1 s; real files run a
 * little long (AAC priming and padding, a last frame, provider rounding). Half a second, widening to
 * 5% for long clips (0.75 s at 15 s), accepts the latter and still catches the former.
 */
export function durationTolerance(durationSec: number): number {
  return Math.max(0.5, durationSec * 0.05);
}

/** Display aspect ratios may differ this much (relative) from the nominal one: 854x480 is "16:9". */
const ASPECT_TOLERANCE = 0.02;

/** Probes `file` and throws a MediaError naming every way it differs from what was asked. */
export async function verifyClip(file: string, expected: ClipExpectation): Promise<MediaInfo> {
  const info = await probe(file).catch(async (error: unknown) => {
    if (error instanceof MediaToolError) throw error;
    // The clip is blamed only when ffprobe itself runs: a tool that cannot run must never get a paid
    // clip thrown away (and paid for again).
    const toolProblem = await ffprobeProblem();
    if (toolProblem) throw new MediaToolError(toolProblem, '', ExitCode.sceneFailed);
    const stderr = error instanceof MediaError ? error.stderr : String(error);
    throw new MediaError(`${file} is not a readable media file (a truncated or corrupt download?)`, stderr);
  });
  const problems = [...(await containerProblems(file, info)), ...clipProblems(info, expected)];
  if (problems.length > 0) {
    throw new MediaError(`${file} is not the clip that was asked for: ${problems.join('; ')}`);
  }
  return info;
}

async function containerProblems(file: string, info: MediaInfo): Promise<string[]> {
  if (!/\b(mov|mp4)\b/.test(info.formatName)) return [];
  const layout = await readMp4Layout(file);
  return layout.problem ? [`the file is truncated or corrupt (${layout.problem})`] : [];
}

/** Pure: what is wrong with a probed clip, in words; empty when it is fine. */
export function clipProblems(info: MediaInfo, expected: ClipExpectation): string[] {
  const { video } = info;
  if (!video) return ['it has no video stream'];
  const problems: string[] = [];
  const tolerance = expected.toleranceSec ?? durationTolerance(expected.durationSec);
  if (Math.abs(info.durationSec - expected.durationSec) > tolerance) {
    problems.push(
      `it lasts ${info.durationSec.toFixed(2)} s, expected ${expected.durationSec} s (± ${tolerance.toFixed(2)} s)`,
    );
  }
  if (expected.sound && !info.audio) {
    problems.push('it has no audio stream although sound is on');
  }
  if (expected.aspectRatio) {
    const actual = displayAspect(video.width, video.height, video.sampleAspectRatio);
    const wanted = parseRate(expected.aspectRatio.replace(':', '/'));
    if (!(actual > 0) || Math.abs(actual / wanted - 1) > ASPECT_TOLERANCE) {
      problems.push(
        `its picture is ${video.width}x${video.height} (aspect ${actual.toFixed(3)}), expected ${expected.aspectRatio}`,
      );
    }
  }
  return problems;
}

function displayAspect(width: number, height: number, sampleAspectRatio?: string): number {
  const pixelAspect = sampleAspectRatio ? parseRate(sampleAspectRatio.replace(':', '/')) || 1 : 1;
  return height > 0 ? (width * pixelAspect) / height : 0;
}
