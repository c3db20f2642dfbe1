/**
 * examples/github-actions/render.yml, run: its own `run:` scripts executed with bash the way Actions
 * does (test/helpers/actions-runner.ts), each job in a fresh folder standing in for a fresh machine,
 * against the mock server. Caches and artifacts are folders copied between machines. A campaign of
 * three variants pays each distinct job once across the shard machines, and each variant's film has
 * exactly the packets of a one-machine render; an unchanged campaign's next run pays nothing; shards
 * stopped mid-run leave their request ids to the finish jobs, which poll them.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import { ActionsRunner, type JobRun, type Workflow } from '../helpers/actions-runner.js';
import { binPath, repoRoot, runCli } from '../helpers/cli.js';
import { filmFingerprint } from '../reliability/support/checks.js';
import { mockEnv, mockServer, renderArgs, scenes, writeStoryboard } from '../render/support.js';

const servers: MockServer[] = [];
let root: string | undefined;
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

const VARIANTS = ['default', 'vertical', 'teaser'];

/** A repository with the workflow's storyboard (three variants sharing scenes), and the world around it. */
async function setUp(
  server: MockServer,
  vars: Record<string, string> = {},
  stopWhen?: Record<string, () => boolean>,
) {
  root = await mkdtemp(path.join(os.tmpdir(), 'storyreel-workflow-run-'));
  const repo = path.join(root, 'repo');
  await mkdir(path.join(repo, 'storyboards'), { recursive: true });
  // Prompts whose six distinct jobs fall 2/2/2 into the workflow's three shards.
  const storyboard = await writeStoryboard(path.join(repo, 'storyboards'), scenes(3, 'frame'), {
    name: 'ad',
    variants: '  vertical: { defaults: { aspect_ratio: "9:16" } }\n  teaser: { only: [frame1, frame3] }',
  });
  // `npm ci` installs storyreel on a real runner; here, npx runs this tree's CLI.
  const bin = path.join(root, 'bin');
  await mkdir(bin);
  await writeFile(
    path.join(bin, 'npx'),
    `#!/usr/bin/env bash\nif [ "$1" = storyreel ]; then shift; exec node ${JSON.stringify(binPath)} "$@"; fi\necho "npx $1: not on this machine" >&2\nexit 127\n`,
  );
  await writeFile(path.join(bin, 'npm'), '#!/usr/bin/env bash\n[ "$1" = ci ] && exit 0\nexit 127\n');
  await Promise.all(['npx', 'npm'].map((name) => chmod(path.join(bin, name), 0o755)));
  const workflow = parse(
    await readFile(path.join(repoRoot, 'examples/github-actions/render.yml'), 'utf8'),
  ) as Workflow;
  const runner = new ActionsRunner({
    workflow,
    repo,
    root,
    // The machine reaches the mock server instead of RunComfy; the token comes from the secret only.
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: process.env.HOME ?? root,
      RUNCOMFY_BASE_URL: server.url,
    },
    secrets: { RUNCOMFY_API_TOKEN: server.token },
    vars,
    ...(stopWhen ? { stopWhen } : {}),
  });
  return { runner, storyboard };
}

const logOf = (run: JobRun) =>
  run.steps.map((step) => `--- ${run.job} ${step.name}: ${step.outcome}\n${step.log}`).join('\n');
const ofJob = (runs: JobRun[], job: string) => runs.filter((run) => run.job === job);
const film = (dir: string, variant: string) => path.join(dir, 'output', 'ad', variant, 'film.mp4');

async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('the example workflow, run on three shard machines and a finish machine per variant', () => {
  it('pays each distinct job once, makes the films one machine makes, and pays nothing on an unchanged rerun', async () => {
    const token = `token-${randomUUID()}`;
    const single = await mockServer({ slots: 6, token });
    const ci = await mockServer({ slots: 6, token });
    servers.push(single, ci);
    const { runner, storyboard } = await setUp(ci);

    const alone = path.join(root!, 'one-machine');
    // The one-machine render, on a server of its own, while the workflow runs.
    const [reference, runs] = await Promise.all([
      runCli(renderArgs(storyboard, alone, '--all-variants'), { env: mockEnv(single) }),
      runner.run(),
    ]);
    expect(reference.exitCode, reference.stderr).toBe(0);
    const distinct = single.submissions();

    for (const run of runs) expect(run.result, logOf(run)).toBe('success');
    const [plan] = ofJob(runs, 'plan');
    expect(logOf(plan!)).toContain(`The campaign: ${distinct} distinct jobs`);
    expect(ofJob(runs, 'shard').map((run) => run.matrix.shard)).toHaveLength(3);
    expect(ofJob(runs, 'finish').map((run) => run.matrix.variant)).toEqual(VARIANTS);
    expect(ci.submissions()).toBe(distinct);

    for (const variant of VARIANTS) {
      const artifact = runner.artifact(`storyreel-ad-${variant}`);
      expect(artifact, `the film artifact of ${variant}`).toBeDefined();
      expect(await filmFingerprint(film(artifact!, variant))).toEqual(
        await filmFingerprint(path.join(alone, 'ad', variant, 'film.mp4')),
      );
      const report = JSON.parse(
        await readFile(path.join(artifact!, 'output/ad', variant, 'report.json'), 'utf8'),
      );
      expect(report.status).toBe('complete');
    }
    // The token reached RunComfy (here the mock) and nothing else: no log, no artifact holds it.
    for (const run of runs) expect(logOf(run)).not.toContain(token);
    for (const dir of runner.allArtifacts())
      for (const file of await filesIn(dir)) expect(await readFile(file, 'latin1')).not.toContain(token);

    // The next run of the unchanged campaign: each store comes back from the cache.
    const again = await runner.run();
    for (const run of again) expect(run.result, logOf(run)).toBe('success');
    expect(logOf(ofJob(again, 'plan')[0]!)).toContain('this run generates 0.00 USD');
    expect(ci.submissions()).toBe(distinct);
    for (const variant of VARIANTS) {
      expect(await filmFingerprint(film(runner.artifact(`storyreel-ad-${variant}`)!, variant))).toEqual(
        await filmFingerprint(path.join(alone, 'ad', variant, 'film.mp4')),
      );
    }
  });

  it('keeps the request ids of shards stopped mid-run: the finish jobs poll them, and nothing is paid twice', async () => {
    // The shard jobs are stopped (as at their timeout-minutes) once all six jobs are submitted, long
    // before any generation ends.
    const ci = await mockServer({ slots: 6, generationMs: 8_000 });
    servers.push(ci);
    const { runner } = await setUp(ci, {}, { shard: () => ci.submissions() === 6 });
    const runs = await runner.run();
    const shards = ofJob(runs, 'shard');
    expect(shards).toHaveLength(3);
    for (const run of shards) {
      expect(run.result, logOf(run)).toBe('failure');
      // Both run after the stop: the store is cached and uploaded with its request ids.
      const kept = run.steps.filter((step) => /Save this shard|Upload this shard/.test(step.name));
      expect(kept.map((step) => step.outcome)).toEqual(['success', 'success']);
    }
    const distinct = ci.submissions();
    expect(logOf(ofJob(runs, 'plan')[0]!)).toContain(`The campaign: ${distinct} distinct jobs`);
    // What the shards uploaded: a record with its request id for each of their jobs, no clip yet.
    const uploaded = (
      await Promise.all([1, 2, 3].map((k) => filesIn(runner.artifact(`storyreel-store-ad-shard-${k}`)!)))
    ).flat();
    const records = uploaded.filter((file) => file.endsWith('.json') && file.includes('/.storyreel/jobs/'));
    expect(records).toHaveLength(distinct);
    for (const file of records) {
      const record = JSON.parse(await readFile(file, 'utf8'));
      expect(record.requestId).toEqual(expect.any(String));
      expect(record.state).not.toBe('verified');
    }
    expect(uploaded.filter((file) => file.endsWith('.mp4'))).toEqual([]);

    for (const run of ofJob(runs, 'finish')) expect(run.result, logOf(run)).toBe('success');
    expect(ci.submissions()).toBe(distinct);
    for (const variant of VARIANTS) {
      const artifact = runner.artifact(`storyreel-ad-${variant}`)!;
      const report = JSON.parse(
        await readFile(path.join(artifact, 'output/ad', variant, 'report.json'), 'utf8'),
      );
      expect(report.status).toBe('complete');
    }
  });

  it('stops in the plan job, before any request, when the run would cost more than MAX_COST', async () => {
    const ci = await mockServer();
    servers.push(ci);
    const { runner } = await setUp(ci, { MAX_COST: '0.5' });
    const runs = await runner.run();
    const [plan] = ofJob(runs, 'plan');
    expect(plan!.result).toBe('failure');
    const step = plan!.steps.find((candidate) => candidate.outcome === 'failure')!;
    expect(step.exitCode).toBe(3);
    expect(step.log).toContain(
      '::error title=Over budget::This run would generate 1.51 USD, above MAX_COST (0.5 USD)',
    );
    expect(ofJob(runs, 'shard').map((run) => run.result)).toEqual(['skipped']);
    expect(ofJob(runs, 'finish').map((run) => run.result)).toEqual(['skipped']);
    expect(ci.requests).toHaveLength(0);
  });
});
