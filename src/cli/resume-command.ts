/**
 * The command that resumes a render, for the summary and report.html: the same command line, read
 * from commander's own list of the render command's options, so a new flag is in it without being
 * listed here.
 */
import type { Command, Option } from 'commander';
import { formatShard, type Shard } from '../plan/shard.js';

/**
 * Options left out of the resume command: --rerender was done by the run being resumed (the batch
 * adds back the scenes whose re-render it did not send: renderBatch), so repeating it would pay again.
 */
const NOT_RESUMED: ReadonlySet<string> = new Set(['--rerender']);

/**
 * The same command, quoted for a shell, started the way that works from the user's shell
 * (`invocation`): every option given on the command line, as given, but the NOT_RESUMED ones.
 */
export function resumeCommand(files: string[], command: Command, start: string[]): string {
  const words = [...start, command.name(), ...files];
  for (const option of command.options as readonly Option[]) {
    const name = option.attributeName();
    if (option.long === undefined || NOT_RESUMED.has(option.long)) continue;
    if (command.getOptionValueSource(name) !== 'cli') continue;
    words.push(...optionWords(option.long, command.getOptionValue(name) as unknown));
  }
  return words.map(shellQuote).join(' ');
}

/** `--no-submit` is `submit: false`, `--json` is `json: true`; repeatable options once per value. */
function optionWords(flag: string, value: unknown): string[] {
  if (value === true || value === false) return [flag];
  if (Array.isArray(value)) return value.flatMap((item) => [flag, String(item)]);
  if (flag === '--shard') return [flag, formatShard(value as Shard)];
  return [flag, String(value)];
}

export function shellQuote(word: string): string {
  return /^[\w./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
