/**
 * film.srt and film.vtt from a cut's captions, on the finished film's clock (after trims and
 * transitions). Pure string builders: the shell writes the files.
 */
import type { Cut } from './types.js';

function clock(seconds: number, separator: ',' | '.'): string {
  const total = Math.round(seconds * 1000);
  const ms = total % 1000;
  const s = Math.floor(total / 1000) % 60;
  const m = Math.floor(total / 60_000) % 60;
  const h = Math.floor(total / 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}${separator}${String(ms).padStart(3, '0')}`;
}

/** A caption's lines; a blank line would end the cue early in both formats. */
function cueText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

function inOrder(cut: Cut) {
  return [...cut.captions].sort((a, b) => a.filmStart - b.filmStart);
}

export function toSrt(cut: Cut): string {
  return inOrder(cut)
    .map((c, i) => {
      const times = `${clock(c.filmStart, ',')} --> ${clock(c.filmStart + c.duration, ',')}`;
      return `${i + 1}\n${times}\n${cueText(c.text)}\n`;
    })
    .join('\n');
}

/** WebVTT; `-->` inside a cue's text would end its timing line's meaning, so it is written as `->`. */
export function toVtt(cut: Cut): string {
  const cues = inOrder(cut).map((c) => {
    const times = `${clock(c.filmStart, '.')} --> ${clock(c.filmStart + c.duration, '.')}`;
    const text = cueText(c.text).replace(/-->/g, '->').replace(/&/g, '&amp;').replace(/</g, '&lt;');
    return `${times}\n${text}\n`;
  });
  return ['WEBVTT\n', ...cues].join('\n');
}
