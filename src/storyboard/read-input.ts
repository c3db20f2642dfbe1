/** Reads an input file (storyboard, price table) as UTF-8 text, refusing what cannot be one. */
import { open } from 'node:fs/promises';
import { type Problem, StoryboardError } from '../errors.js';
import { MAX_INPUT_BYTES, tooLarge } from './yaml-source.js';

function fileProblem(file: string, message: string, hint?: string): Problem {
  return hint
    ? { file, line: 0, col: 0, path: '', message, hint }
    : { file, line: 0, col: 0, path: '', message };
}

function openFailure(file: string, error: unknown): Problem {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return fileProblem(file, 'no such file', 'check the path');
    case 'EISDIR':
      return fileProblem(file, 'is a directory, not a file');
    case 'EACCES':
    case 'EPERM':
      return fileProblem(file, 'cannot be read (permission denied)');
    default:
      return fileProblem(file, `cannot be read: ${(error as Error)?.message ?? String(error)}`);
  }
}

/** `path` is resolved by the caller; `file` is how messages name it (as the user typed it). */
export async function readInputFile(path: string, file = path): Promise<string> {
  let bytes: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const stats = await handle.stat();
      if (stats.isDirectory()) throw new StoryboardError([fileProblem(file, 'is a directory, not a file')]);
      if (!stats.isFile()) throw new StoryboardError([fileProblem(file, 'is not a regular file')]);
      if (stats.size > MAX_INPUT_BYTES) throw new StoryboardError([tooLarge(file, stats.size)]);
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof StoryboardError) throw error;
    throw new StoryboardError([openFailure(file, error)]);
  }
  // A file that grew after stat(): the cap still holds.
  if (bytes.length > MAX_INPUT_BYTES) throw new StoryboardError([tooLarge(file, bytes.length)]);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new StoryboardError([fileProblem(file, 'is not UTF-8 text', 'save it as UTF-8')]);
  }
}
