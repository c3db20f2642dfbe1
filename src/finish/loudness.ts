/**
 * Loudness, read from ffmpeg's own meter: ebur128's summary (of the mix before and while its level
 * is set, and of a finished file: what a platform will measure). The parser is pure;
 * measureLoudness runs ffmpeg.
 */
import { MediaError } from '../errors.js';
import { runFfmpegForLog } from '../media/run.js';

export interface MeasuredLoudness {
  /** Integrated loudness, LUFS (EBU R128). */
  integrated: number;
  /** True peak, dBTP; -Infinity for digital silence. */
  truePeak: number;
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
