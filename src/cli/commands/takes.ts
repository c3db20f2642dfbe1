/**
 * `storyreel takes FILE`: per scene, the takes the output folder holds and which one the film uses.
 * Reads the journal and the clip store only; needs no token and sends nothing.
 */
import type { Command } from 'commander';
import type { SceneTakes } from '../../run/takes.js';
import { type CliContext, writeLine } from '../context.js';
import {
  type BatchFlags,
  batchRequest,
  collect,
  outOption,
  providerOption,
  variantOption,
} from '../options.js';

interface TakesFlags extends BatchFlags {
  scene: string[];
  prices?: string;
  json?: boolean;
}

export function registerTakes(program: Command, context: CliContext): void {
  program
    .command('takes')
    .description('show the takes of each scene in the output folder, and which one is in the film')
    .argument('<file>', 'storyboard (YAML)')
    .addOption(variantOption('this variant (repeatable)'))
    .option('--all-variants', 'every variant of the storyboard')
    .option('--scene <id>', 'only this scene (repeatable)', collect, [])
    .addOption(outOption())
    .addOption(providerOption('whose clips to list'))
    .option('--prices <file>', 'price table (YAML or JSON) for the estimates; or set STORYREEL_PRICES')
    .option('--json', 'print one JSON object')
    .action(async (file: string, flags: TakesFlags) => {
      // Loaded when the command runs, not when the CLI starts (`storyreel --help` needs none of it).
      const { takesInFolder } = await import('../../run/takes.js');
      const takes = await takesInFolder({
        ...batchRequest([file], flags, context),
        prices: { file: flags.prices, env: context.env },
        scenes: flags.scene,
      });
      if (flags.json) {
        writeLine(context.stdout, JSON.stringify(takes));
        return;
      }
      for (const line of takesTable(takes.scenes)) writeLine(context.stdout, line);
    });
}

function padTable(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}

/** One block per variant; a line per take; the chosen one marked "in film". */
export function takesTable(scenes: readonly SceneTakes[]): string[] {
  const out: string[] = [];
  const variants = [...new Set(scenes.map((scene) => `${scene.storyboard}/${scene.variant}`))];
  for (const variant of variants) {
    const own = scenes.filter((scene) => `${scene.storyboard}/${scene.variant}` === variant);
    const stored = own.reduce((sum, scene) => sum + scene.takes.filter((take) => take.stored).length, 0);
    const rows = [['#', 'scene', 'take', 'film', 'clip', 'state', 'request', 'est. cost']];
    for (const scene of own) {
      scene.takes.forEach((take, index) => {
        rows.push([
          index === 0 ? String(scene.index + 1).padStart(2, '0') : '',
          index === 0 ? scene.scene : '',
          String(take.take),
          take.chosen ? 'in film' : '',
          take.stored ? 'stored' : 'missing',
          take.state === 'planned' ? 'not generated' : take.state.replaceAll('_', ' '),
          take.requestId ?? '',
          `$${take.estimatedCost.toFixed(2)}`,
        ]);
      });
    }
    if (out.length > 0) out.push('');
    out.push(`${variant}: ${own.length} scene(s), ${stored} take(s) stored`);
    out.push(...padTable(rows).map((line) => `  ${line}`));
    const toPay = own.filter((scene) => !scene.chosenStored);
    if (toPay.length > 0) {
      const cost = toPay.reduce(
        (sum, scene) => sum + scene.takes.find((take) => take.chosen)!.estimatedCost,
        0,
      );
      out.push(
        `  The film's take of ${toPay.map((scene) => scene.scene).join(', ')} is not stored yet: ` +
          `render generates it (estimated $${cost.toFixed(2)}).`,
      );
    }
  }
  return out;
}
