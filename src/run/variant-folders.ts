/**
 * The variant folders a render writes into (film, clips, reports), made before anything is paid for:
 * a file where a folder must go (`out/ad` is a file) is found while it costs nothing. A folder that
 * becomes impossible during the render is reported with the clips kept, never as an internal error.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, OutputLayoutError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import type { OutputLayout } from './layout.js';

/** Creates every variant's `clips/` folder; throws OutputLayoutError (exit 2) naming what is in the way. */
export async function prepareVariantFolders(plans: readonly Plan[], layout: OutputLayout): Promise<void> {
  for (const plan of plans) {
    const clipsDir = path.join(layout.variantDir(plan.storyboard, plan.variant), 'clips');
    try {
      await mkdir(clipsDir, { recursive: true });
    } catch (error) {
      throw new OutputLayoutError(
        `${await describeFailure(clipsDir, error as NodeJS.ErrnoException)}. Nothing was submitted.`,
      );
    }
  }
}

/**
 * An error of the file system while films and reports are written after the jobs ran, as the user
 * should read it (exit 1: the clips are paid for and in the store); undefined for any other error.
 */
export async function layoutErrorAfterPaying(
  error: unknown,
  layout: OutputLayout,
): Promise<OutputLayoutError | undefined> {
  const failure = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || typeof failure.code !== 'string' || typeof failure.path !== 'string') {
    return undefined;
  }
  if (!isInside(layout.root, failure.path)) return undefined;
  return new OutputLayoutError(
    `${await describeFailure(failure.path, failure)}.\n` +
      `Every verified clip is kept in ${layout.storeDir} and the journal; fix this and run the same command again: it writes the films and pays nothing more.`,
    ExitCode.sceneFailed,
  );
}

async function describeFailure(target: string, error: NodeJS.ErrnoException): Promise<string> {
  const blocker = await fileInTheWay(target);
  if (blocker) {
    return `cannot create ${target}: ${blocker} is a file, not a folder (move it away, or render with another --out)`;
  }
  return `cannot write ${target} (${error.code ?? error.message}): check that the output folder is writable`;
}

/** The first existing path on the way to `target` that is not a folder. */
async function fileInTheWay(target: string): Promise<string | undefined> {
  let current = path.resolve(target);
  const chain: string[] = [];
  while (path.dirname(current) !== current) {
    chain.unshift(current);
    current = path.dirname(current);
  }
  for (const entry of chain) {
    const stats = await stat(entry).catch(() => undefined);
    if (!stats) return undefined;
    if (!stats.isDirectory()) return entry;
  }
  return undefined;
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, path.resolve(file));
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}
