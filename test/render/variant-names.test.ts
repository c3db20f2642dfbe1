/**
 * `--all-variants` output names the film(s) each job is for: the plain log, the live display in a
 * terminal (a real pty through `script`) and the `--max-cost` breakdown. A job several films share
 * is one job and is listed once, saying so.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/cli/resume-command.js';
import { binPath, cleanEnv, runCli } from '../helpers/cli.js';
import { mockEnv, mockServer, renderArgs, type Workspace, workspace, writeStoryboard } from './support.js';

// default, vertical (another aspect ratio: its own jobs), teaser (default's intro and outro),
// night (default's intro and outro, its own middle).
const VARIANTS = [
  '  vertical: { defaults: { aspect_ratio: "9:16" } }',
  '  teaser: { only: [intro, outro] }',
  '  night: { scenes: { middle: { prompt: "the middle, at night" } } }',
].join('\n');
const SCENES = [
  { id: 'intro', prompt: 'the opening' },
  { id: 'middle', prompt: 'the middle' },
  { id: 'outro', prompt: 'the ending' },
];
const SHARED_INTRO = 'intro (shared by film/default, film/teaser, film/night)';

async function storyboard(): Promise<{ file: string; ws: Workspace }> {
  const ws = await workspace();
  return { file: await writeStoryboard(ws.dir, SCENES, { variants: VARIANTS }), ws };
}

describe('variants in --all-variants output', () => {
  it('the plain log names the film(s) of every job line; a shared job says so once', async () => {
    const server = await mockServer({ slots: 7 });
    const { file, ws } = await storyboard();
    const run = await runCli(renderArgs(file, ws.out, '--all-variants', '--concurrency', '7'), {
      env: mockEnv(server),
    });
    expect(run.exitCode).toBe(0);
    const states = /^\S+ (.+?): (submitting|queued|generating|downloading|downloaded|verified)\b/;
    const names = [...new Set(run.stderr.split('\n').flatMap((line) => states.exec(line)?.[1] ?? []))].sort();
    expect(names).toEqual(
      [
        SHARED_INTRO,
        'intro (film/vertical)',
        'middle (film/default)',
        'middle (film/night)',
        'middle (film/vertical)',
        'outro (shared by film/default, film/teaser, film/night)',
        'outro (film/vertical)',
      ].sort(),
    );
  });

  it('the live display in a terminal names the film(s) of each job in flight', async () => {
    const server = await mockServer({ slots: 7, generationMs: 2500 });
    const { file, ws } = await storyboard();
    const command = ['node', binPath, ...renderArgs(file, ws.out, '--all-variants', '--concurrency', '7')]
      .map(shellQuote)
      .join(' ');
    // `script` gives the CLI a real terminal; 160 columns leave room for the longest label.
    const run = await execa('script', ['-qefc', `stty cols 160 rows 40; ${command}`, '/dev/null'], {
      env: cleanEnv(mockEnv(server)),
      extendEnv: true,
      reject: false,
      timeout: 120_000,
    });
    expect(run.exitCode).toBe(0);
    const screen = String(run.stdout);
    expect(screen).toMatch(new RegExp(`${escapeRegExp(SHARED_INTRO)} +generating`));
    expect(screen).toMatch(/intro \(film\/vertical\) +generating/);
    expect(screen).toMatch(/middle \(film\/night\) +generating/);
  });

  it('the --max-cost breakdown lists each distinct job once, with the film(s) it is for', async () => {
    const server = await mockServer();
    const { file, ws } = await storyboard();
    const run = await runCli(renderArgs(file, ws.out, '--all-variants', '--max-cost', '0.10'), {
      env: mockEnv(server),
    });
    expect(run.exitCode).toBe(3);
    expect(server.submissions()).toBe(0);
    const jobLines = run.stderr.split('\n').filter((line) => /^ {2}\S.*: \$\d/.test(line));
    expect(jobLines.map((line) => line.trim().replace(/: \$.*$/, ''))).toEqual([
      SHARED_INTRO,
      'middle (film/default)',
      'outro (shared by film/default, film/teaser, film/night)',
      'intro (film/vertical)',
      'middle (film/vertical)',
      'outro (film/vertical)',
      'middle (film/night)',
    ]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
