/** The options and value parsers that several commands share, so each says the same in every command. */
import { InvalidArgumentError, Option } from 'commander';
import { parseShard, type Shard, shardProblem } from '../plan/shard.js';
import { PROVIDER_NAMES, type ProviderName } from '../providers/registry.js';
import type { BatchRequest } from '../run/open-batch.js';
import type { CliContext } from './context.js';

/** `--variant NAME`, repeatable; the help says "(default: default)" once, not the empty list. */
export function variantOption(description: string): Option {
  return new Option('--variant <name>', description).argParser(collect).default([], 'default');
}

export function providerOption(description = 'who generates the clips'): Option {
  return new Option('--provider <name>', description).choices(PROVIDER_NAMES).default('runcomfy');
}

export function outOption(): Option {
  return new Option('--out <dir>', 'output folder').default('output');
}

/** A repeatable option's values, in the order given. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function shardValue(value: string): Shard {
  const problem = shardProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return parseShard(value);
}

export function wholeNumber(flag: string, min: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min) {
      throw new InvalidArgumentError(`${flag} needs a whole number >= ${min}, got "${value}".`);
    }
    return number;
  };
}

export function positive(flag: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) {
      throw new InvalidArgumentError(`${flag} needs a number above 0, got "${value}".`);
    }
    return number;
  };
}

/** An amount of money: `12.50` or `$12.50`. */
export function nonNegative(flag: string) {
  return (value: string): number => {
    const number = Number(value.replace(/^\$/, ''));
    if (!Number.isFinite(number) || number < 0) {
      throw new InvalidArgumentError(`${flag} needs an amount in USD like 12.50, got "${value}".`);
    }
    return number;
  };
}

/** The flags of the commands that read a batch's output folder (status, cancel, plan, takes). */
export interface BatchFlags {
  variant: string[];
  allVariants?: boolean;
  out: string;
  provider: ProviderName;
}

/** The batch that a command's files and flags name, for its library call in run/. */
export function batchRequest(
  files: string[],
  flags: BatchFlags,
  context: Pick<CliContext, 'cwd'>,
): BatchRequest & { provider: ProviderName } {
  return {
    files,
    variants: flags.variant,
    allVariants: Boolean(flags.allVariants),
    outDir: flags.out,
    cwd: context.cwd,
    provider: flags.provider,
  };
}
