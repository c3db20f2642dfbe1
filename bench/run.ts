/**
 * `npm run bench [-- --only join,plan] [--quick] [--runs N] [--json FILE]`: measures storyreel's own
 * overhead against a local mock of RunComfy and prints a Markdown table (see docs/benchmarks.md).
 * Progress goes to stderr; the table alone to stdout.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildDist } from './lib/cli.js';
import { markdown, markdownRows, type PartResult, type Row, say, type Table } from './lib/report.js';
import { benchJoin } from './parts/join.js';
import { benchMemory } from './parts/memory.js';
import { benchPlanning } from './parts/plan.js';
import { benchSchedule } from './parts/schedule.js';
import { benchStartup } from './parts/startup.js';

const PARTS = ['startup', 'plan', 'join', 'schedule', 'memory'] as const;
type Part = (typeof PARTS)[number];

interface BenchOptions {
  parts: Part[];
  quick: boolean;
  runs: number;
  json?: string;
  build: boolean;
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      json: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      `usage: npm run bench -- [--only ${PARTS.join(',')}] [--quick] [--runs N] [--json FILE] [--no-build]\n`,
    );
    process.exit(0);
  }
  const parts = values.only ? values.only.split(',').map((part) => part.trim()) : [...PARTS];
  const unknown = parts.filter((part) => !(PARTS as readonly string[]).includes(part));
  if (unknown.length > 0) throw new Error(`unknown part(s) ${unknown.join(', ')}: use ${PARTS.join(', ')}`);
  const runs = values.runs ? Number(values.runs) : values.quick ? 3 : 5;
  if (!(Number.isInteger(runs) && runs > 0)) throw new Error(`--runs must be a positive integer`);
  return {
    parts: parts as Part[],
    quick: values.quick,
    runs,
    build: !values['no-build'],
    ...(values.json ? { json: values.json } : {}),
  };
}

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

function runPart(part: Part, workDir: string, options: BenchOptions): Promise<PartResult> {
  switch (part) {
    case 'startup':
      return benchStartup(options.quick ? 5 : 9);
    case 'plan':
      return benchPlanning(workDir, options.runs);
    case 'join':
      return benchJoin(workDir, options.runs);
    case 'schedule':
      return benchSchedule(workDir, { quick: options.quick, runs: options.quick ? 1 : 2 });
    case 'memory':
      return benchMemory(workDir);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? error}\n`);
  process.exitCode = 1;
});
