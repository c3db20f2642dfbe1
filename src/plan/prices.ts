/**
 * Cost estimates. Every figure is an estimate from a price table the user can override
 * (`--prices FILE` or STORYREEL_PRICES=FILE, read by run/price-file.ts); money is rounded to
 * cents only for display.
 */
import type { KlingRequest, PriceTable } from './types.js';

/** RunComfy's published price for this model (docs/runcomfy-api.md, "Later findings"). */
export const DEFAULT_PRICES: PriceTable = {
  perSecondWithSound: 0.126,
  perSecondSilent: 0.084,
  source: "RunComfy's published price",
};

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
