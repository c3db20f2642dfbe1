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
import { MIXED_SHAPE, SHAPE, SINGLE_FAULTS } from './support/fault-lists.js';
import { reportFigures } from './support/figures.js';
import { cliRenderer } from './support/renderers.js';
import {
  flakyProviderScenarios,
  matrixTally,
  referenceFilm,
  runFaultScenario,
  type ScenarioResult,
} from './support/scenario.js';

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
    const flaky = { name: 'all-together', seeds: SEEDS, rerunsWithFaults: 3 };
    const seeded = await flakyProviderScenarios(cliRenderer, flaky, mixedReference);
    results.push(...seeded);
    for (const result of seeded) expect(result.faultsInjected).toBeGreaterThan(0);
    const tally = matrixTally(results);
    reportFigures('fault matrix (CLI)', tally);
    expect(tally.unreportedDuplicates).toBe(0);
  });
});
