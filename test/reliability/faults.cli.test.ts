/**
 * The fault matrix through the shipped binary: every fault the mock server can inject, alone and all
 * together, during a real render. Each scenario must end with the same film as an undisturbed render
 * (at once, or after a rerun that meets a healthy provider), or with a clear per-scene failure first;
 * never a crash, never a lost clip, never a job paid twice without saying so.
 * A server that stops answering costs the CLI's 30-second timeout per call, so `hang` is covered by
 * faults.in-process.test.ts with short client timeouts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FilmFingerprint } from './support/checks.js';
import { ALL_TOGETHER, MIXED_SHAPE, SHAPE, SINGLE_FAULTS } from './support/fault-lists.js';
import { reportFigures } from './support/figures.js';
import { cliRenderer } from './support/renderers.js';
import { referenceFilm, runFaultScenario, type ScenarioResult } from './support/scenario.js';

/** Seeds of the all-together scenario (scripts/soak.ts raises it). */
const SEEDS = Number(process.env.RELIABILITY_FAULT_SEEDS ?? 1);
const results: ScenarioResult[] = [];
let reference: FilmFingerprint;
let mixedReference: FilmFingerprint;

beforeAll(async () => {
  [reference, mixedReference] = await Promise.all([
    referenceFilm(cliRenderer, SHAPE),
    referenceFilm(cliRenderer, MIXED_SHAPE),
  ]);
}, 120_000); // two reference renders; generous on a loaded machine

describe.concurrent('each fault alone, through the CLI', () => {
  it.each(SINGLE_FAULTS)(
    '$name: the right film, at once or after a rerun; nothing lost or paid twice',
    async (scenario) => {
      const result = await runFaultScenario(cliRenderer, scenario, reference);
      results.push(result);
      if (process.env.RELIABILITY_DUMP) console.log(JSON.stringify(result));
      expect(result.faultsInjected).toBeGreaterThan(0);
      expect(result.audit.unreportedDuplicates).toBe(0);
    },
  );
});

describe('all faults together at a realistic rate, through the CLI', () => {
  it(`${SEEDS} seed(s) of a flaky provider all along: reruns with the faults still on converge to the right film`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const scenario = {
        name: `all-together-${seed}`,
        faults: ALL_TOGETHER,
        seed,
        rerunsWithFaults: 3,
        ...MIXED_SHAPE,
      };
      const result = await runFaultScenario(cliRenderer, scenario, mixedReference);
      results.push(result);
      expect(result.faultsInjected).toBeGreaterThan(0);
    }
    const tally = {
      scenarios: results.length,
      runs: results.reduce((sum, r) => sum + r.runs, 0),
      faultsInjected: results.reduce((sum, r) => sum + r.faultsInjected, 0),
      firstRunFailures: results.filter((r) => r.firstExitCode !== 0).length,
      jobsCreated: results.reduce((sum, r) => sum + r.audit.created, 0),
      reportedExtraPayments: results.reduce((sum, r) => sum + r.audit.reportedExtra, 0),
      unreportedDuplicates: results.reduce((sum, r) => sum + r.audit.unreportedDuplicates, 0),
    };
    reportFigures('fault matrix (CLI)', tally);
    expect(tally.unreportedDuplicates).toBe(0);
  });
});
