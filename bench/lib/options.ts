/** The bench's command line (see `npm run bench -- --help`). */
import { parseArgs } from 'node:util';

export const PARTS = [
  'startup',
  'plan',
  'join',
  'join-sound',
  'finish',
  'defaults',
  'rerun',
  'schedule',
  'memory',
  'shards',
] as const;
/** Parts that run only when asked for with --only. */
export const EXTRA_PARTS = ['scenario'] as const;
/** Issue 17's side-by-side scenario (defaults vs the naive script): in the full run, and with --only defaults. */
export type Part = (typeof PARTS)[number] | (typeof EXTRA_PARTS)[number];

/** One render scenario of your choosing (`--only scenario`). */
export interface CustomScenario {
  scenes: number;
  generationSec: number;
  concurrency: number;
  slots: number;
  /** --poll-interval, seconds; undefined: storyreel's default. */
  pollSec?: number;
  /** RUNCOMFY_MAX_REQUESTS_PER_SECOND; undefined: the client's default. */
  rps?: number;
  repeat: number;
}

export interface BenchOptions {
  parts: Part[];
  quick: boolean;
  /** Repeats of the quick measurements (start-up, planning, join). */
  runs: number;
  json?: string;
  build: boolean;
  scenario: CustomScenario;
  defaultsScenes: number[];
}

export const USAGE = `usage: npm run bench -- [options]

  --only PARTS     comma-separated, from ${PARTS.join(', ')} (default: all of them), or scenario
  --quick          fewer repeats, no 1000-scene schedule run, no 200-scene Promise.all baseline (~5 min)
  --runs N         repeats of start-up, planning and join measurements (default 5, --quick 3)
  --json FILE      also write every figure as JSON
  --no-build       measure dist/ as it is (default: rebuild it when src/ changed)

  --defaults-scenes LIST  scene counts of the defaults part (default 40,200; --quick 40)

  --only scenario runs one render of your choosing through the real CLI against the mock:
  --scenes N (40) --generation SECONDS (2) --concurrency C (8) --slots S (8)
  --poll SECONDS (storyreel's default) --rps N (the client's default cap) --repeat N (1)
`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      json: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      scenes: { type: 'string', default: '40' },
      generation: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '8' },
      slots: { type: 'string', default: '8' },
      poll: { type: 'string' },
      rps: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      'defaults-scenes': { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const known: readonly string[] = [...PARTS, ...EXTRA_PARTS];
  const parts = values.only ? values.only.split(',').map((part) => part.trim()) : [...PARTS];
  const unknown = parts.filter((part) => !known.includes(part));
  if (unknown.length > 0) throw new Error(`unknown part(s) ${unknown.join(', ')}: use ${known.join(', ')}`);
  return {
    parts: parts as Part[],
    quick: values.quick,
    runs: values.runs ? positive('--runs', values.runs, true) : values.quick ? 3 : 5,
    build: !values['no-build'],
    defaultsScenes: (values['defaults-scenes'] ?? (values.quick ? '40' : '40,200'))
      .split(',')
      .map((text) => positive('--defaults-scenes', text.trim(), true)),
    ...(values.json ? { json: values.json } : {}),
    scenario: {
      scenes: positive('--scenes', values.scenes, true),
      generationSec: positive('--generation', values.generation),
      concurrency: positive('--concurrency', values.concurrency, true),
      slots: positive('--slots', values.slots, true),
      ...(values.poll ? { pollSec: positive('--poll', values.poll) } : {}),
      ...(values.rps ? { rps: positive('--rps', values.rps) } : {}),
      repeat: positive('--repeat', values.repeat, true),
    },
  };
}

function positive(flag: string, text: string, whole = false): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0 && (!whole || Number.isInteger(value)))) {
    throw new Error(`${flag} must be a positive ${whole ? 'whole ' : ''}number, got "${text}"`);
  }
  return value;
}
