/** `storyreel status FILE`: what the journal says per scene. Reads only; needs no token. */
import os from 'node:os';
import type { Command } from 'commander';
import type { SceneStatus, VariantStatus } from '../../run/status.js';
import { type CliContext, writeLine } from '../context.js';
import { type BatchFlags, batchRequest, outOption, providerOption, variantOption } from '../options.js';

interface StatusFlags extends BatchFlags {
  json?: boolean;
}

export function registerStatus(program: Command, context: CliContext): void {
  program
    .command('status')
    .description('show what the journal says: done, in flight (with request ids), failed and why')
    .argument('<files...>', 'storyboards (YAML)')
    .addOption(variantOption('this variant (repeatable)'))
    .option('--all-variants', 'every variant of each storyboard')
    .addOption(outOption())
    .addOption(providerOption())
    .option('--json', 'print one JSON object')
    .action(async (files: string[], flags: StatusFlags) => {
      // Loaded when the command runs, not when the CLI starts (`storyreel --help` needs none of it).
      const { statusOf } = await import('../../run/status.js');
      const status = await statusOf(batchRequest(files, flags, context));
      if (flags.json) {
        writeLine(context.stdout, JSON.stringify(status));
        return;
      }
      for (const variant of status.variants)
        for (const line of describeVariant(variant)) writeLine(context.stdout, line);
    });
}

function describeVariant(status: VariantStatus): string[] {
  const counts = new Map<string, number>();
  for (const scene of status.scenes) counts.set(scene.condition, (counts.get(scene.condition) ?? 0) + 1);
  const tally = [...counts]
    .map(([condition, count]) => `${count} ${condition.replaceAll('_', ' ')}`)
    .join(', ');
  const width = Math.max(...status.scenes.map((scene) => scene.scene.length), 5);
  return [
    `${status.storyboard}/${status.variant}: ${status.scenes.length} scene(s): ${tally}`,
    ...status.scenes.map(
      (scene) =>
        `  ${String(scene.index + 1).padStart(2, '0')} ${scene.scene.padEnd(width)}  ${describeScene(scene)}`,
    ),
  ];
}

function describeScene(scene: SceneStatus): string {
  const request = scene.requestId ? ` [request ${scene.requestId}]` : '';
  const since = scene.since ? ` since ${scene.since}` : '';
  const unanswered =
    scene.unansweredSubmissions > 0
      ? ` (${scene.unansweredSubmissions} submission(s) whose answer was lost)`
      : '';
  switch (scene.condition) {
    case 'done':
      return `done${request}`;
    case 'in_flight': {
      const position = scene.queuePosition !== undefined ? `, position ${scene.queuePosition}` : '';
      return `in flight: ${scene.state}${position}${request}${since}`;
    }
    case 'being_submitted': {
      const by = scene.submitter;
      const where = by && by.host !== os.hostname() ? ` on ${by.host}` : '';
      const who = by ? `process ${by.pid}${where} (${by.command})` : 'a live render';
      return `being submitted by ${who}${since}`;
    }
    case 'may_have_been_submitted':
      return `MAY HAVE BEEN SUBMITTED (the answer was lost; a render submits it again)${unanswered}${since}`;
    case 'failed':
    case 'timed_out':
    case 'cancelled':
      return `${scene.condition.replace('_', ' ')}: ${scene.error?.kind ?? ''}: ${scene.error?.message ?? ''}${request}`;
    case 'not_started':
      return `not started${unanswered}`;
  }
}
