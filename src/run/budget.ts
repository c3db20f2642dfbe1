/**
 * `--max-cost`: compared, before anything is sent, with the estimate of what this run will pay for.
 * Clips already in the store cost nothing, and jobs an earlier run submitted were already paid: only
 * the jobs to submit count. A free provider (a preview) costs nothing, so no budget applies to it.
 */
import { BudgetExceededError } from '../errors.js';
import { jobLabel, jobVariants, servedLabel } from './batch.js';
import { estimatedCostOf, type Inspection, toSubmit } from './inspect.js';

export function checkBudget(
  inspections: Inspection[],
  maxCostUsd: number | undefined,
  provider: { free?: boolean },
): void {
  if (maxCostUsd === undefined || provider.free) return;
  const submitting = toSubmit(inspections);
  const estimate = estimatedCostOf(submitting);
  if (estimate <= maxCostUsd) return;
  throw new BudgetExceededError(estimate, maxCostUsd, budgetDetail(inspections, submitting));
}

function budgetDetail(inspections: Inspection[], submitting: Inspection[]): string {
  const reused = inspections.filter((inspection) => inspection.decision.action === 'reuse').length;
  const inFlight = inspections.length - reused - submitting.length;
  const seconds = submitting.reduce((sum, inspection) => sum + inspection.job.planned.duration, 0);
  const lines = [
    `${submitting.length} of ${inspections.length} distinct jobs to generate (${seconds} s of video); ` +
      `${reused} already done, ${inFlight} already submitted by an earlier run (not counted).`,
  ];
  // With several films, a scene name alone repeats once per film: say which film(s) each job is for.
  const severalFilms = new Set(inspections.flatMap((inspection) => jobVariants(inspection.job))).size > 1;
  const label = (inspection: Inspection) =>
    severalFilms
      ? servedLabel(jobLabel(inspection.job).split('+'), jobVariants(inspection.job))
      : jobLabel(inspection.job);
  const listed = submitting.slice(0, 20);
  for (const inspection of listed) {
    lines.push(`  ${label(inspection)}: $${inspection.job.planned.cost.toFixed(4)}`);
  }
  if (submitting.length > listed.length) lines.push(`  ... and ${submitting.length - listed.length} more`);
  lines.push('Raise --max-cost, render fewer variants (--variant), or check prices with --prices FILE.');
  return lines.join('\n');
}
