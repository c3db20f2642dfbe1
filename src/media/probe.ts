/** What a media file contains, read with ffprobe's JSON output. */
import { stat } from 'node:fs/promises';
import { MediaError } from '../errors.js';
import { probeArgs } from './recipes.js';
import { runFfprobe } from './run.js';

export interface VideoInfo {
  codec: string;
  width: number;
  height: number;
  fps: number;
  pixFmt: string;
  profile?: string;
  timeBase?: string;
  /** `1:1` for square pixels; width * sar / height is what a viewer sees. */
  sampleAspectRatio?: string;
  /**
   * A hash of the codec's out-of-band setup (for H.264 the SPS/PPS). Clips whose setups differ cannot
   * share one MP4 track without re-encoding, even when every other parameter matches.
   */
  extradataHash?: string;
}

export interface AudioInfo {
  codec: string;
  sampleRate: number;
  channels: number;
  profile?: string;
}

export interface MediaInfo {
  durationSec: number;
  bytes: number;
  formatName: string;
  video?: VideoInfo;
  audio?: AudioInfo;
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  time_base?: string;
  sample_aspect_ratio?: string;
  extradata_hash?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
}

interface ProbeOutput {
  format?: { format_name?: string; duration?: string };
  streams?: ProbeStream[];
}

/**
 * What this process already probed, by file identity: a render verifies each clip as it arrives, and
 * its join would otherwise run ffprobe on every clip again (a hundred clips: seconds of process
 * start-ups, more than the copy itself). Renames and hard links keep the identity (the store's clip and
 * the variant's link are one file); any rewrite changes the size or the modification time.
 */
const probed = new Map<string, MediaInfo>();
const MAX_REMEMBERED = 10_000;

/** Reads `file` with ffprobe. Throws MediaError (with ffprobe's stderr) when it is not readable media. */
export async function probe(file: string, options: { signal?: AbortSignal } = {}): Promise<MediaInfo> {
  const stats = await stat(file, { bigint: true }).catch((error: NodeJS.ErrnoException) => {
    throw new MediaError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const identity = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`;
  const known = probed.get(identity);
  if (known) return structuredClone(known);
  const stdout = await runFfprobe(probeArgs(file), `reading ${file}`, options);
  const info = parseProbeOutput(stdout, Number(stats.size), file);
  if (probed.size >= MAX_REMEMBERED) probed.clear();
  probed.set(identity, structuredClone(info));
  return info;
}

/** Pure: ffprobe's JSON (plus the file size) to MediaInfo. */
export function parseProbeOutput(json: string, bytes: number, file = 'the file'): MediaInfo {
  let output: ProbeOutput;
  try {
    output = JSON.parse(json) as ProbeOutput;
  } catch {
    throw new MediaError(`ffprobe gave output that is not JSON for ${file}`, json.slice(0, 2000));
  }
  const streams = output.streams ?? [];
  // A cover image in an MP4 is a "video" stream too; the picture we want is a real one.
  const videoStream = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  const info: MediaInfo = {
    durationSec: durationOf(output, streams),
    bytes,
    formatName: output.format?.format_name ?? 'unknown',
  };
  if (videoStream) info.video = videoInfo(videoStream);
  if (audioStream) info.audio = audioInfo(audioStream);
  return info;
}

function durationOf(output: ProbeOutput, streams: ProbeStream[]): number {
  const formatDuration = Number(output.format?.duration);
  if (Number.isFinite(formatDuration)) return formatDuration;
  const streamDurations = streams.map((s) => Number(s.duration)).filter(Number.isFinite);
  return streamDurations.length > 0 ? Math.max(...streamDurations) : 0;
}

function videoInfo(stream: ProbeStream): VideoInfo {
  const video: VideoInfo = {
    codec: stream.codec_name ?? 'unknown',
    width: stream.width ?? 0,
    height: stream.height ?? 0,
    fps: parseRate(stream.avg_frame_rate) || parseRate(stream.r_frame_rate),
    pixFmt: stream.pix_fmt ?? 'unknown',
  };
  if (stream.profile) video.profile = stream.profile;
  if (stream.time_base) video.timeBase = stream.time_base;
  if (stream.sample_aspect_ratio && stream.sample_aspect_ratio !== '0:1') {
    video.sampleAspectRatio = stream.sample_aspect_ratio;
  }
  if (stream.extradata_hash) video.extradataHash = stream.extradata_hash;
  return video;
}

function audioInfo(stream: ProbeStream): AudioInfo {
  const audio: AudioInfo = {
    codec: stream.codec_name ?? 'unknown',
    sampleRate: Number(stream.sample_rate ?? 0),
    channels: stream.channels ?? 0,
  };
  if (stream.profile) audio.profile = stream.profile;
  return audio;
}

/** `24/1`, `30000/1001` -> frames per second, rounded to 3 decimals; 0 when unknown. */
export function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [numerator, denominator = '1'] = rate.split('/');
  const value = Number(numerator) / Number(denominator);
  return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) / 1000 : 0;
}
