/**
 * The live display needs a terminal wide enough to show a job per line. In a pty that reports no
 * width (`script`, some CI runners: 0 columns) it printed nothing but cursor escapes, the plan line,
 * "film written" and the summary included; at 30 columns every job line was the same cut-off id.
 * Such terminals get the plain log lines. Run in a real pty, made by script(1).
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { binPath, cleanEnv, repoRoot } from '../helpers/cli.js';
import { mockEnv, mockServer, scenes, workspace, writeStoryboard } from './support.js';

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/** Runs the CLI in a new pty of the given width (0: one that reports none); returns what it showed. */
async function inPty(args: string[], columns: number, env: Record<string, string | undefined>) {
  const size = columns > 0 ? `stty cols ${columns} rows 24; ` : '';
  const command = `${size}node ${quote(binPath)} ${args.map(quote).join(' ')}`;
  const result = await execa('script', ['-qefc', command, '/dev/null'], {
    cwd: repoRoot,
    env: { ...cleanEnv(env), SHELL: '/bin/sh' },
    extendEnv: true,
    reject: false,
    input: '',
    timeout: 120_000,
  });
  return { exitCode: result.exitCode, shown: String(result.stdout).replaceAll('\r', '') };
}

describe('the progress display in a terminal', () => {
  it('falls back to plain lines when the terminal has no width or a tiny one', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const env = mockEnv(server) ?? {};
    for (const columns of [0, 30]) {
      const file = await writeStoryboard(ws.dir, scenes(2, `w${columns}-`), { name: `w${columns}` });
      const run = await inPty(['render', file, '--out', ws.out, '--poll-interval', '0.05'], columns, env);
      expect({ columns, exit: run.exitCode }).toEqual({ columns, exit: 0 });
      expect(run.shown).toContain('1 film(s)');
      expect(run.shown).toMatch(/w\d+-1: verified/);
      expect(run.shown).toContain('film written:');
      expect(run.shown).toContain('Done in');
      expect(run.shown).not.toContain('\u001b[2K'); // log-update's erase-line: the live display
    }
    // The same pty at a usual width keeps the live display, and it shows the same facts.
    const file = await writeStoryboard(ws.dir, scenes(2, 'wide-'), { name: 'wide' });
    const wide = await inPty(['render', file, '--out', ws.out, '--poll-interval', '0.05'], 100, env);
    expect(wide.exitCode).toBe(0);
    expect(wide.shown).toContain('\u001b[2K');
    expect(wide.shown).toContain('film written:');
    expect(wide.shown).toContain('Done in');
  });
});
