/** `storyreel merge DIR... --out DIR`: the stores of several output folders (CI shards) in one. */
import path from 'node:path';
import type { Command } from 'commander';
import { type CliContext, writeLine } from '../context.js';

export function registerMerge(program: Command, context: CliContext): void {
  program
    .command('merge')
    .description(
      "unite the stores (clips and journal) of several output folders, e.g. a matrix's shards, checking each clip and record",
    )
    .argument('<dirs...>', 'output folders of renders (their .storyreel/ stores)')
    .requiredOption('--out <dir>', 'the output folder to merge into (created if missing)')
    .action(async (dirs: string[], flags: { out: string }) => {
      const [{ mergeStores }, { verifyClip }] = await Promise.all([
        import('../../run/merge.js'),
        import('../../media/verify.js'),
      ]);
      const resolve = (dir: string) => path.resolve(context.cwd, dir);
      const reports = await mergeStores(dirs.map(resolve), resolve(flags.out), { verifyClip });
      for (const report of reports) {
        writeLine(
          context.stdout,
          `${report.source}: ${report.clips.copied} clip(s) and ${report.records.copied} record(s) merged, ` +
            `${report.clips.kept + report.records.kept} already there` +
            (report.refused.length > 0 ? `, ${report.refused.length} refused` : ''),
        );
        for (const refusal of report.refused) writeLine(context.stderr, `refused: ${refusal}`);
      }
      if (reports.some((report) => report.refused.length > 0)) context.exitCode = 1;
    });
}
