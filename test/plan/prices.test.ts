import { describe, expect, it } from 'vitest';
import { formatProblem, StoryboardError } from '../../src/errors.js';
import { DEFAULT_PRICES, estimateCost, formatUsd } from '../../src/plan/prices.js';
import { parsePriceTable, resolvePriceTable } from '../../src/run/price-file.js';

function refusal(text: string): string[] {
  try {
    parsePriceTable(text, 'prices.yaml');
  } catch (error) {
    if (error instanceof StoryboardError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

describe('prices', () => {
  it("default to RunComfy's published price per second, with and without sound", () => {
    expect(estimateCost({ duration: 10, sound: true }, DEFAULT_PRICES)).toBe(1.26);
    expect(estimateCost({ duration: 5, sound: true }, DEFAULT_PRICES)).toBe(0.63);
    expect(estimateCost({ duration: 10, sound: false }, DEFAULT_PRICES)).toBe(0.84);
    expect(formatUsd(0.882)).toBe('$0.88');
  });

  it('can be replaced by a price file (YAML or JSON)', () => {
    expect(
      parsePriceTable('usd_per_second: { with_sound: 0.2, silent: 0.1 }\nsource: our invoice\n', 'p.yaml'),
    ).toEqual({
      perSecondWithSound: 0.2,
      perSecondSilent: 0.1,
      source: 'our invoice',
    });
    expect(parsePriceTable('{"usd_per_second": {"with_sound": 0.3, "silent": 0}}', 'p.json').source).toBe(
      'p.json',
    );
  });

  it('refuses a bad price file with positions (a misspelt key is one problem, not also a missing one)', () => {
    expect(refusal('usd_per_second:\n  with_sound: -1\n  silnt: 0.1\n')).toEqual([
      'prices.yaml:2:15 usd_per_second.with_sound: must be from 0 to 100, not -1',
      "prices.yaml:3:3 usd_per_second: unknown key 'silnt' (did you mean 'silent'?)",
    ]);
  });

  it('come from --prices, else STORYREEL_PRICES, else the defaults', async () => {
    expect(await resolvePriceTable({ env: {} })).toBe(DEFAULT_PRICES);
    const missing = resolvePriceTable({ env: { STORYREEL_PRICES: 'nope.yaml' }, cwd: '/' });
    await expect(missing).rejects.toThrow('nope.yaml: no such file');
    const flagWins = resolvePriceTable({
      pricesFile: 'flag.yaml',
      env: { STORYREEL_PRICES: 'env.yaml' },
      cwd: '/',
    });
    await expect(flagWins).rejects.toThrow('flag.yaml: no such file');
  });
});
