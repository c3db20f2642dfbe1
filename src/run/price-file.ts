/**
 * The price table a user gives (`--prices FILE` or STORYREEL_PRICES=FILE): an input file the shell
 * reads and checks like a storyboard (schemas/prices.schema.json, problems at file:line:col), as
 * load-plans.ts reads the storyboards. The estimates made from it are the planner's (plan/prices.ts).
 */
import path from 'node:path';
import { StoryboardError } from '../errors.js';
import { DEFAULT_PRICES } from '../plan/prices.js';
import type { PriceTable } from '../plan/types.js';
import { readInputFile } from '../storyboard/read-input.js';
import { schemaValidator } from '../storyboard/schema-file.js';
import { schemaProblems } from '../storyboard/schema-problems.js';
import { parseYamlMapping } from '../storyboard/yaml-source.js';

export const PRICES_ENV = 'STORYREEL_PRICES';

interface PriceFile {
  usd_per_second: { with_sound: number; silent: number };
  source?: string;
}

/** Parses a price table (YAML or JSON) checked against schemas/prices.schema.json. */
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
