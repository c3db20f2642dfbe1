/**
 * The fault matrix with the render running in this process (the real client, HTTP, ffmpeg and
 * journal on disk) and short client timeouts, so that a server that stops answering costs a fraction
 * of a second per call instead of the CLI's 30 s: hangs on every endpoint, and every fault together.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FilmFingerprint } from './support/checks.js';
import { MIXED_SHAPE, SHAPE } from './support/fault-lists.js';
import { reportFigures } from './support/figures.js';
import { inProcessRenderer, patientInProcessRenderer } from './support/renderers.js';
import {
  type FaultScenario,
  flakyProviderScenarios,
  matrixTally,
  referenceFilm,
  runFaultScenario,
  type ScenarioResult,
} from './support/scenario.js';

const SEEDS = Number(process.env.RELIABILITY_FAULT_SEEDS ?? 2);

const HANGS: FaultScenario[] = [
  { name: 'submit-hang', faults: ['submit:hang:next=1'], ...SHAPE },
  { name: 'status-hang', faults: ['status:hang:rate=0.3'], ...SHAPE },
  { name: 'result-hang', faults: ['result:hang:rate=0.3'], ...SHAPE },
  { name: 'media-hang', faults: ['media:hang:next=2'], ...SHAPE },
];

const results: ScenarioResult[] = [];
let reference: FilmFingerprint;
let mixedReference: FilmFingerprint;

beforeAll(async () => {
  reference = await referenceFilm(patientInProcessRenderer, SHAPE);
  mixedReference = await referenceFilm(patientInProcessRenderer, MIXED_SHAPE);
}, 120_000); // two reference renders; generous on a loaded machine

describe('a server that stops answering', () => {
  it.each(HANGS)('$name: timed out, retried or reported; the right film in the end', async (scenario) => {
    const result = await runFaultScenario(inProcessRenderer, scenario, reference);
    results.push(result);
    expect(result.faultsInjected).toBeGreaterThan(0);
    expect(result.audit.unreportedDuplicates).toBe(0);
  });
});

describe('every fault together, hangs included', () => {
  it(`${SEEDS} seeds of a flaky provider: reruns with the faults on converge to the right film`, async () => {
    const hangs = ['api:hang:rate=0.02', 'media:hang:rate=0.03'];
    const flaky = { name: 'all-in-process', seeds: SEEDS, extraFaults: hangs, rerunsWithFaults: 4 };
    results.push(...(await flakyProviderScenarios(inProcessRenderer, flaky, mixedReference)));
    const tally = matrixTally(results);
    reportFigures('fault matrix (in-process, short timeouts)', tally);
    expect(tally.unreportedDuplicates).toBe(0);
  });
});
