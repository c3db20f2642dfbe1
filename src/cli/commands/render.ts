/** `storyreel render FILE...`: plan, submit, poll, download, verify, join; resumes by itself. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Shard } from '../../plan/shard.js';
import { MAX_TAKE } from '../../plan/takes.js';
import type { ProviderName } from '../../providers/registry.js';
import { TAKES_WITHOUT_BUDGET } from '../../run/budget-takes.js';
import type { RunEvent } from '../../run/events.js';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MIN } from '../../run/runner-types.js';
import { type CliContext, writeLine } from '../context.js';
import { handleInterrupts } from '../interrupt.js';
import { invocation } from '../invocation.js';
import {
  collect,
  nonNegative,
  outOption,
  positive,
  providerOption,
  shardValue,
  variantOption,
  wholeNumber,
} from '../options.js';
import { resumeCommand } from '../resume-command.js';

interface RenderFlags {
  variant: string[];
  allVariants?: boolean;
  provider: ProviderName;
  concurrency: number;
  out: string;
  pollInterval?: number;
  timeout: number;
  rerender: string[];
  takes?: number;
  scene: string[];
  maxCost?: number;
  prices?: string;
  json?: boolean;
  allowOutsideAssets?: boolean;
  /** False with --no-submit (commander's negatable option). */
  submit: boolean;
  shard?: Shard;
}

export function registerRender(program: Command, context: CliContext): void {
  program
    .command('render')
    .description('render storyboards into films: plan, submit, poll, download, verify, join; a rerun resumes')
    .argument('<files...>', 'storyboards (YAML)')
    .addOption(variantOption('render this variant (repeat for several)'))
    .option('--all-variants', 'render every variant of each storyboard')
    .addOption(providerOption())
    .option(
      '--concurrency <n>',
      'jobs generating at once (their downloads run beside them)',
      wholeNumber('--concurrency', 1),
      DEFAULT_CONCURRENCY,
    )
    .addOption(outOption())
    .option(
      '--poll-interval <seconds>',
      'first wait between status checks (default 5; preview: 0.02)',
      positive('--poll-interval'),
    )
    .option(
      '--timeout <minutes>',
      'per job, from submission to a verified clip',
      positive('--timeout'),
      DEFAULT_TIMEOUT_MIN,
    )
    .addOption(
      new Option('--rerender <scene>', "discard this scene's clip and render it again (repeatable)")
        .argParser(collect)
        .default([], 'none'),
    )
    .option(
      '--takes <n>',
      `also generate takes 1..n of every scene (or of each --scene), to compare; the films keep their take (above ${TAKES_WITHOUT_BUDGET} needs --max-cost)`,
      takesCount,
    )
    .addOption(
      new Option('--scene <id>', 'with --takes: only this scene (repeatable)')
        .argParser(collect)
        .default([], 'all'),
    )
    .option(
      '--max-cost <usd>',
      'refuse to start if what has to be generated is estimated above this',
      nonNegative('--max-cost'),
    )
    .option('--prices <file>', 'price table (YAML or JSON) for estimates; or set STORYREEL_PRICES')
    .option('--json', 'one JSON event per line on stdout instead of the live display')
    .option('--allow-outside-assets', "let music, images and fonts come from outside the storyboard's folder")
    .option(
      '--shard <k/n>',
      'generate only shard K of N of the distinct jobs (stable by job key) and join nothing: one machine of a CI matrix',
      shardValue,
    )
    .option(
      '--no-submit',
      'send no submission: finish from the store (jobs already submitted are collected); exit 1 naming what is missing',
    )
    .action(async (files: string[], flags: RenderFlags, command: Command) => {
      // Loaded when the command runs, not when the CLI starts (`storyreel --help` needs none of it).
      const [{ executeRender, prepareRender }, { formatSummary }] = await Promise.all([
        import('../../run/render.js'),
        import('../progress/summary-text.js'),
      ]);
      const prepared = await prepareRender({
        files,
        variants: flags.variant,
        allVariants: Boolean(flags.allVariants),
        provider: flags.provider,
        concurrency: flags.concurrency,
        outDir: flags.out,
        timeoutMin: flags.timeout,
        rerender: flags.rerender,
        ...(flags.takes !== undefined ? { takes: flags.takes } : {}),
        takeScenes: flags.scene,
        cwd: context.cwd,
        env: context.env,
        resumeCommand: resumeCommand(files, command, invocation(context.env, context.cwd)),
        allowOutsideAssets: Boolean(flags.allowOutsideAssets),
        ...(flags.submit === false ? { noSubmit: true } : {}),
        ...(flags.shard ? { shard: flags.shard } : {}),
        ...(flags.pollInterval !== undefined ? { pollIntervalSec: flags.pollInterval } : {}),
        ...(flags.maxCost !== undefined ? { maxCostUsd: flags.maxCost } : {}),
        ...(flags.prices !== undefined ? { pricesFile: flags.prices } : {}),
      });
      const human = flags.json ? context.stderr : context.stdout;
      const view = await progressView(context, Boolean(flags.json));
      const interrupts = handleInterrupts((signalName) =>
        view.note(
          `${signalName === 'SIGINT' ? 'Ctrl-C' : signalName}: no new submissions; saving state and stopping the polls (Ctrl-C again exits at once).`,
        ),
      );
      try {
        const result = await executeRender(prepared, {
          emit: view.emit,
          signal: interrupts.signal,
          warn: (message) => view.note(`WARNING: ${message}`),
        });
        view.stop();
        for (const line of formatSummary(result.summary)) writeLine(human, line);
        context.exitCode = result.exitCode;
      } finally {
        view.stop();
        interrupts.dispose();
      }
    });
}

interface ProgressView {
  emit(event: RunEvent): void;
  note(text: string): void;
  stop(): void;
}

/**
 * Narrower than this, every job line of the live display is cut to the same few letters; a terminal
 * that reports no width at all (0: `script`, some CI ptys) got nothing but cursor escapes. Plain
 * lines read well at any width.
 */
const MIN_LIVE_COLUMNS = 40;

/** --json: events on stdout, notes on stderr. A terminal 40 columns wide or more: the live display. Otherwise: plain log lines. */
async function progressView(context: CliContext, json: boolean): Promise<ProgressView> {
  const { jsonProgress, plainProgress } = await import('../progress/plain.js');
  const noteToStderr = (text: string) => writeLine(context.stderr, text);
  if (json) {
    // Said once, where it can still be read: with `--json | head` the render goes on, silently.
    context.stdout.once('error', () =>
      noteToStderr(
        'storyreel: stdout was closed (its reader went away); the render goes on without --json events. ' +
          'Its outcome will be in report.json and `storyreel status`; Ctrl-C stops it (state is saved).',
      ),
    );
    return { emit: jsonProgress(context.stdout), note: noteToStderr, stop() {} };
  }
  const stderr = context.stderr as NodeJS.WriteStream;
  if (stderr.isTTY && (stderr.columns ?? 0) >= MIN_LIVE_COLUMNS) {
    const live = (await import('../progress/live.js')).liveProgress(stderr);
    let stopped = false;
    return {
      emit: live.emit,
      note: live.note,
      stop() {
        if (stopped) return;
        stopped = true;
        live.stop();
      },
    };
  }
  return { emit: plainProgress(context.stderr), note: noteToStderr, stop() {} };
}

/** `--takes N`: takes are counted from 1, like `take:` in a storyboard, up to the same 99. */
function takesCount(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > MAX_TAKE) {
    throw new InvalidArgumentError(
      `--takes needs a whole number from 1 to ${MAX_TAKE}, got "${value}": takes are counted from 1, so --takes 2 makes sure every scene has a first and a second take.`,
    );
  }
  return number;
}
