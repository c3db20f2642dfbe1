/** `storyreel validate FILE...`: schema and planner checks of every variant, for editors and pre-commit. */
import type { Command } from 'commander';
import { ExitCode, formatProblem, type Problem, StoryboardError } from '../../errors.js';
import { type CliContext, writeLine } from '../context.js';

async function validateFile(
  file: string,
  cwd: string,
  allowOutside: boolean,
): Promise<{ problems: Problem[]; summary: string }> {
  // Loaded when the command runs, not when the CLI starts (`storyreel --help` needs none of it).
  const [{ planAllVariants, variantNames }, { loadStoryboard }, { checkPlanAssets }] = await Promise.all([
    import('../../plan/planner.js'),
    import('../../storyboard/load.js'),
    import('../../run/assets.js'),
  ]);
  try {
    const loaded = await loadStoryboard(file, { cwd });
    const { plans, problems } = planAllVariants(loaded);
    // The files the cuts use (music, image, font): what a render checks before it submits anything.
    if (problems.length === 0) await checkPlanAssets(plans, { cwd, allowOutside });
    const scenes = loaded.storyboard.scenes.length;
    const variants = variantNames(loaded).length;
    const summary = `${file}: ok (${scenes} scene${scenes === 1 ? '' : 's'}, ${variants} variant${variants === 1 ? '' : 's'})`;
    return { problems, summary };
  } catch (error) {
    if (error instanceof StoryboardError) return { problems: error.problems, summary: '' };
    throw error;
  }
}

export function registerValidate(program: Command, context: CliContext): void {
  program
    .command('validate')
    .description('check storyboards (schema and planner, every variant) without submitting anything')
    .argument('<files...>', 'storyboards (YAML)')
    .option('--allow-outside-assets', "let music, images and fonts come from outside the storyboard's folder")
    .action(async (files: string[], flags: { allowOutsideAssets?: boolean }) => {
      for (const file of files) {
        const { problems, summary } = await validateFile(
          file,
          context.cwd,
          Boolean(flags.allowOutsideAssets),
        );
        if (problems.length === 0) {
          writeLine(context.stdout, summary);
          continue;
        }
        for (const problem of problems) writeLine(context.stderr, formatProblem(problem));
        context.exitCode = ExitCode.badInput;
      }
    });
}
