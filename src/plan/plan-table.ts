/** The plan as people read it: one row per scene, its shots beneath, totals last. Pure. */
import { formatUsd, roundUsd } from './prices.js';
import type { Plan, PriceTable } from './types.js';

/**
 * Where a job stands, as `render` would see it (the shell inspects the journal and the clip store):
 * only `toPay` jobs cost money; a job already submitted was paid when it was accepted.
 */
export interface JobProgress {
  /** `done`, `new`, `in flight`, ... as the status column shows it. */
  label: string;
  toPay: boolean;
}

export interface PlanTableOptions {
  /** By job key; a job not in the map is new (to pay). */
  progress: ReadonlyMap<string, JobProgress>;
  prices: PriceTable;
  /**
   * By job key (the chosen take's): the take numbers of that scene whose clips the output folder
   * stores. With takes in play (a scene choosing a retake, or other takes stored), the table shows
   * each scene's chosen take and the stored ones; without, it looks as it did before takes.
   */
  takes?: ReadonlyMap<string, readonly number[]>;
  /** Terminal width; shot prompts are cut to fit. */
  width?: number;
}

function truncate(text: string, width: number): string {
  const chars = [...text.replace(/\s+/g, ' ')];
  return chars.length <= width ? chars.join('') : `${chars.slice(0, Math.max(1, width - 1)).join('')}…`;
}

function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, column) =>
        rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd(),
  );
}

export function isToPay(progress: ReadonlyMap<string, JobProgress>, key: string): boolean {
  return progress.get(key)?.toPay ?? true;
}

/** What the jobs still to pay for cost; `jobs` may repeat a key (variants sharing it): paid once. */
export function costToGenerate(
  jobs: readonly { key: string; cost: number }[],
  progress: ReadonlyMap<string, JobProgress>,
): number {
  const distinct = new Map(jobs.map((job) => [job.key, job.cost]));
  let total = 0;
  for (const [key, cost] of distinct) if (isToPay(progress, key)) total += cost;
  return roundUsd(total);
}

export function renderPlanTable(plan: Plan, options: PlanTableOptions): string[] {
  const { progress, prices } = options;
  const width = options.width ?? 100;
  const stored = (key: string) => options.takes?.get(key) ?? [];
  const withTakes = plan.jobs.some(
    (job) => (job.take ?? 1) > 1 || stored(job.key).some((take) => take !== (job.take ?? 1)),
  );
  const header = ['#', 'scene', 'shots', 'seconds', 'aspect', 'sound', 'est. cost', 'status'];
  if (withTakes) header.splice(2, 0, 'take');
  if (withTakes) header.push('takes stored');
  const rows = plan.jobs.map((job) => {
    const row = [
      String(job.index + 1),
      job.scene,
      String(job.shots.length),
      String(job.duration),
      job.payload.aspect_ratio,
      job.payload.sound ? 'yes' : 'no',
      formatUsd(job.cost),
      progress.get(job.key)?.label ?? 'new',
    ];
    if (withTakes) row.splice(2, 0, String(job.take ?? 1));
    if (withTakes) row.push(stored(job.key).join(' ') || 'none');
    return row;
  });
  const [headLine, ...lines] = table([header, ...rows], new Set(withTakes ? [0, 2, 3, 4, 7] : [0, 2, 3, 6]));
  const out = [`${plan.title} (${plan.file}), variant ${plan.variant}`, '', `  ${headLine}`];
  plan.jobs.forEach((job, index) => {
    out.push(`  ${lines[index]}`);
    if (job.payload.shot_type !== 'customize') return;
    job.shots.forEach((shot, shotIndex) => {
      const lead = `       shot ${shotIndex + 1}  ${String(shot.duration).padStart(2)} s  `;
      out.push(lead + truncate(shot.prompt, width - lead.length));
    });
  });
  const remaining = new Set(plan.jobs.filter((job) => isToPay(progress, job.key)).map((job) => job.key)).size;
  const scenes = `${plan.jobs.length} scene${plan.jobs.length === 1 ? '' : 's'}`;
  out.push(
    '',
    `${scenes}, ${plan.totalDuration} s; estimated ${formatUsd(plan.totalCost)} in total, ` +
      `${formatUsd(costToGenerate(plan.jobs, progress))} for the ${remaining} clip${remaining === 1 ? '' : 's'} still to pay for`,
    ...(withTakes ? [takesNote(plan, progress)] : []),
    `(estimates at ${prices.source ?? 'the given prices'}: $${prices.perSecondWithSound}/s with sound, ` +
      `$${prices.perSecondSilent}/s silent)`,
  );
  return out;
}

/** With takes in play: what choosing the storyboard's takes costs (stored takes are free). */
function takesNote(plan: Plan, progress: ReadonlyMap<string, JobProgress>): string {
  const toPay = plan.jobs.filter((job) => isToPay(progress, job.key));
  if (toPay.length === 0)
    return 'Every chosen take is stored or already paid for: switching takes costs nothing.';
  const named = toPay.map((job) => `${job.scene} take ${job.take ?? 1} (${formatUsd(job.cost)})`);
  return `Chosen takes still to pay for: ${named.join(', ')}; takes already stored cost nothing.`;
}
