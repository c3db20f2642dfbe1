/** What the bench measures against: generated storyboards and clips, made once per run in a temp folder. */
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ffmpegPath } from '../../src/media/binaries.js';

export interface StoryboardShape {
  scenes: number;
  /** Every scene lasts this long (the mock serves one clip, so every scene must match it). */
  durationSec?: number;
  /** Every third scene as a two-shot `customize` scene, to exercise the planner's checks. */
  multiShot?: boolean;
  /** Declared variants (each a vars override), to plan more than one film. */
  variants?: number;
  /** Numbering starts here, so that storyboards of one batch share no job. Default 0. */
  firstIndex?: number;
}

/** A storyboard of `scenes` distinct scenes (distinct prompts: no two share a job). */
export function storyboardYaml(shape: StoryboardShape): string {
  const duration = shape.durationSec ?? 3;
  const lines = [
    'version: 1',
    `title: Bench storyboard with ${shape.scenes} scenes`,
    'vars:',
    '  product: Acme Cruiser',
    '  look: golden hour light, shot on 35mm film, shallow depth of field',
    'defaults:',
    '  aspect_ratio: "16:9"',
    '  sound: true',
    '  cfg_scale: 0.5',
    '  negative_prompt: watermark, subtitles, distorted hands',
    'scenes:',
  ];
  const first = shape.firstIndex ?? 0;
  for (let index = first; index < first + shape.scenes; index++) {
    const id = `s${String(index + 1).padStart(4, '0')}`;
    lines.push(`  - id: ${id}`);
    lines.push(
      `    prompt: Scene ${index + 1} of the ride, the {{product}} rolls down street ${index}, {{look}}`,
    );
    if (shape.multiShot && index % 3 === 0) {
      const half = Math.max(3, Math.floor(duration / 2));
      lines.push('    multi_prompt:');
      lines.push(`      - prompt: Wide shot ${index} of the street, {{look}}`);
      lines.push(`        duration: ${half}`);
      lines.push(`      - prompt: Close-up ${index} of the {{product}}, {{look}}`);
      lines.push(`        duration: ${half}`);
    } else {
      lines.push(`    duration: ${duration}`);
    }
  }
  if (shape.variants) {
    lines.push('variants:');
    for (let v = 0; v < shape.variants; v++)
      lines.push(`  market${v}: { vars: { product: Acme Model ${v} } }`);
  }
  return `${lines.join('\n')}\n`;
}

export async function writeStoryboard(file: string, shape: StoryboardShape): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, storyboardYaml(shape), 'utf8');
  return file;
}

export interface ClipSpec {
  width: number;
  height: number;
  durationSec: number;
  /** ffmpeg `noise` strength 0..100: more noise, more bytes. */
  noise: number;
  /** Video bitrate like '4M', or 'lossless' (qp 0: the size is set by the noise). */
  bitrate: string;
  fps?: number;
  /** An AAC track (default true); false: video only, as a `sound: false` scene comes back. */
  sound?: boolean;
}

/** A Kling-like clip: 720p H.264 + AAC, 24 fps. */
export const REALISTIC_CLIP: ClipSpec = {
  width: 1280,
  height: 720,
  durationSec: 5,
  noise: 20,
  bitrate: '4M',
};
/** Small and quick to move: what the scale runs download 1000 times (synthesis is not what is measured). */
export const TINY_CLIP: ClipSpec = { width: 160, height: 90, durationSec: 3, noise: 0, bitrate: '200k' };
/** About 100 MB for 3 s: lossless noise at 720p. */
export const BIG_CLIP: ClipSpec = {
  width: 1280,
  height: 720,
  durationSec: 3,
  noise: 40,
  bitrate: 'lossless',
};
/** The same, twice as long: about 200 MB. */
export const BIGGER_CLIP: ClipSpec = { ...BIG_CLIP, durationSec: 6 };

/** Encodes a test-pattern clip with a sine tone; returns its size in bytes. */
export async function makeClip(file: string, spec: ClipSpec): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true });
  const fps = spec.fps ?? 24;
  const video = `testsrc2=size=${spec.width}x${spec.height}:rate=${fps}:duration=${spec.durationSec}`;
  const audio = `sine=frequency=440:sample_rate=48000:duration=${spec.durationSec}`;
  const rate = spec.bitrate === 'lossless' ? ['-qp', '0'] : ['-b:v', spec.bitrate];
  const sound = spec.sound ?? true;
  await execa(ffmpegPath(), [
    ...['-v', 'error', '-f', 'lavfi', '-i', video, ...(sound ? ['-f', 'lavfi', '-i', audio] : [])],
    ...(spec.noise > 0 ? ['-vf', `noise=alls=${spec.noise}:allf=t`] : []),
    ...['-c:v', 'libx264', '-preset', 'ultrafast', ...rate, '-pix_fmt', 'yuv420p', '-r', String(fps)],
    ...(sound ? ['-c:a', 'aac', '-b:a', '128k', '-shortest'] : ['-an']),
    ...['-movflags', '+faststart', '-y', file],
  ]);
  return (await stat(file)).size;
}

/** `count` copies of `clip` (separate files, as a film's clips are). */
export async function copies(clip: string, directory: string, count: number): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const files: string[] = [];
  for (let index = 0; index < count; index++) {
    const file = path.join(directory, `${String(index + 1).padStart(3, '0')}-clip.mp4`);
    await copyFile(clip, file);
    files.push(file);
  }
  return files;
}
