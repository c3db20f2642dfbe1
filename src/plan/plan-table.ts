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
  const header = ['#', 'scene', 'shots', 'seconds', 'aspect', 'sound', 'est. cost', 'status'];
  const rows = plan.jobs.map((job) => [
    String(job.index + 1),
    job.scene,
    String(job.shots.length),
    String(job.duration),
    job.payload.aspect_ratio,
    job.payload.sound ? 'yes' : 'no',
    formatUsd(job.cost),
    progress.get(job.key)?.label ?? 'new',
  ]);
  const [headLine, ...lines] = table([header, ...rows], new Set([0, 2, 3, 6]));
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
    `(estimates at ${prices.source ?? 'the given prices'}: $${prices.perSecondWithSound}/s with sound, ` +
      `$${prices.perSecondSilent}/s silent)`,
  );
  return out;
}
