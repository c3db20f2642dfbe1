/**
 * One fault scenario: render with faults injected, check what the user got (the right film, or a
 * clear per-scene failure), then rerun without faults and check that it completes, that nothing
 * verified was lost or paid for again, and that no job was paid twice without a word.
 */
import { access } from 'node:fs/promises';
import type { MockServer } from '../../../src/providers/mock-server/server.js';
import type { FailedEvent, RunEvent, SummaryEvent } from '../../../src/run/events.js';
import {
  assertNothingLost,
  auditPayments,
  cleanRunEvents,
  type FilmFingerprint,
  filmFingerprint,
  type PaymentAudit,
  ReliabilityViolation,
  readJournal,
  storeSnapshot,
} from './checks.js';
import { ALL_TOGETHER, MIXED_SHAPE } from './fault-lists.js';
import { generationFaults, injectedFaults, startMock } from './mock.js';
import type { Renderer } from './renderers.js';
import { filmPath, workspace, writeFilm } from './workspace.js';

export interface FilmShape {
  scenes: number;
  multiShot?: number[];
}

export interface FaultScenario extends FilmShape {
  name: string;
  faults: string[];
  concurrency?: number;
  seed?: number;
  /** Rerun with the faults still active (a flaky provider all along), up to this many times. */
  rerunsWithFaults?: number;
}

export interface ScenarioResult {
  name: string;
  firstExitCode: number;
  runs: number;
  faultsInjected: number;
  failures: { scene: string; kind: string; message: string }[];
  warnings: string[];
  audit: PaymentAudit;
}

function fail(message: string, detail?: unknown): never {
  throw new ReliabilityViolation(
    detail === undefined ? message : `${message}\n${JSON.stringify(detail, null, 2)}`,
  );
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** A finished run either made the film, or says which scenes failed and why. */
async function checkOutcome(events: RunEvent[], out: string): Promise<SummaryEvent> {
  const summary = events.at(-1) as SummaryEvent;
  const film = await exists(filmPath(out));
  if (summary.exitCode === 0) {
    if (summary.outcome !== 'complete' || !film) fail('exit 0 without a complete film', summary);
    return summary;
  }
  if (summary.outcome === 'complete') fail('exit 1 but the summary says complete', summary);
  const failed = events.filter((event): event is FailedEvent => event.type === 'failed');
  const unfinished = summary.jobs.failed + summary.jobs.timedOut + summary.jobs.cancelled;
  if (unfinished > 0 && failed.length === 0) fail('scenes failed without a failed event', summary);
  for (const event of failed) {
    if (event.scenes.length === 0 || event.error.message.trim().length < 10)
      fail('a failure that says nothing', event);
  }
  if (unfinished === 0 && summary.outcome !== 'stopped' && summary.jobs.inFlight === 0) {
    fail('exit 1 with nothing failed, stopped or in flight', summary);
  }
  return summary;
}

/** Renders `shape` once without faults: the film every scenario must end with. */
export async function referenceFilm(renderer: Renderer, shape: FilmShape): Promise<FilmFingerprint> {
  const server = await startMock();
  const ws = await workspace();
  try {
    const file = await writeFilm(ws.dir, {
      scenes: shape.scenes,
      multiShot: shape.multiShot ?? [],
      prompt: 'reference',
    });
    const run = await renderer(server, { file, out: ws.out });
    cleanRunEvents(run, [0]);
    return await filmFingerprint(filmPath(ws.out));
  } finally {
    await server.close();
    await ws.cleanup();
  }
}

export async function runFaultScenario(
  renderer: Renderer,
  scenario: FaultScenario,
  reference: FilmFingerprint,
): Promise<ScenarioResult> {
  const server: MockServer = await startMock({ faults: scenario.faults, seed: scenario.seed ?? 1 });
  const ws = await workspace();
  try {
    const file = await writeFilm(ws.dir, {
      scenes: scenario.scenes,
      multiShot: scenario.multiShot ?? [],
      prompt: scenario.name,
    });
    const call = { file, out: ws.out, concurrency: scenario.concurrency ?? 3 };
    const result: ScenarioResult = {
      name: scenario.name,
      firstExitCode: -1,
      runs: 0,
      faultsInjected: 0,
      failures: [],
      warnings: [],
      audit: { distinctJobs: 0, created: 0, paid: 0, reportedExtra: 0, unreportedDuplicates: 0 },
    };
    let summary: SummaryEvent | undefined;
    const maxRuns = 1 + (scenario.rerunsWithFaults ?? 0) + 1;
    while (result.runs < maxRuns && summary?.exitCode !== 0) {
      if (result.runs === maxRuns - 1) server.clearFaults(); // the last run meets a healthy provider
      const before = await storeSnapshot(ws.out);
      const run = await renderer(server, call);
      result.runs += 1;
      const events = cleanRunEvents(run);
      await readJournal(ws.out);
      summary = await checkOutcome(events, ws.out);
      if (result.runs === 1) result.firstExitCode = summary.exitCode;
      assertNothingLost(before, await storeSnapshot(ws.out));
      for (const event of events) {
        if (event.type === 'failed') {
          result.failures.push({
            scene: event.scenes.join(','),
            kind: event.error.kind,
            message: event.error.message,
          });
        }
        if (event.type === 'warning') result.warnings.push(event.code);
      }
    }
    if (summary?.exitCode !== 0) fail(`${scenario.name}: no film after ${result.runs} runs`, summary);
    result.faultsInjected = injectedFaults(server) + generationFaults(server);
    result.audit = auditPayments(server, (await readJournal(ws.out)).records);
    const film = await filmFingerprint(filmPath(ws.out));
    if (film.streams !== reference.streams)
      fail('the film streams differ from an undisturbed render', film.streams);
    if (film.packets !== reference.packets) fail('the film packets differ from an undisturbed render');
    return result;
  } finally {
    await server.close();
    await ws.cleanup();
  }
}

export interface FlakyProvider {
  /** Scenario names are `${name}-${seed}`. */
  name: string;
  /** Seeds 1..seeds, one scenario each. */
  seeds: number;
  /** Faults on top of every fault together (ALL_TOGETHER). */
  extraFaults?: string[];
  rerunsWithFaults: number;
}

/**
 * A provider flaky all along: every fault together at a realistic rate on the mixed film, one
 * scenario per seed, each rerun with the faults still on until it converges (or its last run meets a
 * healthy provider), checked as runFaultScenario checks one.
 */
export async function flakyProviderScenarios(
  renderer: Renderer,
  flaky: FlakyProvider,
  reference: FilmFingerprint,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (let seed = 1; seed <= flaky.seeds; seed++) {
    const scenario: FaultScenario = {
      name: `${flaky.name}-${seed}`,
      faults: [...ALL_TOGETHER, ...(flaky.extraFaults ?? [])],
      seed,
      rerunsWithFaults: flaky.rerunsWithFaults,
      ...MIXED_SHAPE,
    };
    results.push(await runFaultScenario(renderer, scenario, reference));
  }
  return results;
}

/** What a fault matrix tried and what it cost, over all its scenarios (for reportFigures). */
export function matrixTally(results: ScenarioResult[]) {
  return {
    scenarios: results.length,
    runs: results.reduce((sum, r) => sum + r.runs, 0),
    faultsInjected: results.reduce((sum, r) => sum + r.faultsInjected, 0),
    firstRunFailures: results.filter((r) => r.firstExitCode !== 0).length,
    jobsCreated: results.reduce((sum, r) => sum + r.audit.created, 0),
    reportedExtraPayments: results.reduce((sum, r) => sum + r.audit.reportedExtra, 0),
    unreportedDuplicates: results.reduce((sum, r) => sum + r.audit.unreportedDuplicates, 0),
  };
}
