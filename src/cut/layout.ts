/**
 * Where finishing text goes and how big it is, shared by the planner's shell checks (does a super
 * fit?) and the finishing stage (where to draw it). Pure numbers.
 */
import type { AspectRatio } from '../plan/types.js';

/** Kling 3.0 standard's frame for each aspect ratio (docs/runcomfy-api.md). */
export const FRAME_SIZES: Record<AspectRatio, { width: number; height: number }> = {
  '16:9': { width: 1280, height: 720 },
  '9:16': { width: 720, height: 1280 },
  '1:1': { width: 960, height: 960 },
};

/**
 * The title-safe area: 90% of the frame's width and height for 16:9 and 1:1 (SMPTE RP 2046-1's
 * title safe); 9:16 keeps 80% of the width, since phone apps lay their buttons over both edges.
 */
export function titleSafe(aspect: AspectRatio): { x: number; y: number; width: number; height: number } {
  const { width, height } = FRAME_SIZES[aspect];
  const widthShare = aspect === '9:16' ? 0.8 : 0.9;
  const w = Math.round(width * widthShare);
  const h = Math.round(height * 0.9);
  return { x: Math.round((width - w) / 2), y: Math.round((height - h) / 2), width: w, height: h };
}

/** A super's font size in pixels: 1/15 of the frame's shorter side (48 px at 720p). */
export function superFontSize(aspect: AspectRatio): number {
  const { width, height } = FRAME_SIZES[aspect];
  return Math.round(Math.min(width, height) / 15);
}

/** Greedy word wrap (on spaces) at `limit` characters a line. */
export function wrapWords(text: string, limit: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && [...`${line} ${word}`].length > limit) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
