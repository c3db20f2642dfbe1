/**
 * Sums of money as the ledger (run/ledger.ts) keeps them, and as every view shows them: the summary,
 * the report, the index. Pure.
 */

/** A sum of charges: how many submissions, their estimate, and what the provider reported for them. */
export interface Money {
  /** Submissions that may have created a paid job (accepted, or whose answer was lost). */
  jobs: number;
  estimatedUsd: number;
  /** The sum of the costs the provider reported, for `reported` of the `jobs`. */
  reportedUsd: number;
  reported: number;
}

export const NO_MONEY: Money = { jobs: 0, estimatedUsd: 0, reportedUsd: 0, reported: 0 };

export function addMoney(...amounts: Money[]): Money {
  const total = amounts.reduce(
    (sum, money) => ({
      jobs: sum.jobs + money.jobs,
      estimatedUsd: sum.estimatedUsd + money.estimatedUsd,
      reportedUsd: sum.reportedUsd + money.reportedUsd,
      reported: sum.reported + money.reported,
    }),
    NO_MONEY,
  );
  return { ...total, estimatedUsd: roundUsd(total.estimatedUsd), reportedUsd: roundUsd(total.reportedUsd) };
}

function roundUsd(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}
