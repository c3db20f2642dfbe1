/**
 * The reliability soak: what test/reliability runs in CI, many times over, with figures at the end.
 *
 *   npm run soak                               # defaults below, about ten minutes on two cores
 *   npm run soak -- --kills 500 --seeds 30     # longer
 *   npm run soak -- --only torture --kills 50  # one part
 *   npm run soak -- --json soak.json           # the figures as JSON too
 *
 * Parts: `properties` (generated storyboards through the loader and planner), `faults` (the fault
 * matrix: every fault alone through the CLI, then every fault together for many seeds, in-process
 * with short timeouts and through the CLI), `torture` (SIGKILL the renderer at random points of
 * batches, many rounds). Any broken promise stops the soak with the input that broke it.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import buildOnce from '../test/helpers/build-once.js';
import { exploreProperty, type Tally } from '../test/reliability/planner-properties.js';
import { generatedStoryboard, mutatedAd, randomText } from '../test/reliability/storyboard-arbitraries.js';
import { ALL_TOGETHER, MIXED_SHAPE, SHAPE, SINGLE_FAULTS } from '../test/reliability/support/fault-lists.js';
import { cliRenderer, inProcessRenderer, type Renderer } from '../test/reliability/support/renderers.js';
import {
  referenceFilm,
  runFaultScenario,
  type ScenarioResult,
} from '../test/reliability/support/scenario.js';
import { crashTorture, KILL_POINTS, type KillPoint } from '../test/reliability/support/torture.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    'property-runs': { type: 'string', default: '20000' },
    seeds: { type: 'string', default: '8' },
    kills: { type: 'string', default: '150' },
    json: { type: 'string' },
  },
});

const parts = new Set(values.only ?? ['properties', 'faults', 'torture']);
const propertyRuns = Number(values['property-runs']);
const seeds = Number(values.seeds);
const kills = Number(values.kills);
const figures: Record<string, Record<string, number | string>> = {};

function section(name: string, numbers: Record<string, number | string>): void {
  figures[name] = numbers;
  console.log(`\n${name}`);
  for (const [key, value] of Object.entries(numbers)) console.log(`  ${key.padEnd(36)} ${value}`);
}

function elapsed(since: number): string {
  return `${Math.round((Date.now() - since) / 100) / 10} s`;
}

async function properties(): Promise<void> {
  const started = Date.now();
  const tallies: Record<string, Tally> = {
    generated: exploreProperty(generatedStoryboard, propertyRuns),
    mutatedAd: exploreProperty(mutatedAd, propertyRuns),
    randomText: exploreProperty(randomText, propertyRuns),
  };
  const total = (key: keyof Tally) => Object.values(tallies).reduce((sum, tally) => sum + tally[key], 0);
  section('bad input, generated (loader + planner)', {
    'inputs tried': total('inputs'),
    'planned (payloads schema-checked)': total('planned'),
    'payloads checked': total('payloads'),
    'refused with positioned problems': total('refused'),
    'crashes or promises broken': 0,
    time: elapsed(started),
  });
}

function tallyScenarios(results: ScenarioResult[], started: number): Record<string, number | string> {
  const sum = (pick: (result: ScenarioResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  return {
    scenarios: results.length,
    'renders run': sum((r) => r.runs),
    'faults injected': sum((r) => r.faultsInjected),
    'scenarios with a failed first run': results.filter((r) => r.firstExitCode !== 0).length,
    'jobs created on the server': sum((r) => r.audit.created),
    'extra payments, reported': sum((r) => r.audit.reportedExtra),
    'duplicates found (unreported)': sum((r) => r.audit.unreportedDuplicates),
    'films not identical to reference': 0,
    time: elapsed(started),
  };
}

async function allTogether(
  renderer: Renderer,
  count: number,
  extra: string[] = [],
): Promise<ScenarioResult[]> {
  const reference = await referenceFilm(renderer, MIXED_SHAPE);
  const results: ScenarioResult[] = [];
  for (let seed = 1; seed <= count; seed++) {
    const scenario = {
      name: `soak-${seed}`,
      faults: [...ALL_TOGETHER, ...extra],
      seed,
      rerunsWithFaults: 4,
      ...MIXED_SHAPE,
    };
    results.push(await runFaultScenario(renderer, scenario, reference));
    process.stdout.write('.');
  }
  return results;
}

async function faults(): Promise<void> {
  let started = Date.now();
  const reference = await referenceFilm(cliRenderer, SHAPE);
  const singles: ScenarioResult[] = [];
  for (const scenario of SINGLE_FAULTS) {
    for (let seed = 1; seed <= Math.max(1, Math.ceil(seeds / 4)); seed++) {
      singles.push(await runFaultScenario(cliRenderer, { ...scenario, seed }, reference));
      process.stdout.write('.');
    }
  }
  section('each fault alone (CLI)', tallyScenarios(singles, started));
  started = Date.now();
  const hangs = ['api:hang:rate=0.02', 'media:hang:rate=0.03'];
  section(
    'every fault together (in-process, short timeouts)',
    tallyScenarios(await allTogether(inProcessRenderer, seeds, hangs), started),
  );
  started = Date.now();
  section(
    'every fault together (CLI)',
    tallyScenarios(await allTogether(cliRenderer, Math.ceil(seeds / 2)), started),
  );
}

async function torture(): Promise<void> {
  const started = Date.now();
  const shape = { scenes: 4, multiShot: [2] };
  const reference = await referenceFilm(cliRenderer, shape);
  const perBatch = 25;
  const byPoint = Object.fromEntries(KILL_POINTS.map((point) => [point, 0])) as Record<KillPoint, number>;
  const totals = {
    kills: 0,
    runs: 0,
    rounds: 0,
    created: 0,
    reportedExtra: 0,
    unreported: 0,
    warnings: 0,
    leftovers: 0,
    partials: 0,
  };
  for (let seed = 1; totals.kills < kills; seed++) {
    const result = await crashTorture({
      ...shape,
      kills: Math.min(perBatch, kills - totals.kills),
      seed,
      concurrency: 2,
      reference,
    });
    totals.kills += result.kills;
    totals.runs += result.runs;
    totals.rounds += result.rounds;
    totals.created += result.audit.created;
    totals.reportedExtra += result.audit.reportedExtra;
    totals.unreported += result.audit.unreportedDuplicates;
    totals.warnings += result.mayHaveBeenSubmittedWarnings;
    totals.leftovers += result.journalLeftovers;
    totals.partials += result.partialFiles;
    for (const point of KILL_POINTS) byPoint[point] += result.byPoint[point];
    process.stdout.write('.');
  }
  section('crash torture (SIGKILL, CLI)', {
    'kills survived': totals.kills,
    ...Object.fromEntries(KILL_POINTS.map((point) => [`  killed at ${point}`, byPoint[point]])),
    'renders run': totals.runs,
    'films finished and compared': totals.rounds,
    'jobs created on the server': totals.created,
    'extra payments, reported': totals.reportedExtra,
    '"may have been submitted" warnings': totals.warnings,
    'duplicates found (unreported)': totals.unreported,
    'corrupt journal records': 0,
    'temporary files left in the journal': totals.leftovers,
    'partial files left in the output': totals.partials,
    time: elapsed(started),
  });
}

const started = Date.now();
console.log(`storyreel soak: ${[...parts].join(', ')}`);
await buildOnce();
if (parts.has('properties')) await properties();
if (parts.has('faults')) await faults();
if (parts.has('torture')) await torture();
console.log(`\nall promises held (${elapsed(started)})`);
if (values.json) await writeFile(values.json, `${JSON.stringify(figures, null, 2)}\n`);
