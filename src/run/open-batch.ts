/**
 * The batch a command other than render reads or acts on (status, cancel, plan, takes): its
 * storyboards checked and planned, the output folder's layout and its journal, made one way for all.
 */
import path from 'node:path';
import { DEFAULT_PRICES } from '../plan/prices.js';
import type { Plan, PriceTable } from '../plan/types.js';
import { Journal } from './journal/journal.js';
import { FileJournalStorage } from './journal/storage.js';
import { type OutputLayout, outputLayout } from './layout.js';
import { loadPlans } from './load-plans.js';
import { resolvePriceTable } from './price-file.js';

export interface BatchRequest {
  files: string[];
  /** Variants of every file; empty means `default` (unless allVariants). */
  variants: string[];
  allVariants: boolean;
  /** The output folder, from `cwd`. */
  outDir: string;
  cwd: string;
  /**
   * Where the estimates' price table comes from: `file` (--prices), else STORYREEL_PRICES in `env`.
   * Absent: the default table, read from nothing.
   */
  prices?: { file?: string | undefined; env: Record<string, string | undefined> };
}

export interface OpenBatch {
  plans: Plan[];
  prices: PriceTable;
  layout: OutputLayout;
  journal: Journal;
}

/** Reads and checks before anything else (exit 2 on any problem); writes nothing. */
export async function openBatch(request: BatchRequest): Promise<OpenBatch> {
  const prices = request.prices
    ? await resolvePriceTable({ pricesFile: request.prices.file, env: request.prices.env, cwd: request.cwd })
    : DEFAULT_PRICES;
  const plans = await loadPlans({
    files: request.files,
    variants: request.variants,
    allVariants: request.allVariants,
    prices,
    cwd: request.cwd,
  });
  const layout = outputLayout(path.resolve(request.cwd, request.outDir));
  return { plans, prices, layout, journal: new Journal(new FileJournalStorage(layout)) };
}
