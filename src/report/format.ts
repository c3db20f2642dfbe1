/** How numbers, times and states read in the HTML pages. Pure and locale-independent (same bytes everywhere). */
import type { JobState } from '../job/state.js';
import type { FilmReport, SceneReport } from './types.js';

export function formatUsd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

/** `7 s`, `1 min 05 s`; fractional seconds keep one decimal (`4.5 s`). */
export function formatDuration(seconds: number): string {
  const rounded = Math.round(seconds * 10) / 10;
  if (rounded < 60) return `${trimDecimal(rounded)} s`;
  const minutes = Math.floor(rounded / 60);
  const rest = Math.round(rounded - minutes * 60);
  return `${minutes} min ${String(rest).padStart(2, '0')} s`;
}

function trimDecimal(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** `2025-03-01 14:03 UTC`; the raw string when it is not a date (a report is never refused for it). */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The time between two ISO timestamps, or undefined when either is missing or unreadable. */
export function elapsed(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const seconds = (new Date(to).getTime() - new Date(from).getTime()) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** `01`, `02`...: the same numbering as the clip files (`clips/01-street.mp4`). */
export function sceneNumber(scene: SceneReport): string {
  return String(scene.index + 1).padStart(2, '0');
}

/** Enough of a sha256 job key to tell jobs apart on screen; the full key stays in `title`. */
export function shortKey(key: string): string {
  return key.slice(0, 12);
}

export type Tone = 'good' | 'bad' | 'warn' | 'busy' | 'idle';

const STATE_LABELS: Record<JobState, { label: string; tone: Tone }> = {
  planned: { label: 'Not started', tone: 'idle' },
  submitting: { label: 'Submitting', tone: 'busy' },
  queued: { label: 'Queued', tone: 'busy' },
  generating: { label: 'Generating', tone: 'busy' },
  downloading: { label: 'Downloading', tone: 'busy' },
  verified: { label: 'Rendered', tone: 'good' },
  failed: { label: 'Failed', tone: 'bad' },
  cancelled: { label: 'Cancelled', tone: 'idle' },
  timed_out: { label: 'Timed out', tone: 'warn' },
};

export function stateBadge(state: JobState): { label: string; tone: Tone } {
  return STATE_LABELS[state] ?? { label: String(state), tone: 'idle' };
}

export function filmBadge(report: FilmReport): { label: string; tone: Tone } {
  return report.status === 'complete'
    ? { label: 'Complete', tone: 'good' }
    : { label: 'Incomplete', tone: 'warn' };
}

export function renderedCount(report: FilmReport): number {
  return report.scenes.filter((scene) => scene.status === 'verified').length;
}

/** `1 scene`, `3 scenes`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Where the report's thumbnails list a take other than the film's (scene ids have no spaces). */
export function takeThumbnailKey(scene: string, take: number): string {
  return `${scene} take ${take}`;
}
