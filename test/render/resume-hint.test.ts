/**
 * The resume command a failed or interrupted render prints (and report.html shows) carries every
 * option the user gave, so running it resumes the same render: read back through the real render
 * command, it gives the same options. A flag added to `render` is in the hint without being listed.
 */
import { Command, type Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerRender } from '../../src/cli/commands/render.js';
import type { CliContext } from '../../src/cli/context.js';
import { resumeCommand } from '../../src/cli/resume-command.js';

/** A value each option accepts; '2' suits every other one (counts, minutes, USD, names, files). */
const SAMPLES: Record<string, string> = { '--shard': '2/3', '--provider': 'preview' };
const NOT_RESUMED = ['--rerender'];

/** The real `render` command, its action replaced by one that hands back what it parsed. */
function renderCommand(onParsed: (files: string[], command: Command) => void): Command {
  const program = new Command('storyreel').exitOverride();
  const context: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: {},
    cwd: '/',
    exitCode: 0,
  };
  registerRender(program, context);
  const render = program.commands.find((command) => command.name() === 'render')!;
  render
    .exitOverride()
    .action((files: string[], _flags: unknown, command: Command) => onParsed(files, command));
  return program;
}

async function parse(args: string[]): Promise<{ files: string[]; command: Command }> {
  let parsed: { files: string[]; command: Command } | undefined;
  await renderCommand((files, command) => {
    parsed = { files, command };
  }).parseAsync(['render', ...args], { from: 'user' });
  return parsed!;
}

/** Every option of `render`, each given once on a command line. */
async function everyOption(): Promise<{ args: string[]; options: readonly Option[] }> {
  const { command } = await parse(['film.yaml']);
  const options = command.options.filter((option) => option.long !== undefined);
  const args = options.flatMap((option) => {
    const flag = option.long!;
    if (!option.required && !option.optional) return [flag];
    return [flag, SAMPLES[flag] ?? '2'];
  });
  return { args, options };
}

/** A line as a POSIX shell splits it: words apart at spaces, '…' literal, \x the character x. */
function words(line: string): string[] {
  const out: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === ' ') {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else if (char === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (char === '\\') {
      word = (word ?? '') + line[++i];
    } else word = (word ?? '') + char;
  }
  if (word !== undefined) out.push(word);
  return out;
}

describe('the resume command of a render', () => {
  it('names every option given on the command line but --rerender', async () => {
    const { args, options } = await everyOption();
    const { files, command } = await parse(['film.yaml', ...args]);
    const hint = words(resumeCommand(files, command, ['storyreel']));
    const missing = options
      .map((option) => option.long!)
      .filter((flag) => !NOT_RESUMED.includes(flag) && !hint.includes(flag));
    expect(missing).toEqual([]);
    expect(hint.filter((word) => NOT_RESUMED.includes(word))).toEqual([]);
  });

  it('read back by the render command, gives the same options and files', async () => {
    const { args } = await everyOption();
    const given = await parse(['one.yaml', "Jo's film.yaml", ...args]);
    const hint = words(resumeCommand(given.files, given.command, ['storyreel']));
    expect(hint.slice(0, 2)).toEqual(['storyreel', 'render']);
    const resumed = await parse(hint.slice(2));
    const { rerender: _dropped, ...expected } = given.command.opts();
    expect(resumed.files).toEqual(['one.yaml', "Jo's film.yaml"]);
    expect({ ...resumed.command.opts(), rerender: undefined }).toEqual({ ...expected, rerender: undefined });
  });

  it('leaves out the options the user did not give', async () => {
    const { files, command } = await parse(['film.yaml', '--out', 'renders']);
    expect(resumeCommand(files, command, ['npx', 'storyreel'])).toBe(
      'npx storyreel render film.yaml --out renders',
    );
  });
});
