/**
 * A small GitHub Actions runner for tests: it runs a workflow's jobs on this machine the way Actions
 * does, each job (and each matrix combination) in a fresh folder standing in for a fresh machine.
 * `run:` scripts are executed for real with bash, with `${{ }}` expressions evaluated and env set as
 * Actions sets them (workflow, job, then step env; GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). The few
 * actions the example workflow uses are simulated by copying folders: checkout, the cache (immutable
 * keys, restore-keys by newest prefix match), artifacts (upload-artifact@v4 leaves hidden files out
 * unless include-hidden-files is true). Anything else is refused, so the test cannot silently skip it.
 */
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  shell?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  outputs?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  steps: Step[];
}
export interface Workflow {
  env: Record<string, string>;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

export interface StepRun {
  name: string;
  outcome: 'success' | 'failure' | 'skipped';
  exitCode?: number;
  log: string;
}
export interface JobRun {
  job: string;
  matrix: Record<string, unknown>;
  machine: string;
  result: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  steps: StepRun[];
  summary: string;
  /** Wall time of the job on its machine. */
  seconds: number;
}

export interface RunnerOptions {
  workflow: Workflow;
  /** What actions/checkout puts in the workspace. */
  repo: string;
  /** Where machines, artifacts and caches live (one per runner: caches outlive runs). */
  root: string;
  /** The machine's environment, before the workflow's (PATH, and anything standing in for the world). */
  env: Record<string, string>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  event?: string;
  /**
   * Stop a job (by name) once its condition holds, the way Actions stops a job that ran out of
   * time (timeout-minutes) or was cancelled: SIGINT to the running step's processes, SIGKILL 7.5 s
   * later; then only the steps that run `always()` run. Checked every 50 ms while a script runs.
   */
  stopWhen?: Record<string, () => boolean>;
}

type Context = Record<string, unknown>;

export class ActionsRunner {
  private runs = 0;
  private machines = 0;
  private readonly caches = new Map<string, { dir: string; order: number }>();
  private artifacts = new Map<string, string>();
  private jobResults: Record<string, { result: JobRun['result']; outputs: Record<string, string> }> = {};

  constructor(private readonly options: RunnerOptions) {}

  /** The folder holding what an artifact of the last run contains. */
  artifact(name: string): string | undefined {
    return this.artifacts.get(name);
  }

  allArtifacts(): string[] {
    return [...this.artifacts.values()];
  }

  /** One workflow run: every job in order of its needs, matrix combinations in parallel. */
  async run(): Promise<JobRun[]> {
    this.runs += 1;
    this.artifacts = new Map();
    this.jobResults = {};
    const runs: JobRun[] = [];
    for (const name of this.jobOrder()) {
      const jobRuns = await this.runJob(name);
      runs.push(...jobRuns);
      const result = jobRuns.every((run) => run.result === 'skipped')
        ? 'skipped'
        : jobRuns.some((run) => run.result === 'failure')
          ? 'failure'
          : 'success';
      this.jobResults[name] = { result, outputs: Object.assign({}, ...jobRuns.map((run) => run.outputs)) };
    }
    return runs;
  }

  private jobOrder(): string[] {
    const order: string[] = [];
    const visit = (name: string) => {
      if (order.includes(name)) return;
      for (const need of needsOf(this.options.workflow.jobs[name]!)) visit(need);
      order.push(name);
    };
    for (const name of Object.keys(this.options.workflow.jobs)) visit(name);
    return order;
  }

  private async runJob(name: string): Promise<JobRun[]> {
    const job = this.options.workflow.jobs[name]!;
    const needs = Object.fromEntries(needsOf(job).map((need) => [need, this.jobResults[need]!]));
    const base: Context = {
      github: {
        event_name: this.options.event ?? 'push',
        ref: 'refs/heads/main',
        run_id: String(1000 + this.runs),
        run_attempt: '1',
      },
      vars: this.options.vars ?? {},
      secrets: this.options.secrets ?? {},
      needs,
      env: { ...this.options.workflow.env },
    };
    const needsPassed = Object.values(needs).every((need) => need.result === 'success');
    const runIt = truthy(evaluate(condition(job.if), base, { failed: !needsPassed }));
    const skipped = (): JobRun[] => [
      {
        job: name,
        matrix: {},
        machine: '',
        result: 'skipped',
        outputs: {},
        steps: [],
        summary: '',
        seconds: 0,
      },
    ];
    if (!runIt) return skipped();
    const combinations = expandMatrix(job.strategy?.matrix, base);
    if (combinations.length === 0) return skipped();
    return Promise.all(
      combinations.map((matrix, jobIndex) =>
        this.runMachine(name, job, {
          ...base,
          matrix,
          strategy: { 'job-index': jobIndex, 'job-total': combinations.length },
        }),
      ),
    );
  }

  private async runMachine(name: string, job: Job, context: Context): Promise<JobRun> {
    this.machines += 1;
    const startedAt = Date.now();
    const machine = path.join(this.options.root, 'machines', `${this.machines}-${name}`);
    const workspace = path.join(machine, 'workspace');
    await mkdir(workspace, { recursive: true });
    const files = {
      GITHUB_OUTPUT: path.join(machine, 'output'),
      GITHUB_STEP_SUMMARY: path.join(machine, 'summary'),
      GITHUB_ENV: path.join(machine, 'env'),
    };
    await writeFile(files.GITHUB_STEP_SUMMARY, '');
    const env = { ...(context.env as Record<string, string>), ...interpolateAll(job.env, context) };
    const steps: Record<string, { outputs: Record<string, string>; outcome: string }> = {};
    const stepRuns: StepRun[] = [];
    let failed = false;
    const stop = this.options.stopWhen?.[name];
    let stopped = false;
    for (const [position, step] of job.steps.entries()) {
      const stepName = step.name ?? step.uses ?? step.run ?? `step ${position + 1}`;
      const stepContext = { ...context, env, steps };
      if (!truthy(evaluate(condition(step.if), stepContext, { failed }))) {
        stepRuns.push({ name: stepName, outcome: 'skipped', log: '' });
        continue;
      }
      const stepEnv = { ...env, ...interpolateAll(step.env, stepContext) };
      await writeFile(files.GITHUB_OUTPUT, '');
      const outcome = step.run
        ? await this.runScript(
            step,
            stepEnv,
            workspace,
            files,
            // Once stopped, the always() steps that follow run to their end.
            stopped ? undefined : stop,
            () => {
              stopped = true;
            },
          )
        : await this.runAction(step, interpolateAll(step.with, { ...stepContext, env: stepEnv }), workspace);
      if (outcome.exitCode !== 0 || stopped) failed = true;
      const outputs = parseOutputs(await readFile(files.GITHUB_OUTPUT, 'utf8'));
      if (step.id) steps[step.id] = { outputs, outcome: outcome.exitCode === 0 ? 'success' : 'failure' };
      stepRuns.push({
        name: stepName,
        outcome: outcome.exitCode === 0 ? 'success' : 'failure',
        exitCode: outcome.exitCode,
        log: outcome.log,
      });
    }
    return {
      job: name,
      matrix: context.matrix as Record<string, unknown>,
      machine: workspace,
      result: failed ? 'failure' : 'success',
      outputs: interpolateAll(job.outputs, { ...context, env, steps }),
      steps: stepRuns,
      summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
      seconds: (Date.now() - startedAt) / 1000,
    };
  }

  private async runScript(
    step: Step,
    env: Record<string, string>,
    workspace: string,
    files: Record<string, string>,
    stop?: () => boolean,
    onStop?: () => void,
  ): Promise<{ exitCode: number; log: string }> {
    const shell = step.shell ?? this.options.workflow.defaults?.run?.shell;
    // What GitHub runs for `shell: bash`, and for no shell at all on Linux.
    const flags =
      shell === 'bash'
        ? ['--noprofile', '--norc', '-eo', 'pipefail']
        : shell === undefined
          ? ['-e']
          : undefined;
    if (!flags) throw new Error(`the test runner knows no shell "${shell}"`);
    const script = path.join(path.dirname(workspace), `step-${Date.now()}-${Math.random()}.sh`);
    await writeFile(script, step.run!);
    const child = execa('bash', [...flags, script], {
      cwd: workspace,
      env: { ...this.options.env, ...env, ...files, CI: 'true', GITHUB_ACTIONS: 'true' },
      extendEnv: false,
      reject: false,
      all: true,
      timeout: 170_000,
      // Its own process group, so that a stop reaches every process of the step, as on a runner.
      detached: true,
    });
    const signal = (name: NodeJS.Signals) => {
      if (child.pid === undefined || child.exitCode !== null) return;
      try {
        process.kill(-child.pid, name);
      } catch {
        // The step ended in between.
      }
    };
    let kill: NodeJS.Timeout | undefined;
    const watch = stop
      ? setInterval(() => {
          if (!stop()) return;
          clearInterval(watch);
          onStop?.();
          signal('SIGINT');
          kill = setTimeout(() => signal('SIGKILL'), 7_500);
        }, 50)
      : undefined;
    const result = await child;
    clearInterval(watch);
    clearTimeout(kill);
    return { exitCode: result.exitCode ?? -1, log: String(result.all ?? '') };
  }

  private async runAction(
    step: Step,
    input: Record<string, string>,
    workspace: string,
  ): Promise<{ exitCode: number; log: string }> {
    const inWorkspace = (relative: string) => path.join(workspace, relative);
    switch (step.uses) {
      case 'actions/checkout@v4':
        await cp(this.options.repo, workspace, { recursive: true });
        return { exitCode: 0, log: 'checked out' };
      case 'actions/setup-node@v4':
        return { exitCode: 0, log: 'node is set up' };
      case 'actions/cache/restore@v4': {
        const keys = [input.key!, ...lines(input['restore-keys'] ?? '')];
        const hit = this.findCache(keys);
        if (!hit) return { exitCode: 0, log: `cache not found for ${keys.join(', ')}` };
        await cp(hit.dir, inWorkspace(input.path!), { recursive: true });
        return { exitCode: 0, log: `cache restored from ${hit.key}` };
      }
      case 'actions/cache/save@v4': {
        const key = input.key!;
        if (this.caches.has(key)) return { exitCode: 0, log: `cache ${key} exists: not saved` };
        if (!(await exists(inWorkspace(input.path!))))
          return { exitCode: 0, log: `nothing at ${input.path}` };
        // Reserved before the copy, as GitHub reserves a key: parallel jobs saving it keep the first.
        const order = this.caches.size + 1;
        const dir = path.join(this.options.root, 'caches', String(order));
        this.caches.set(key, { dir, order });
        await cp(inWorkspace(input.path!), dir, { recursive: true });
        return { exitCode: 0, log: `cache saved as ${key}` };
      }
      case 'actions/upload-artifact@v4':
        return this.upload(input, workspace);
      case 'actions/download-artifact@v4':
        return this.download(input, workspace);
      default:
        throw new Error(`the test runner does not simulate ${step.uses}`);
    }
  }

  private findCache(keys: string[]): { key: string; dir: string } | undefined {
    const exact = this.caches.get(keys[0]!);
    if (exact) return { key: keys[0]!, dir: exact.dir };
    for (const prefix of keys.slice(1)) {
      const newest = [...this.caches.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .sort((a, b) => b[1].order - a[1].order)[0];
      if (newest) return { key: newest[0], dir: newest[1].dir };
    }
    return undefined;
  }

  private async upload(input: Record<string, string>, workspace: string) {
    const name = input.name!;
    if (this.artifacts.has(name) && input.overwrite !== 'true')
      return { exitCode: 1, log: `an artifact named ${name} exists already` };
    const paths = lines(input.path!).map((line) => path.join(workspace, line));
    if (paths.some((entry) => entry.includes('*')))
      throw new Error('the test runner does not glob artifact paths');
    const root = paths.length === 1 ? await rootOfOne(paths[0]!) : commonAncestor(paths);
    const hidden = input['include-hidden-files'] !== 'true';
    const files = (await Promise.all(paths.map((entry) => filesUnder(entry, hidden)))).flat();
    if (files.length === 0)
      return { exitCode: input['if-no-files-found'] === 'error' ? 1 : 0, log: 'no files' };
    const dir = path.join(this.options.root, 'artifacts', String(this.runs), name);
    await rm(dir, { recursive: true, force: true });
    for (const file of files) await cp(file, path.join(dir, path.relative(root, file)));
    this.artifacts.set(name, dir);
    return { exitCode: 0, log: `uploaded ${files.length} files as ${name}` };
  }

  private async download(input: Record<string, string>, workspace: string) {
    const target = path.join(workspace, input.path ?? '.');
    if (input.name) {
      const dir = this.artifacts.get(input.name);
      if (!dir) return { exitCode: 1, log: `no artifact ${input.name}` };
      await cp(dir, target, { recursive: true });
      return { exitCode: 0, log: `downloaded ${input.name}` };
    }
    const pattern = new RegExp(`^${input.pattern!.split('*').map(escapeRegExp).join('.*')}$`);
    const names = [...this.artifacts.keys()].filter((name) => pattern.test(name));
    for (const name of names) {
      const into = input['merge-multiple'] === 'true' ? target : path.join(target, name);
      await cp(this.artifacts.get(name)!, into, { recursive: true });
    }
    return { exitCode: 0, log: `downloaded ${names.join(', ')}` };
  }
}

function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

function expandMatrix(matrix: Record<string, unknown> | undefined, context: Context): Context[] {
  if (!matrix) return [{}];
  let combinations: Context[] = [{}];
  for (const [key, value] of Object.entries(matrix)) {
    if (key === 'include' || key === 'exclude')
      throw new Error(`the test runner does not expand matrix ${key}`);
    const values = typeof value === 'string' ? interpolate(value, context, true) : value;
    if (!Array.isArray(values)) throw new Error(`matrix.${key} is not a list: ${JSON.stringify(values)}`);
    combinations = combinations.flatMap((combination) =>
      values.map((item) => ({ ...combination, [key]: item })),
    );
  }
  return combinations;
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const all = text.split('\n');
  for (let at = 0; at < all.length; at += 1) {
    const line = all[at]!;
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = all.indexOf(heredoc[2]!, at + 1);
      outputs[heredoc[1]!] = all.slice(at + 1, end).join('\n');
      at = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function rootOfOne(entry: string): Promise<string> {
  const info = await stat(entry).catch(() => undefined);
  return info?.isDirectory() ? entry : path.dirname(entry);
}

function commonAncestor(paths: string[]): string {
  const parts = paths.map((entry) => entry.split(path.sep));
  const common: string[] = [];
  for (let at = 0; parts.every((part) => part[at] !== undefined && part[at] === parts[0]![at]); at += 1)
    common.push(parts[0]![at]!);
  return common.join(path.sep) || path.sep;
}

/** The files under a path; with `skipHidden`, none whose name (or a folder's below the path) starts with a dot. */
async function filesUnder(entry: string, skipHidden: boolean): Promise<string[]> {
  const info = await stat(entry).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [entry];
  const names = await readdir(entry);
  const nested = await Promise.all(
    names
      .filter((name) => !(skipHidden && name.startsWith('.')))
      .map((name) => filesUnder(path.join(entry, name), skipHidden)),
  );
  return nested.flat();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function interpolateAll(
  values: Record<string, string | number | boolean> | undefined,
  context: Context,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values ?? {}).map(([key, value]) => [
      key,
      String(interpolate(String(value), context, false)),
    ]),
  );
}

/** `${{ expr }}` in a string: the value itself when the string is one expression and `whole`, else text. */
function interpolate(text: string, context: Context, whole: boolean): unknown {
  const single = /^\$\{\{(.*)\}\}$/s.exec(text.trim());
  if (whole && single && !single[1]!.includes('}}')) return evaluate(single[1]!, context);
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expression: string) => asText(evaluate(expression, context)));
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** An `if:` as GitHub reads it: braces optional, and `success() &&` implied without a status function. */
function condition(text: string | undefined): string {
  if (text === undefined) return 'success()';
  const wrapped = /^\$\{\{(.*)\}\}$/s.exec(text.trim());
  const expression = wrapped ? wrapped[1]! : text;
  return /\b(always|success|failure|cancelled)\(/.test(expression)
    ? expression
    : `success() && (${expression})`;
}

function truthy(value: unknown): boolean {
  return !(value === false || value === null || value === undefined || value === 0 || value === '');
}

/**
 * The part of GitHub's expression language the workflow uses: context paths, string and number
 * literals, ! && || == !=, indexing, and the functions always, success, failure, cancelled, fromJSON.
 */
export function evaluate(expression: string, context: Context, status: { failed?: boolean } = {}): unknown {
  const tokens = [
    ...expression.matchAll(/\s*('(?:[^']|'')*'|\d+(?:\.\d+)?|&&|\|\||==|!=|[!()[\],.]|[A-Za-z_][\w-]*)/gy),
  ].map((match) => match[1]!);
  if (tokens.join('').replace(/\s/g, '') !== expression.replace(/\s/g, ''))
    throw new Error(`the test runner cannot read the expression ${expression}`);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at++];
    if (expected !== undefined && token !== expected)
      throw new Error(`expected ${expected} in ${expression}`);
    return token!;
  };
  const or = (): unknown => {
    let value = and();
    while (peek() === '||') {
      take();
      const right = and();
      value = truthy(value) ? value : right;
    }
    return value;
  };
  const and = (): unknown => {
    let value = equality();
    while (peek() === '&&') {
      take();
      const right = equality();
      value = truthy(value) ? right : value;
    }
    return value;
  };
  const equality = (): unknown => {
    const left = unary();
    if (peek() !== '==' && peek() !== '!=') return left;
    const equal = take() === '==';
    const same = asText(left).toLowerCase() === asText(unary()).toLowerCase();
    return equal ? same : !same;
  };
  const unary = (): unknown => {
    if (peek() === '!') {
      take();
      return !truthy(unary());
    }
    return postfix();
  };
  const postfix = (): unknown => {
    let value = primary();
    for (;;) {
      if (peek() === '.') {
        take();
        value = (value as Record<string, unknown> | undefined)?.[take()];
      } else if (peek() === '[') {
        take();
        const key = or();
        take(']');
        value = (value as Record<string, unknown> | undefined)?.[String(key)];
      } else return value;
    }
  };
  const primary = (): unknown => {
    const token = take();
    if (token === '(') {
      const value = or();
      take(')');
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'");
    if (/^\d/.test(token)) return Number(token);
    if (token === 'true' || token === 'false') return token === 'true';
    if (token === 'null') return null;
    if (peek() === '(') {
      take('(');
      const args: unknown[] = [];
      while (peek() !== ')') {
        args.push(or());
        if (peek() === ',') take(',');
      }
      take(')');
      return call(token, args);
    }
    return context[token];
  };
  const call = (name: string, args: unknown[]): unknown => {
    switch (name) {
      case 'always':
        return true;
      case 'cancelled':
        return false;
      case 'success':
        return !status.failed;
      case 'failure':
        return Boolean(status.failed);
      case 'fromJSON':
        return JSON.parse(String(args[0]));
      default:
        throw new Error(`the test runner does not know the function ${name}()`);
    }
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`the test runner cannot read the expression ${expression}`);
  return value;
}
