/** `storyreel variants FILE`: the variant names, one per line, or a JSON array for a CI matrix. */
import type { Command } from 'commander';
import { type CliContext, writeLine } from '../context.js';

export function registerVariants(program: Command, context: CliContext): void {
  program
    .command('variants')
    .description("list a storyboard's variants ('default' first), e.g. for a CI matrix")
    .argument('<file>', 'storyboard (YAML)')
    .option('--json', 'print a JSON array of names')
    .action(async (file: string, flags: { json?: boolean }) => {
      // Loaded when the command runs, not when the CLI starts (`storyreel --help` needs none of it).
      const [{ variantNames }, { loadStoryboard }] = await Promise.all([
        import('../../plan/planner.js'),
        import('../../storyboard/load.js'),
      ]);
      const names = variantNames(await loadStoryboard(file, { cwd: context.cwd }));
      if (flags.json) writeLine(context.stdout, JSON.stringify(names));
      else for (const name of names) writeLine(context.stdout, name);
    });
}
