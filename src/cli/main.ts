/**
 * The command layer: parses arguments, calls the library, prints. Exit codes are decided here and
 * only here (see `exitCodeFor`).
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, StoryreelError, UsageError } from '../errors.js';
import { registerCancel } from './commands/cancel.js';
import { registerMerge } from './commands/merge.js';
import { registerMockServer } from './commands/mock-server.js';
import { registerPlan } from './commands/plan.js';
import { registerRender } from './commands/render.js';
import { registerStatus } from './commands/status.js';
import { registerTakes } from './commands/takes.js';
import { registerValidate } from './commands/validate.js';
import { registerVariants } from './commands/variants.js';
import { type CliContext, processContext, writeLine } from './context.js';
import { errorEvent, wantsJsonEvents } from './error-event.js';

export const VERSION = '0.1.0';

export function buildProgram(context: CliContext): Command {
  const program = new Command('storyreel')
    .description('Render AI video storyboards (YAML) into films with Kling 3.0 on RunComfy.')
    .version(VERSION)
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .exitOverride();
  for (const register of [
    registerRender,
    registerPlan,
    registerValidate,
    registerStatus,
    registerTakes,
    registerCancel,
    registerVariants,
    registerMerge,
    registerMockServer,
  ]) {
    register(program, context);
  }
  for (const command of program.commands) command.exitOverride();
  return program;
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof StoryreelError) return error.exitCode;
  if (error instanceof CommanderError) {
    // --help and --version end through exitOverride with exit code 0.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
  }
  return 70; // EX_SOFTWARE: a bug in storyreel
}

export async function main(argv: string[], context: CliContext = processContext()): Promise<number> {
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return context.exitCode;
  } catch (error) {
    const exitCode = reportError(error, context);
    // --help and --version end here too, with exit 0: no error to report.
    if (exitCode !== ExitCode.ok && wantsJsonEvents(argv)) {
      writeLine(context.stdout, JSON.stringify(errorEvent(error, exitCode)));
    }
    return exitCode;
  }
}

/** Says what went wrong on stderr (commander has already said it for its own errors). */
function reportError(error: unknown, context: CliContext): number {
  if (error instanceof CommanderError) return exitCodeFor(error);
  if (error instanceof StoryreelError) {
    writeLine(context.stderr, error instanceof UsageError ? `storyreel: ${error.message}` : error.message);
    return error.exitCode;
  }
  writeLine(
    context.stderr,
    `storyreel: internal error (please report it): ${(error as Error)?.stack ?? error}`,
  );
  return exitCodeFor(error);
}
