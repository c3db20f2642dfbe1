/**
 * The ready GitHub Actions workflow keeps its promises: a matrix from `storyreel variants --json`, a
 * cache of output/ that survives failures, the token from a secret only, artifacts always uploaded,
 * exit codes explained. Its shell scripts run here for real, and its storyreel command lines are
 * checked against the real CLI.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { processContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { repoRoot, runCli } from '../helpers/cli.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  shell?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  outputs?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOW_FILE = path.join(repoRoot, 'examples/github-actions/render.yml');
let text: string;
let workflow: Workflow;
let plan: Job;
let render: Job;

beforeAll(async () => {
  text = await readFile(WORKFLOW_FILE, 'utf8');
  workflow = parse(text) as Workflow;
  plan = workflow.jobs.plan!;
  render = workflow.jobs.render!;
});

const stepUsing = (job: Job, action: string): Step => {
  const step = job.steps.find((candidate) => candidate.uses?.startsWith(`${action}@`));
  if (!step) throw new Error(`no step uses ${action}`);
  return step;
};
const stepIndex = (job: Job, step: Step) => job.steps.indexOf(step);
const renderStep = (): Step => render.steps.find((step) => step.run?.includes('storyreel render'))!;

describe('examples/github-actions/render.yml', () => {
  it('builds the render matrix from `storyreel variants --json`, after validating the storyboard', () => {
    const listing = plan.steps.find((step) => step.id === 'variants')!;
    expect(listing.run).toContain('npx storyreel variants "$STORYBOARD" --json');
    expect(listing.run).toContain('>> "$GITHUB_OUTPUT"');
    expect(plan.outputs?.variants).toBe(`\${{ steps.variants.outputs.variants }}`);
    expect(plan.steps.some((step) => step.run === 'npx storyreel validate "$STORYBOARD"')).toBe(true);
    expect(render.needs).toBe('plan');
    expect(render.strategy?.matrix?.variant).toBe(`\${{ fromJSON(needs.plan.outputs.variants) }}`);
    // One failed variant must not cancel the renders (and payments) of the others.
    expect(render.strategy?.['fail-fast']).toBe(false);
  });

  it('installs with npm ci on Node 20 with the npm cache, in every job', () => {
    for (const job of [plan, render]) {
      expect(stepUsing(job, 'actions/setup-node').with).toEqual({ 'node-version': 20, cache: 'npm' });
      expect(job.steps.some((step) => step.run === 'npm ci')).toBe(true);
      expect(stepIndex(job, stepUsing(job, 'actions/checkout'))).toBe(0);
    }
  });

  it('restores output/ before the render and saves it after, even when the render failed', () => {
    const restore = stepUsing(render, 'actions/cache/restore');
    const save = stepUsing(render, 'actions/cache/save');
    expect(stepIndex(render, restore)).toBeLessThan(stepIndex(render, renderStep()));
    expect(stepIndex(render, save)).toBeGreaterThan(stepIndex(render, renderStep()));
    expect(restore.with?.path).toBe('output/');
    expect(save.with?.path).toBe('output/');
    expect(save.if).toBe('always()');
    // A new key per run (cache entries are immutable), keyed on the storyboard's content...
    const key = String(save.with?.key);
    expect(restore.with?.key).toBe(key);
    expect(key).toContain(`\${{ hashFiles(env.STORYBOARD) }}`);
    expect(key).toContain(`\${{ github.run_id }}`);
    // ...restoring the newest earlier entry: same storyboard, then same variant, then any variant.
    const fallbacks = String(restore.with?.['restore-keys']).trim().split('\n');
    expect(fallbacks).toHaveLength(3);
    for (const fallback of fallbacks) expect(key.startsWith(fallback)).toBe(true);
    expect(fallbacks.at(-1)).toBe('storyreel-');
  });

  it('reads the token from a secret, in the render step only, and never pastes expressions into scripts', () => {
    expect(renderStep().env).toEqual({ RUNCOMFY_API_TOKEN: `\${{ secrets.RUNCOMFY_API_TOKEN }}` });
    expect(text.match(/secrets\./g)).toHaveLength(1);
    for (const job of [plan, render])
      for (const step of job.steps) expect(step.run ?? '').not.toContain(`\${{`);
    expect(render.env).toEqual({
      VARIANT: `\${{ matrix.variant }}`,
      MAX_COST: `\${{ vars.MAX_COST || 20 }}`,
    });
  });

  it('renders one variant per job with --json events saved by tee and the --max-cost budget guard', () => {
    expect(renderStep().run).toContain(
      'npx storyreel render "$STORYBOARD" --variant "$VARIANT" --json --max-cost "$MAX_COST" | tee storyreel-events.ndjson',
    );
  });

  it('uploads the film, report.json, report.html, contact sheet, thumbnails and events, also after a failure', () => {
    const upload = stepUsing(render, 'actions/upload-artifact');
    expect(upload.if).toBe('always()');
    expect(stepIndex(render, upload)).toBeGreaterThan(stepIndex(render, renderStep()));
    const paths = String(upload.with?.path).trim().split('\n');
    const variantDir = `output/\${{ env.STORYBOARD_NAME }}/\${{ matrix.variant }}`;
    expect(paths).toEqual([
      `${variantDir}/film.mp4`,
      `${variantDir}/report.json`,
      `${variantDir}/report.html`,
      `${variantDir}/contact-sheet.jpg`,
      `${variantDir}/thumbs/`,
      'storyreel-events.ndjson',
    ]);
    expect(String(upload.with?.name)).toContain(`\${{ matrix.variant }}`);
    // The output folder's name is the storyboard's file name without extension.
    expect(path.basename(workflow.env.STORYBOARD!, '.yaml')).toBe(workflow.env.STORYBOARD_NAME);
  });
});

describe('the render step script, run in bash with a stand-in for npx', () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-workflow-'));
    await mkdir(path.join(workDir, 'bin'));
    // Prints one event and exits with the code the test asks for, like `storyreel render --json`.
    await writeFile(
      path.join(workDir, 'bin', 'npx'),
      '#!/usr/bin/env bash\necho "{\\"type\\":\\"fake\\",\\"args\\":\\"$*\\"}"\nexit "$FAKE_EXIT"\n',
    );
    await chmod(path.join(workDir, 'bin', 'npx'), 0o755);
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  async function runRenderScript(exitCode: number) {
    const script = path.join(workDir, 'render.sh');
    await writeFile(script, renderStep().run!);
    const outputs = path.join(workDir, `outputs-${exitCode}`);
    await writeFile(outputs, '');
    // GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
    const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: workDir,
      reject: false,
      env: {
        PATH: `${path.join(workDir, 'bin')}:${process.env.PATH}`,
        FAKE_EXIT: String(exitCode),
        GITHUB_OUTPUT: outputs,
        STORYBOARD: 'storyboards/ad.yaml',
        VARIANT: 'vertical',
        MAX_COST: '20',
      },
    });
    const events = await readFile(path.join(workDir, 'storyreel-events.ndjson'), 'utf8');
    return { ...result, outputs: await readFile(outputs, 'utf8'), events };
  }

  it('exit 0: the job passes, and the events are both logged and saved', async () => {
    const run = await runRenderScript(0);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toBe('exit-code=0\n');
    expect(run.events).toContain(
      '"args":"storyreel render storyboards/ad.yaml --variant vertical --json --max-cost 20"',
    );
    expect(run.stdout).toContain('"type":"fake"');
    expect(run.stdout).toContain('The film of vertical is ready.');
  });

  it('exit 1: the job fails and says scenes failed and that a re-run resumes', async () => {
    const run = await runRenderScript(1);
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toBe('exit-code=1\n');
    expect(run.stdout).toContain('::error title=Scenes failed::Some scenes of vertical failed or timed out.');
    expect(run.stdout).toContain('Re-run this job to resume.');
  });

  it('exit 3: the job fails and says the budget guard refused, with the limit and how to raise it', async () => {
    const run = await runRenderScript(3);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toContain('::error title=Over budget::');
    expect(run.stdout).toContain(
      'MAX_COST (20 USD); nothing was submitted. Raise the MAX_COST repository variable',
    );
  });
});

/** The storyreel command lines in the workflow's scripts, as argv, with the workflow's variables filled in. */
function storyreelCommands(variables: Record<string, string>): string[][] {
  const scripts = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''));
  const commands = scripts.flatMap((script) =>
    [...script.matchAll(/npx storyreel ([^|)>\n]*)/g)].map((match) => match[1]!.trim()),
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
  const variables = () => ({ ...workflow.env, VARIANT: 'vertical', MAX_COST: '20' });

  it('use only commands and options the CLI defines', () => {
    const program = buildProgram(processContext());
    const commands = storyreelCommands(variables());
    expect(commands.map((argv) => argv[0])).toEqual(['validate', 'variants', 'render']);
    for (const [name, ...args] of commands) {
      const command = program.commands.find((candidate) => candidate.name() === name);
      expect(command, `storyreel ${name}`).toBeDefined();
      const known = new Set(command!.options.map((option) => option.long));
      for (const flag of args.filter((arg) => arg.startsWith('--')))
        expect(known, `${name} ${flag}`).toContain(flag);
    }
  });

  it('run for real: variants prints the JSON matrix, validate passes, render refuses over budget with exit 3', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'storyreel-workflow-cli-'));
    try {
      await mkdir(path.join(cwd, 'storyboards'));
      await copyFile(path.join(repoRoot, workflow.env.STORYBOARD!), path.join(cwd, workflow.env.STORYBOARD!));
      // MAX_COST 0: the budget guard must refuse before any request (there is no server to answer one).
      const [validate, variants, render] = storyreelCommands({ ...variables(), MAX_COST: '0' });
      const env = { RUNCOMFY_API_TOKEN: 'test-token-not-sent-anywhere' };

      const listed = await runCli(variants!, { cwd, env });
      expect(listed.exitCode).toBe(0);
      const names = JSON.parse(listed.stdout) as unknown;
      expect(names).toEqual(expect.arrayContaining(['default', 'vertical']));
      expect(`variants=${listed.stdout.trim()}`).not.toContain('\n');

      expect((await runCli(validate!, { cwd, env })).exitCode).toBe(0);

      const refused = await runCli(render!, { cwd, env });
      expect(refused.exitCode).toBe(3);
      expect(refused.stderr).toContain('above --max-cost $0.00; nothing was submitted');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
