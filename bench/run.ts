/**
 * `npm run bench [-- --only join,plan] [--quick] [--runs N] [--json FILE]`: measures storyreel's own
 * overhead against a local mock of RunComfy and prints Markdown tables (see docs/benchmarks.md and
 * `npm run bench -- --help`). Progress goes to stderr; the tables alone to stdout.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildDist } from './lib/cli.js';
import { type BenchOptions, type Part, parseOptions } from './lib/options.js';
import { markdown, markdownRows, type PartResult, type Row, say, type Table } from './lib/report.js';
import { benchCustomScenario } from './parts/custom.js';
import { benchDefaults } from './parts/defaults.js';
import { benchFinish } from './parts/finish.js';
import { benchJoin } from './parts/join.js';
import { benchJoinSound } from './parts/join-sound.js';
import { benchMemory } from './parts/memory.js';
import { benchPlanning } from './parts/plan.js';
import { benchRerun } from './parts/rerun.js';
import type { ScenarioResult } from './parts/scenario.js';
import { benchSchedule } from './parts/schedule.js';
import { benchShards } from './parts/shards.js';
import { benchStartup } from './parts/startup.js';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-bench-'));
  const startedAt = new Date();
  const rows: Row[] = [];
  const tables: Table[] = [];
  try {
    if (options.build) {
      say('building dist/ (the CLI measured is the code in this tree)');
      await buildDist();
    }
    for (const part of options.parts) {
      say(`${part}...`);
      const started = Date.now();
      const result = await runPart(part, workDir, options);
      rows.push(...result.rows);
      tables.push(...(result.tables ?? []));
      say(`${part} took ${Math.round((Date.now() - started) / 1000)} s`);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const header = `storyreel bench, ${startedAt.toISOString()}, ${machine}, load average at start ${os.loadavg()[0]?.toFixed(2)}${options.quick ? ', --quick' : ''}`;
  const body = [markdownRows(rows), ...tables.map(markdown)].join('\n\n');
  process.stdout.write(`${header}\n\n${body}\n`);
  if (options.json) {
    await writeFile(
      options.json,
      `${JSON.stringify({ startedAt, machine, options, rows, tables }, null, 2)}\n`,
    );
  }
}

/** What one part measures that another reports (the 1000-scene render's peak RSS). */
const shared: { thousand?: ScenarioResult } = {};

function runPart(part: Part, workDir: string, options: BenchOptions): Promise<PartResult> {
  switch (part) {
    case 'startup':
      return benchStartup(options.quick ? 5 : 9);
    case 'plan':
      return benchPlanning(workDir, options.runs);
    case 'join':
      return benchJoin(workDir, options.runs);
    case 'join-sound':
      return benchJoinSound(workDir);
    case 'finish':
      return benchFinish(workDir);
    case 'rerun':
      return benchRerun(workDir, options.runs);
    case 'defaults':
      return benchDefaults(workDir, { scenes: options.defaultsScenes });
    case 'schedule':
      return benchSchedule(workDir, {
        quick: options.quick,
        runs: options.quick ? 1 : 2,
        onThousand: (result) => {
          shared.thousand = result;
        },
      });
    case 'memory':
      return benchMemory(workDir, shared.thousand);
    case 'shards':
      return benchShards(workDir, { generationSec: 3 });
    case 'scenario':
      return benchCustomScenario(workDir, options.scenario);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? error}\n`);
  process.exitCode = 1;
});
