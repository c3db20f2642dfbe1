/** Reads a storyboard file into checked data that knows where each of its values was written. */
import path from 'node:path';
import { type Problem, StoryboardError } from '../errors.js';
import type { SourceLocator } from './locate.js';
import { readInputFile } from './read-input.js';
import { schemaValidator } from './schema-file.js';
import { schemaProblems } from './schema-problems.js';
import type { Storyboard } from './storyboard.generated.js';
import { parseYamlMapping } from './yaml-source.js';

export const STORYBOARD_SCHEMA = 'storyboard.schema.json';

export interface LoadedStoryboard {
  /** The file as the user named it; every message uses this. */
  file: string;
  /** The file name without its extension: names the output folder. */
  name: string;
  /** The document, valid against schemas/storyboard.schema.json. */
  storyboard: Storyboard;
  /** Maps a path in `storyboard` to its line and column in the file. */
  locator: SourceLocator;
}

export function storyboardName(file: string): string {
  const { name, base } = path.parse(file);
  return name || base;
}

/**
 * Folder names a storyboard cannot have, since its name names its folder in the output: `.` and
 * `..` (from `..yaml` and `...yaml`) are not folders of their own, `.storyreel` is the journal's and
 * `index.html` the page of every film. Compared without case, for case-insensitive file systems.
 */
const RESERVED_NAMES = new Set(['.', '..', '.storyreel', 'index.html']);

function reservedNameProblem(file: string, name: string): Problem | undefined {
  if (!RESERVED_NAMES.has(name.toLowerCase())) return undefined;
  const where = name === '.' || name === '..' ? 'is not a folder of its own' : "is storyreel's own";
  return {
    file,
    line: 0,
    col: 0,
    path: '',
    message: `the file name makes "${name}" the name of its output folder, which ${where}`,
    hint: 'rename the file: its name without the extension names the folder its films go to',
  };
}

/**
 * Parses and schema-checks a storyboard's text. Pure: no disk, no clock. Throws StoryboardError
 * with every problem found, each with its position.
 */
export function parseStoryboard(text: string, file: string): LoadedStoryboard {
  const name = storyboardName(file);
  const reserved = reservedNameProblem(file, name);
  if (reserved) throw new StoryboardError([reserved]);
  const { data, locator } = parseYamlMapping(text, file, { noun: 'storyboard', firstLine: 'version: 1' });
  const problems = schemaProblems(schemaValidator(STORYBOARD_SCHEMA), data, locator);
  if (problems.length > 0) throw new StoryboardError(problems);
  return { file, name, storyboard: data as unknown as Storyboard, locator };
}

/** Reads `file` (relative to `cwd`, default the process's) and parses it; see parseStoryboard. */
export async function loadStoryboard(
  file: string,
  options: { cwd?: string } = {},
): Promise<LoadedStoryboard> {
  const text = await readInputFile(path.resolve(options.cwd ?? process.cwd(), file), file);
  return parseStoryboard(text, file);
}
