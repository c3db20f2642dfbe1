/**
 * storyreel as a library: what the CLI does, as calls a Node program can make.
 *
 *   import { loadStoryboard, plan, render } from 'storyreel';
 *   const board = await loadStoryboard('storyboards/ad.yaml');
 *   console.log(plan(board).totalCost); // USD, estimated
 *   const result = await render({ files: ['storyboards/ad.yaml'], provider: 'preview' });
 *
 * Everything here keeps the CLI's promises (nothing is submitted before the whole batch is valid, a
 * request id is on disk before it is used, a rerun resumes); errors are the classes exported below,
 * each with the exit code the CLI would use.
 */
import { type PlanOptions, planOrThrow } from './plan/planner.js';
import type { Plan } from './plan/types.js';
import type { ProviderName } from './providers/registry.js';
import type { EmitEvent } from './run/events.js';
import type { RenderBatchResult } from './run/render-batch.js';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MIN } from './run/runner-types.js';
import type { LoadedStoryboard } from './storyboard/load.js';

export type { Cut } from './cut/types.js';
export {
  BudgetExceededError,
  ExitCode,
  formatProblem,
  type Problem,
  StoryboardError,
  StoryreelError,
  UsageError,
} from './errors.js';
export type { JobProgress } from './plan/plan-table.js';
export { DEFAULT_VARIANT, planAllVariants, planVariant, variantNames } from './plan/planner.js';
export { DEFAULT_PRICES, estimateCost } from './plan/prices.js';
export type { KlingRequest, Plan, PlannedJob, PriceTable } from './plan/types.js';
export type { ProviderName } from './providers/registry.js';
// What the status, cancel, plan and takes commands do, as calls (they print what these return).
export { type CancelReport, cancelRender } from './run/cancel.js';
export { type DryRun, dryRun } from './run/dry-run.js';
export type { RunEvent } from './run/events.js';
export type { BatchRequest } from './run/open-batch.js';
export { loadPriceTable } from './run/price-file.js';
export type { RenderBatchResult } from './run/render-batch.js';
export {
  type BatchStatusReport,
  type SceneCondition,
  type SceneStatus,
  statusOf,
  type VariantStatus,
} from './run/status.js';
export { type SceneTakes, type TakeOnDisk, takesInFolder } from './run/takes.js';
export { type LoadedStoryboard, loadStoryboard, parseStoryboard } from './storyboard/load.js';
export type { Storyboard } from './storyboard/storyboard.generated.js';

/** The plan of one variant (default: `default`): its jobs, their keys and the estimated cost. Pure. */
export function plan(loaded: LoadedStoryboard, options: PlanOptions & { variant?: string } = {}): Plan {
  const { variant = 'default', ...planOptions } = options;
  return planOrThrow(loaded, variant, planOptions);
}

export interface RenderOptions {
  files: string[];
  /** Variants to render; default `['default']`. */
  variants?: string[];
  allVariants?: boolean;
  /** Default `runcomfy` (needs RUNCOMFY_API_TOKEN in `env`); `preview` draws animatics for free. */
  provider?: ProviderName;
  /** Default `output`, relative to `cwd`. */
  outDir?: string;
  concurrency?: number;
  pollIntervalSec?: number;
  timeoutMin?: number;
  /** Scene ids whose stored clip is discarded and generated again (paid again). */
  rerender?: string[];
  /** Refuse to start (BudgetExceededError) when what must be generated is estimated above this. */
  maxCostUsd?: number;
  pricesFile?: string;
  /** Default `process.cwd()`. */
  cwd?: string;
  /** Default `process.env`: where RUNCOMFY_API_TOKEN and the other settings are read. */
  env?: Record<string, string | undefined>;
  allowOutsideAssets?: boolean;
  /** Every progress event the CLI's `--json` prints, as objects. */
  onEvent?: EmitEvent;
  /** Problems that do not change the outcome (a report page that could not be written). */
  onWarning?: (message: string) => void;
  /** Abort = the first Ctrl-C: no new submissions, state saved, polls stopped. */
  signal?: AbortSignal;
}

/**
 * Renders as `storyreel render` does and resolves with the summary, the reports and the exit code
 * the CLI would return (0 when every film was written). Bad input rejects before anything is sent.
 */
export async function render(options: RenderOptions): Promise<RenderBatchResult> {
  const { executeRender, prepareRender } = await import('./run/render.js');
  const prepared = await prepareRender({
    files: options.files,
    variants: options.variants ?? [],
    allVariants: Boolean(options.allVariants),
    provider: options.provider ?? 'runcomfy',
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    outDir: options.outDir ?? 'output',
    timeoutMin: options.timeoutMin ?? DEFAULT_TIMEOUT_MIN,
    rerender: options.rerender ?? [],
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    resumeCommand: '',
    allowOutsideAssets: Boolean(options.allowOutsideAssets),
    ...(options.pollIntervalSec !== undefined ? { pollIntervalSec: options.pollIntervalSec } : {}),
    ...(options.maxCostUsd !== undefined ? { maxCostUsd: options.maxCostUsd } : {}),
    ...(options.pricesFile !== undefined ? { pricesFile: options.pricesFile } : {}),
  });
  return executeRender(prepared, {
    emit: options.onEvent ?? (() => {}),
    warn: options.onWarning ?? (() => {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
