/** validate, plan and variants through the real binary, as a user or CI runs them. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeClip } from '../src/media/synth.js';
import { outputLayout } from '../src/run/layout.js';
import { repoRoot, runCli } from './helpers/cli.js';
import { invalidCases } from './invalid/corpus.js';

const ad = 'storyboards/ad.yaml';
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'storyreel-cli-plan-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('internal error');
}

interface JsonPlan {
  storyboard: string;
  file: string;
  title: string;
  variant: string;
  totalDuration: number;
  totalCost: number;
  costToGenerate: number;
  jobs: {
    scene: string;
    index: number;
    clipName: string;
    payload: Record<string, unknown>;
    duration: number;
    key: string;
    cost: number;
    shots: { prompt: string; duration: number }[];
    done: boolean;
  }[];
}

describe('storyreel validate', () => {
  it('accepts the example storyboard and says how many scenes and variants it checked', async () => {
    const run = await runCli(['validate', ad]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('storyboards/ad.yaml: ok (4 scenes, 5 variants)');
    expect(run.exitCode).toBe(0);
  });

  it('refuses every invalid storyboard with exit 2 and FILE:LINE:COL, and still reports the valid ones', async () => {
    const cases = invalidCases();
    const files = cases.map(({ file }) => `test/invalid/${file}`);
    const run = await runCli(['validate', ad, ...files]);
    expect(run.exitCode).toBe(2);
    expect(run.stdout.trim()).toBe('storyboards/ad.yaml: ok (4 scenes, 5 variants)');
    expectNoStackTrace(run.stderr);
    const lines = run.stderr.trim().split('\n');
    const expected = cases.flatMap(({ file, expected }) =>
      expected.map((line) => {
        const [position, ...rest] = line.split(' ');
        const where = position === '0:0' ? `test/invalid/${file}:` : `test/invalid/${file}:${position}`;
        return `${where} ${rest.join(' ')}`;
      }),
    );
    expect(lines).toHaveLength(expected.length);
    expected.forEach((start, index) => {
      expect(lines[index]!.startsWith(start), `${lines[index]}\nshould start with\n${start}`).toBe(true);
    });
  });

  it('refuses a missing file and a file over the size cap cleanly', async () => {
    const big = path.join(scratch, 'big.yaml');
    await writeFile(big, `version: 1\ntitle: "${'x'.repeat(1024 * 1024)}"\n`);
    const run = await runCli(['validate', 'no-such.yaml', big]);
    expect(run.exitCode).toBe(2);
    expectNoStackTrace(run.stderr);
    expect(run.stderr).toContain('no-such.yaml: no such file (check the path)');
    expect(run.stderr).toContain(
      `${big}: the file is 1048597 bytes, more than the 1048576 bytes storyreel reads`,
    );
  });

  it('needs at least one file', async () => {
    const run = await runCli(['validate']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("missing required argument 'files'");
  });
});

describe('storyreel plan', () => {
  it('--json prints exactly one object with every job, its exact payload, key and cost', async () => {
    const run = await runCli(['plan', ad, '--json', '--out', path.join(scratch, 'empty-out')]);
    expect(run.exitCode).toBe(0);
    const plan = JSON.parse(run.stdout) as JsonPlan;
    expect(plan).toMatchObject({ storyboard: 'ad', file: ad, title: 'First ride', variant: 'default' });
    expect(plan.jobs.map((job) => job.scene)).toEqual(['street', 'closeup', 'letgo', 'packshot']);
    expect(plan.jobs.map((job) => job.clipName)).toEqual([
      '01-street.mp4',
      '02-closeup.mp4',
      '03-letgo.mp4',
      '04-packshot.mp4',
    ]);
    const schemaFile = path.join(repoRoot, 'schemas', 'kling-3.0-standard-text-to-video.input.schema.json');
    const validate = new Ajv({ strict: false }).compile(JSON.parse(await readFile(schemaFile, 'utf8')));
    for (const job of plan.jobs) {
      expect(validate(job.payload), JSON.stringify(validate.errors)).toBe(true);
      expect(job.key).toMatch(/^[0-9a-f]{64}$/);
      expect(job.done).toBe(false);
      expect(job.duration).toBe(job.payload.duration);
      expect(job.cost).toBeCloseTo(job.duration * 0.126, 6);
    }
    expect(plan.totalDuration).toBe(25);
    expect(plan.totalCost).toBeCloseTo(3.15, 6);
    expect(plan.costToGenerate).toBe(plan.totalCost);
  });

  it('marks the clips already in the output folder as done and counts only the rest as still to pay', async () => {
    const out = path.join(scratch, 'out');
    const first = JSON.parse((await runCli(['plan', ad, '--json', '--out', out])).stdout) as JsonPlan;
    const stored = outputLayout(out).storedClip(first.jobs[1]!.key);
    await mkdir(path.dirname(stored), { recursive: true });
    // A real clip of the job's duration, sound and shape: plan checks it the way a render would.
    const closeup = first.jobs[1]!.payload as { duration: number; sound: boolean };
    await synthesizeClip(stored, {
      durationSec: closeup.duration,
      aspectRatio: '16:9',
      sound: closeup.sound,
      shots: [{ prompt: 'closeup', duration: closeup.duration }],
      title: 'stored',
      size: { width: 160, height: 90 },
    });
    const again = JSON.parse((await runCli(['plan', ad, '--json', '--out', out])).stdout) as JsonPlan;
    expect(again.jobs.map((job) => job.done)).toEqual([false, true, false, false]);
    expect(again.costToGenerate).toBeCloseTo(first.totalCost - first.jobs[1]!.cost, 6);

    const table = await runCli(['plan', ad, '--out', out]);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/#\s+scene\s+shots\s+seconds\s+aspect\s+sound\s+est\. cost\s+status/);
    expect(table.stdout).toMatch(/2\s+closeup\s+1\s+5\s+16:9\s+yes\s+\$0\.63\s+done/);
    expect(table.stdout).toMatch(/1\s+street\s+2\s+7\s+16:9\s+yes\s+\$0\.88\s+new/);
    expect(table.stdout).toContain(
      'shot 2   4 s  Low tracking shot following the wobbling pink Acme Cruiser',
    );
    expect(table.stdout).toContain(
      '4 scenes, 25 s; estimated $3.15 in total, $2.52 for the 3 clips still to pay for',
    );
  });

  it('after a preview render, --provider preview shows its clips done (RunComfy has none of them)', async () => {
    const out = path.join(scratch, 'preview-out');
    const render = await runCli([
      'render',
      'storyboards/ad.yaml',
      '--variant',
      'teaser',
      '--provider',
      'preview',
      '--out',
      out,
    ]);
    expect(render.exitCode).toBe(0);
    const preview = JSON.parse(
      (await runCli(['plan', ad, '--variant', 'teaser', '--json', '--out', out, '--provider', 'preview']))
        .stdout,
    ) as JsonPlan;
    expect(preview.jobs.map((job) => job.done)).toEqual([true, true]);
    expect(preview.costToGenerate).toBe(0);
    const runcomfy = JSON.parse(
      (await runCli(['plan', ad, '--variant', 'teaser', '--json', '--out', out])).stdout,
    ) as JsonPlan;
    expect(runcomfy.jobs.map((job) => job.done)).toEqual([false, false]);
    const status = await runCli(['status', ad, '--variant', 'teaser', '--out', out, '--provider', 'preview']);
    expect(status.stdout).toContain('2 done');
  });

  it('plans a variant: the teaser keeps two scenes and shares their jobs with the full film', async () => {
    const full = JSON.parse((await runCli(['plan', ad, '--json'])).stdout) as JsonPlan;
    const teaser = JSON.parse(
      (await runCli(['plan', ad, '--json', '--variant', 'teaser'])).stdout,
    ) as JsonPlan;
    expect(teaser.variant).toBe('teaser');
    expect(teaser.jobs.map((job) => [job.clipName, job.key])).toEqual([
      ['01-closeup.mp4', full.jobs[1]!.key],
      ['02-packshot.mp4', full.jobs[3]!.key],
    ]);
  });

  it('refuses an unknown variant with a suggestion and exit 2', async () => {
    const run = await runCli(['plan', ad, '--variant', 'tesaer']);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe("storyboards/ad.yaml: no variant named 'tesaer' (did you mean 'teaser'?)");
  });

  it('estimates with --prices FILE or STORYREEL_PRICES, and refuses a bad price file with its position', async () => {
    const prices = path.join(scratch, 'prices.yaml');
    await writeFile(prices, 'usd_per_second:\n  with_sound: 1\n  silent: 0.5\nsource: test prices\n');
    const byFlag = JSON.parse((await runCli(['plan', ad, '--json', '--prices', prices])).stdout) as JsonPlan;
    expect(byFlag.totalCost).toBe(25);
    const byEnv = await runCli(['plan', ad], { env: { STORYREEL_PRICES: prices } });
    expect(byEnv.stdout).toContain('estimated $25.00 in total');
    expect(byEnv.stdout).toContain('(estimates at test prices: $1/s with sound, $0.5/s silent)');

    const bad = path.join(scratch, 'bad-prices.yaml');
    await writeFile(bad, 'usd_per_second:\n  with_sound: cheap\n  silent: 0.5\n');
    const refused = await runCli(['plan', ad, '--prices', bad]);
    expect(refused.exitCode).toBe(2);
    expectNoStackTrace(refused.stderr);
    expect(refused.stderr.trim()).toBe(
      `${bad}:2:15 usd_per_second.with_sound: must be a number, not the text 'cheap'`,
    );
  });

  it('refuses an invalid storyboard with every problem and exit 2', async () => {
    const run = await runCli(['plan', 'test/invalid/several-problems.yaml']);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(3);
  });
});

describe('storyreel variants', () => {
  it('prints the names one per line, or as a JSON array for a CI matrix', async () => {
    const plain = await runCli(['variants', ad]);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout.split('\n')).toEqual(['default', 'vertical', 'square', 'de', 'teaser']);
    const json = await runCli(['variants', ad, '--json']);
    expect(JSON.parse(json.stdout)).toEqual(['default', 'vertical', 'square', 'de', 'teaser']);
  });

  it('refuses a broken storyboard with exit 2', async () => {
    const run = await runCli(['variants', 'test/invalid/variant-key-typo.yaml', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      "test/invalid/variant-key-typo.yaml:7:5 variants.vertical: unknown key 'default'",
    );
  });
});
