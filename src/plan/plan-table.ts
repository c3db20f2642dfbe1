/** The plan as people read it: one row per scene, its shots beneath, totals last. Pure. */
import { formatUsd, roundUsd } from './prices.js';
import type { Plan, PriceTable } from './types.js';

export interface PlanTableOptions {
  /** Keys of jobs whose clip already exists. */
  done: ReadonlySet<string>;
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

export function costToGenerate(plan: Plan, done: ReadonlySet<string>): number {
  return roundUsd(plan.jobs.filter((job) => !done.has(job.key)).reduce((total, job) => total + job.cost, 0));
}

export function renderPlanTable(plan: Plan, options: PlanTableOptions): string[] {
  const { done, prices } = options;
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
    done.has(job.key) ? 'done' : 'new',
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
  const remaining = plan.jobs.filter((job) => !done.has(job.key)).length;
  const scenes = `${plan.jobs.length} scene${plan.jobs.length === 1 ? '' : 's'}`;
  out.push(
    '',
    `${scenes}, ${plan.totalDuration} s; estimated ${formatUsd(plan.totalCost)} in total, ` +
      `${formatUsd(costToGenerate(plan, done))} for the ${remaining} clip${remaining === 1 ? '' : 's'} still to generate`,
    `(estimates at ${prices.source ?? 'the given prices'}: $${prices.perSecondWithSound}/s with sound, ` +
      `$${prices.perSecondSilent}/s silent)`,
  );
  return out;
}
