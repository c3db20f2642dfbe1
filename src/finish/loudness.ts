/**
 * Loudness, read from ffmpeg's own meters: ebur128's summary (of the mix before its level is set, and
 * of a finished file: what a platform will measure) and loudnorm's first-pass JSON (what loudnorm
 * needs when a mix's peaks must be limited while it is levelled). Parsers are pure; measureLoudness
 * runs ffmpeg.
 */
import { MediaError } from '../errors.js';
import { runFfmpegForLog } from '../media/run.js';
import type { LoudnormMeasurement } from './graph.js';

export interface MeasuredLoudness {
  /** Integrated loudness, LUFS (EBU R128). */
  integrated: number;
  /** True peak, dBTP; -Infinity for digital silence. */
  truePeak: number;
}

const LOUDNORM_KEYS = ['input_i', 'input_tp', 'input_lra', 'input_thresh', 'target_offset'] as const;

/** The JSON block loudnorm prints at the end of stderr with print_format=json. */
export function parseLoudnormJson(stderr: string): LoudnormMeasurement {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  let parsed: Record<string, unknown> = {};
  if (start >= 0 && end > start) {
    try {
      parsed = JSON.parse(stderr.slice(start, end + 1)) as Record<string, unknown>;
    } catch {
      parsed = {};
    }
  }
  const missing = LOUDNORM_KEYS.filter((key) => typeof parsed[key] !== 'string');
  if (missing.length > 0) {
    throw new MediaError(`loudnorm's measurement has no ${missing.join(', ')}`, stderr.slice(-2000));
  }
  const measurement = Object.fromEntries(LOUDNORM_KEYS.map((key) => [key, String(parsed[key])]));
  // Silence measures -inf: loudnorm cannot take it back as a measured value, so it measures as the floor.
  for (const key of LOUDNORM_KEYS) {
    if (!Number.isFinite(Number(measurement[key]))) measurement[key] = key === 'input_tp' ? '-99' : '-70';
  }
  return measurement as unknown as LoudnormMeasurement;
}

function summaryNumber(summary: string, label: RegExp): number | undefined {
  const match = label.exec(summary);
  if (!match) return undefined;
  return match[1] === '-inf' ? Number.NEGATIVE_INFINITY : Number(match[1]);
}

/** ebur128's `Summary:` block (the last one in stderr): integrated loudness and true peak. */
export function parseEbur128Summary(stderr: string): MeasuredLoudness {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = summaryNumber(summary, /I:\s+(-?[\d.]+|-inf) LUFS/);
  const truePeak = summaryNumber(summary, /Peak:\s+(-?[\d.]+|-inf) dBFS/);
  if (!stderr.includes('Summary:') || integrated === undefined || truePeak === undefined) {
    throw new MediaError('ebur128 printed no loudness summary', stderr.slice(-2000));
  }
  return { integrated, truePeak };
}

/** The integrated loudness and true peak of a file's first audio stream, as a meter reads them. */
export async function measureLoudness(
  file: string,
  options: { signal?: AbortSignal } = {},
): Promise<MeasuredLoudness> {
  const stderr = await runFfmpegForLog(
    [
      '-hide_banner',
      '-nostdin',
      '-nostats',
      '-i',
      file,
      '-map',
      '0:a:0',
      '-af',
      'ebur128=peak=true',
      '-f',
      'null',
      '-',
    ],
    `measuring the loudness of ${file}`,
    options,
  );
  return parseEbur128Summary(stderr);
}
