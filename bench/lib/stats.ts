/** Small numeric helpers: the bench reports medians of repeated runs, since the machine is shared. */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

/** Relative spread of repeated measurements, (max - min) / median: how noisy the machine was. */
export function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/** Milliseconds `work` took. */
export async function timeMs(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Runs `work` `times` times (after `warmup` unmeasured runs) and returns every duration in ms. */
export async function repeatMs(
  times: number,
  work: () => Promise<unknown> | unknown,
  warmup = 0,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work();
  const durations: number[] = [];
  for (let i = 0; i < times; i++) durations.push(await timeMs(work));
  return durations;
}

export function seconds(ms: number, digits = 2): string {
  return `${(ms / 1000).toFixed(digits)} s`;
}

export function millis(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MB`;
}

/** `±12%`, the spread of repeated runs, for the notes column. */
export function noise(values: readonly number[]): string {
  return values.length < 2 ? 'one run' : `${values.length} runs, spread ${Math.round(spread(values) * 100)}%`;
}

/** CPU time (ms) of this process plus its finished children (ffmpeg, ffprobe, cat), from /proc. */
export async function cpuMsIncludingChildren(): Promise<number> {
  const { user, system } = process.cpuUsage();
  const fields = (await readFile('/proc/self/stat', 'utf8')).split(') ')[1]!.split(' ');
  // After "(comm) ": state is field 3, so cutime (16) and cstime (17) sit at indexes 13 and 14.
  const childTicks = Number(fields[13]) + Number(fields[14]);
  return (user + system) / 1000 + childTicks * (1000 / CLOCK_TICKS_PER_SECOND);
}

/** USER_HZ: 100 on every Linux build that matters. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface Measured {
  wallMs: number;
  cpuMs: number;
}

/** Wall and CPU time (this process and its children) of `work`. */
export async function measure(work: () => Promise<unknown>): Promise<Measured> {
  const cpuBefore = await cpuMsIncludingChildren();
  const wallMs = await timeMs(work);
  return { wallMs, cpuMs: (await cpuMsIncludingChildren()) - cpuBefore };
}
