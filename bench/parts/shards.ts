/**
 * Issue 18's numbers: a campaign of 4 variants x 20 scenes, 12 of them (60%) shared by every variant,
 * so 44 distinct jobs. Rendered the way a CI matrix does, each machine a separate CLI process with its
 * own output folder, all against one mock server with a fixed generation time and slots for everyone:
 *
 * - one variant per job (the example workflow before issue 18): 4 machines, each pays its 20 scenes;
 * - one job, `render --all-variants`: 1 machine, each distinct job once, films joined in the same job;
 * - shards: N machines `render --all-variants --shard K/N`, then a finish machine per variant
 *   (`merge` of every shard's folder, `render --variant V --no-submit`), for N = 1, 2, 4.
 *
 * Submissions come from the mock's log. Each machine is measured alone (see `machines`); wall time is
 * the matrix's: the slowest machine of each stage, stages one after the other. Machine time adds up
 * every machine's processes (what CI bills).
 */
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startMockServer } from '../../src/providers/mock-server/server.js';
import { type CliRun, runCli } from '../lib/cli.js';
import { makeClip, TINY_CLIP } from '../lib/fixtures.js';
import { type PartResult, say, type Table } from '../lib/report.js';

const VARIANTS = ['default', 'uk', 'de', 'fr'];
const SCENES = 20;
const SHARED = 12;
const CONCURRENCY = 4;
/** Short generations need a short first poll (the default waits 5 s, made for minutes-long ones). */
const POLL_SEC = '0.2';

export interface ShardBench {
  generationSec: number;
}

/** 20 scenes: the first 12 the same in every variant, the other 8 name the variant's market. */
export function campaignYaml(): string {
  const lines = [
    'version: 1',
    'title: Bench campaign, 4 markets',
    'vars:',
    '  market: the US',
    'defaults:',
    '  aspect_ratio: "16:9"',
    '  sound: true',
    'scenes:',
  ];
  for (let index = 1; index <= SCENES; index++) {
    const local = index > SHARED ? ', a billboard for {{market}} behind' : '';
    lines.push(`  - id: s${String(index).padStart(2, '0')}`);
    lines.push(`    prompt: Scene ${index} of the ride down the street${local}`);
    lines.push(`    duration: ${TINY_CLIP.durationSec}`);
  }
  lines.push('variants:');
  for (const variant of VARIANTS.slice(1)) lines.push(`  ${variant}: { vars: { market: ${variant} } }`);
  return `${lines.join('\n')}\n`;
}

interface Machine {
  stage: string;
  run: CliRun;
  /** A finish machine: the part of its time `storyreel merge` took. */
  mergeMs?: number;
}

interface Setup {
  label: string;
  machines: Machine[];
  submissions: number;
  /** Each stage's slowest machine, ms. */
  stages: number[];
}

export async function benchShards(workDir: string, options: ShardBench): Promise<PartResult> {
  const dir = path.join(workDir, 'shards');
  const clip = path.join(dir, 'clip.mp4');
  await makeClip(clip, TINY_CLIP);
  const file = path.join(dir, 'campaign.yaml');
  await mkdir(dir, { recursive: true });
  await writeFile(file, campaignYaml());
  const setups: Setup[] = [];
  try {
    setups.push(await measureSetup(dir, clip, options, 'one variant per job (before)', perVariant(file)));
    setups.push(await measureSetup(dir, clip, options, 'one job, --all-variants', oneJob(file)));
    for (const count of [1, 2, 4])
      setups.push(
        await measureSetup(
          dir,
          clip,
          options,
          `${count} shard(s) + finish per variant`,
          sharded(file, count),
        ),
      );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { rows: [], tables: [table(setups, options)] };
}

type Stage = (folder: string, env: Record<string, string>) => Promise<Machine[]>;

async function measureSetup(
  dir: string,
  clip: string,
  options: ShardBench,
  label: string,
  stages: Stage[],
): Promise<Setup> {
  say(`shards: ${label}`);
  const folder = path.join(dir, label.replace(/\W+/g, '-'));
  await mkdir(folder, { recursive: true });
  const server = await startMockServer({
    queueMs: 0,
    generationMs: options.generationSec * 1000,
    // Room for every machine at once: the account's limit is not what is compared.
    slots: CONCURRENCY * VARIANTS.length,
    clipFor: () => clip,
  });
  try {
    const env = { RUNCOMFY_BASE_URL: server.url, RUNCOMFY_API_TOKEN: server.token };
    const machines: Machine[] = [];
    const stageMs: number[] = [];
    for (const stage of stages) {
      const ran = await stage(folder, env);
      for (const machine of ran) {
        if (machine.run.exitCode !== 0)
          throw new Error(
            `${label}, ${machine.stage}: exit ${machine.run.exitCode}: ${machine.run.stderr.slice(-1500)}`,
          );
      }
      machines.push(...ran);
      stageMs.push(Math.max(...ran.map((machine) => machine.run.wallMs)));
    }
    return { label, machines, submissions: server.submissions(), stages: stageMs };
  } finally {
    await server.close();
    await rm(folder, { recursive: true, force: true });
  }
}

const render = (file: string, out: string, ...extra: string[]) => [
  'render',
  file,
  '--out',
  out,
  '--concurrency',
  String(CONCURRENCY),
  '--poll-interval',
  POLL_SEC,
  '--json',
  ...extra,
];

/**
 * The machines of one stage, measured one at a time: in CI each is a machine of its own, and the
 * server has slots for all of them, so they do not wait on each other; run together here they would
 * only measure this box's two cores. The stage lasts as long as its slowest machine.
 */
async function machines(
  stage: string,
  count: number,
  work: (index: number) => Promise<CliRun>,
): Promise<Machine[]> {
  const ran: Machine[] = [];
  for (let index = 0; index < count; index++) ran.push({ stage, run: await work(index) });
  return ran;
}

function perVariant(file: string): Stage[] {
  return [
    (folder, env) =>
      machines('render', VARIANTS.length, (index) =>
        runCli(render(file, path.join(folder, VARIANTS[index]!), '--variant', VARIANTS[index]!), { env }),
      ),
  ];
}

function oneJob(file: string): Stage[] {
  return [
    (folder, env) => machines('render', 1, () => runCli(render(file, folder, '--all-variants'), { env })),
  ];
}

function sharded(file: string, count: number): Stage[] {
  return [
    (folder, env) =>
      machines('shard', count, (index) =>
        runCli(
          render(
            file,
            path.join(folder, `shard-${index + 1}`),
            '--all-variants',
            '--shard',
            `${index + 1}/${count}`,
          ),
          {
            env,
          },
        ),
      ),
    async (folder, env) => {
      const ran: Machine[] = [];
      for (const variant of VARIANTS) ran.push(await finish(file, folder, variant, count, env));
      return ran;
    },
  ];
}

/** A fresh machine: download every shard's folder (a copy), merge, join without submitting. */
async function finish(
  file: string,
  folder: string,
  variant: string,
  count: number,
  env: Record<string, string>,
): Promise<Machine> {
  const machine = path.join(folder, `finish-${variant}`);
  const shards = Array.from({ length: count }, (_, shard) => path.join(machine, 'shards', String(shard + 1)));
  for (const [shard, into] of shards.entries())
    await cp(path.join(folder, `shard-${shard + 1}`, '.storyreel'), path.join(into, '.storyreel'), {
      recursive: true,
    });
  const merged = await runCli(['merge', ...shards, '--out', path.join(machine, 'output')], { env });
  if (merged.exitCode !== 0) return { stage: 'merge', run: merged };
  const joined = await runCli(
    render(file, path.join(machine, 'output'), '--variant', variant, '--no-submit'),
    {
      env,
    },
  );
  await rm(machine, { recursive: true, force: true });
  return {
    stage: 'finish',
    run: { ...joined, wallMs: merged.wallMs + joined.wallMs },
    mergeMs: merged.wallMs,
  };
}

function table(setups: Setup[], options: ShardBench): Table {
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  return {
    title: `Shards: 4 variants x ${SCENES} scenes, ${SHARED} shared (${(SHARED / SCENES) * 100}%): 44 distinct jobs; ${options.generationSec} s generations, concurrency ${CONCURRENCY} per machine, --poll-interval ${POLL_SEC}`,
    header: [
      'setup',
      'machines',
      'submissions',
      'generate (s)',
      'finish (s), of which merge',
      'wall time (s)',
      'machine time (s)',
    ],
    lines: setups.map((setup) => [
      setup.label,
      String(setup.machines.length),
      String(setup.submissions),
      seconds(setup.stages[0]!),
      setup.stages[1] === undefined
        ? '(joined in the same job)'
        : `${seconds(setup.stages[1])}, ${seconds(Math.max(...setup.machines.map((machine) => machine.mergeMs ?? 0)))}`,
      seconds(setup.stages.reduce((sum, ms) => sum + ms, 0)),
      seconds(setup.machines.reduce((sum, machine) => sum + machine.run.wallMs, 0)),
    ]),
  };
}
