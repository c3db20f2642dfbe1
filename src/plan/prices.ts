/**
 * Cost estimates. Every figure is an estimate from a price table the user can override
 * (`--prices FILE` or STORYREEL_PRICES=FILE); money is rounded to cents only for display.
 */
import path from 'node:path';
import { StoryboardError } from '../errors.js';
import { readInputFile } from '../storyboard/read-input.js';
import { schemaValidator } from '../storyboard/schema-file.js';
import { schemaProblems } from '../storyboard/schema-problems.js';
import { parseYamlMapping } from '../storyboard/yaml-source.js';
import type { KlingRequest, PriceTable } from './types.js';

/** RunComfy's published price for this model (docs/runcomfy-api.md, "Later findings"). */
export const DEFAULT_PRICES: PriceTable = {
  perSecondWithSound: 0.126,
  perSecondSilent: 0.084,
  source: "RunComfy's published price",
};

export const PRICES_ENV = 'STORYREEL_PRICES';

/** USD, to the micro-dollar so sums do not drift (0.126 * 5 is not exactly 0.63 in floating point). */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

export function estimateCost(payload: Pick<KlingRequest, 'duration' | 'sound'>, prices: PriceTable): number {
  const perSecond = payload.sound ? prices.perSecondWithSound : prices.perSecondSilent;
  return roundUsd(payload.duration * perSecond);
}

/** `$1.26`: for people; machine output keeps the unrounded figure. */
export function formatUsd(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

interface PriceFile {
  usd_per_second: { with_sound: number; silent: number };
  source?: string;
}

/** Parses a price table (YAML or JSON) checked against schemas/prices.schema.json. Pure. */
export function parsePriceTable(text: string, file: string): PriceTable {
  const { data, locator } = parseYamlMapping(text, file, {
    noun: 'price table',
    firstLine: 'usd_per_second: { with_sound: 0.126, silent: 0.084 }',
  });
  const problems = schemaProblems(schemaValidator('prices.schema.json'), data, locator);
  if (problems.length > 0) throw new StoryboardError(problems);
  const prices = data as unknown as PriceFile;
  return {
    perSecondWithSound: prices.usd_per_second.with_sound,
    perSecondSilent: prices.usd_per_second.silent,
    source: prices.source ?? file,
  };
}

export async function loadPriceTable(file: string, options: { cwd?: string } = {}): Promise<PriceTable> {
  return parsePriceTable(await readInputFile(path.resolve(options.cwd ?? process.cwd(), file), file), file);
}

/** The table a command should use: `--prices FILE`, else STORYREEL_PRICES, else DEFAULT_PRICES. */
export async function resolvePriceTable(options: {
  pricesFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): Promise<PriceTable> {
  const file = options.pricesFile ?? (options.env?.[PRICES_ENV] || undefined);
  return file ? loadPriceTable(file, { cwd: options.cwd }) : DEFAULT_PRICES;
}
