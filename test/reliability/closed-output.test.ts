/**
 * A reader that goes away early (`| head`, a pager quit, a closed terminal) must not cost money: the
 * render goes on journaling, never crashes, loses no request id, and the rerun pays for nothing and
 * warns of nothing. Found adversarially: `render --json | head -6` died with an unhandled EPIPE
 * between a submission and its journal entry, and the rerun paid again, warning "may already have
 * been submitted". Real pipes throughout: a shell pipeline into `head`, or a pipe whose reading end
 * is closed before storyreel writes to it.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { binPath, type CliRun, cleanEnv, repoRoot, runCli } from '../helpers/cli.js';
import { assertNoCrashSigns, auditPayments, cleanRunEvents, readJournal } from './support/checks.js';
import { mockEnv, startMock } from './support/mock.js';
import { filmPath, renderArgs, workspace, writeFilm } from './support/workspace.js';

/** `storyreel ARGS <redirect> | head -N`: what head showed, what stayed on stderr, storyreel's exit code. */
function throughHead(args: string[], env: Record<string, string>, redirect: '' | '2>&1', lines: number) {
  const quoted = args.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  const script = `node '${binPath}' ${quoted} ${redirect} | head -${lines}; exit "\${PIPESTATUS[0]}"`;
  return collect(spawn('bash', ['-c', script], { cwd: repoRoot, env: processEnv(env) }));
}

/** storyreel with the reading end of stdout and/or stderr closed before it writes anything. */
function withClosed(args: string[], env: Record<string, string>, closed: ('stdout' | 'stderr')[]) {
  const child = spawn('node', [binPath, ...args], { cwd: repoRoot, env: processEnv(env) });
  for (const name of closed) child[name].destroy();
  return collect(child);
}

function processEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(cleanEnv(env))) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

function collect(child: ReturnType<typeof spawn>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? -1 : -2), stdout, stderr }));
  });
}

/** The rerun after a closed pipe: nothing to pay, nothing to warn about, the film there. */
async function rerunPaysNothing(file: string, out: string, env: Record<string, string>): Promise<void> {
  const events = cleanRunEvents(await runCli(renderArgs(file, out), { env }), [0]);
  expect(events.filter((e) => e.type === 'warning')).toEqual([]);
  expect(events.at(-1)).toMatchObject({ type: 'summary', submitted: 0 });
}

describe('a closed stdout or stderr', () => {
  it('render --json | head -6 and render 2>&1 | head -3: the render finishes, every scene paid once, the rerun pays nothing', async () => {
    const server = await startMock({ generationMs: 400 });
    const ws = await workspace();
    const env = mockEnv(server);
    const scenes = 6;
    const cases = [
      { name: 'json', args: ['--json'], redirect: '' as const, lines: 6 },
      { name: 'merged', args: [], redirect: '2>&1' as const, lines: 3 },
    ];
    for (const { name, args, redirect, lines } of cases) {
      const file = await writeFilm(ws.dir, { name, scenes, prompt: `closed ${name}` });
      const base = ['render', file, '--out', ws.out, '--poll-interval', '0.05', '--concurrency', '2'];
      const run = await throughHead([...base, ...args], env, redirect, lines);
      assertNoCrashSigns(run.stdout, run.stderr);
      expect({ name, exit: run.exitCode }).toEqual({ name, exit: 0 });
      expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(lines);
      if (name === 'json') expect(run.stderr).toContain('stdout was closed');
      expect((await stat(filmPath(ws.out, name))).size).toBeGreaterThan(0);
      await rerunPaysNothing(file, ws.out, env);
    }
    const audit = auditPayments(server, (await readJournal(ws.out)).records);
    expect(audit).toMatchObject({ distinctJobs: 2 * scenes, created: 2 * scenes, paid: 2 * scenes });
  });

  it('render with stdout closed from the start (| head at the summary), or --json with stderr closed: exit 0, no stack trace', async () => {
    const server = await startMock();
    const ws = await workspace();
    const env = mockEnv(server);
    const plain = await writeFilm(ws.dir, { name: 'plain', scenes: 2, prompt: 'closed stdout' });
    const human = await withClosed(['render', plain, '--out', ws.out, '--poll-interval', '0.05'], env, [
      'stdout',
    ]);
    assertNoCrashSigns(human.stderr);
    expect(human.exitCode).toBe(0);
    expect(human.stderr).toContain('film written');

    const json = await writeFilm(ws.dir, { name: 'json', scenes: 2, prompt: 'closed stderr' });
    const events = cleanRunEvents(await withClosed(renderArgs(json, ws.out), env, ['stderr']), [0]);
    expect(events.at(-1)).toMatchObject({ type: 'summary', outcome: 'complete' });
    expect(server.jobs()).toHaveLength(4);

    const status = await withClosed(['status', plain, '--out', ws.out], env, ['stdout']);
    expect({ exit: status.exitCode, stderr: status.stderr }).toEqual({ exit: 0, stderr: '' });
  });

  it('plan and validate into a closed pipe: exit 0, no stack trace, nothing written', async () => {
    const ws = await workspace();
    const file = await writeFilm(ws.dir, { scenes: 40, prompt: 'closed status' });
    for (const args of [
      ['plan', file, '--out', ws.out],
      ['plan', file, '--out', ws.out, '--json'],
      ['validate', file],
    ]) {
      const run = await withClosed(args, {}, ['stdout']);
      assertNoCrashSigns(run.stderr);
      expect({ args, exit: run.exitCode, stderr: run.stderr }).toEqual({ args, exit: 0, stderr: '' });
    }
    await expect(readdir(ws.out)).rejects.toThrow(); // nothing created
  });
});

describe('temporary files a killed render left', () => {
  it('are removed by the next render, in the output folder and the temp dir, and nothing else is', async () => {
    const server = await startMock();
    const ws = await workspace();
    const env = mockEnv(server);
    const file = await writeFilm(ws.dir, { scenes: 2, prompt: 'leftovers' });
    cleanRunEvents(await runCli(renderArgs(file, ws.out), { env }), [0]);
    const jobs = path.join(ws.out, '.storyreel', 'jobs');
    const variant = path.join(ws.out, 'film', 'default');
    const key = (await readdir(jobs))[0]!;
    const litter = [
      path.join(jobs, `.${key}.1a2b3c4d.tmp`), // a journal write cut short
      path.join(variant, '.film.mp4.4242-0badcafe.partial'), // a join killed mid-way
      path.join(variant, '.film.mp4.4242-0badcafe.partial.txt'),
      path.join(variant, 'clips', '.01-s1.mp4.4242-0badcafe.partial'),
      path.join(variant, 'report.json.3735928559'), // write-file-atomic's temporary name
      path.join(variant, 'report.html.12345'),
    ];
    const kept = [path.join(variant, 'notes.txt'), path.join(variant, '.my.partial.notes')];
    for (const name of [...litter, ...kept]) await writeFile(name, 'left behind');
    // Scratch folders in the temp dir (preview cards, contact sheets): a killed process's old one goes;
    // a live process's, a fresh one and one not named by storyreel stay.
    const tmp = path.join(ws.dir, 'tmp');
    const gone = (await execa('node', ['-e', 'process.stdout.write(String(process.pid))'])).stdout;
    const anHourAgo = new Date(Date.now() - 3_600_000);
    const scratch = async (name: string, old: boolean) => {
      await mkdir(path.join(tmp, name), { recursive: true });
      await writeFile(path.join(tmp, name, 'card-0.txt'), 'a card');
      if (old) await utimes(path.join(tmp, name), anHourAgo, anHourAgo);
      return path.join(tmp, name);
    };
    const dead = await scratch(`storyreel-cards-${gone}-aB3xYz`, true);
    const stays = [
      await scratch(`storyreel-sheet-${process.pid}-aB3xYz`, true),
      await scratch(`storyreel-cards-${gone}-fresh1`, false),
      await scratch('storyreel-cards-aB3xYz', true),
    ];
    cleanRunEvents(await runCli(renderArgs(file, ws.out), { env: { ...env, TMPDIR: tmp } }), [0]);
    for (const name of litter) await expect(stat(name), name).rejects.toThrow();
    for (const name of kept) expect(await readFile(name, 'utf8')).toBe('left behind');
    expect((await readJournal(ws.out)).leftovers).toEqual([]);
    await expect(stat(dead)).rejects.toThrow();
    for (const folder of stays) expect((await stat(folder)).isDirectory()).toBe(true);
    expect((await readdir(tmp)).sort()).toEqual(stays.map((folder) => path.basename(folder)).sort());
  });
});
