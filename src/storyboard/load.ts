/** Reads a storyboard file into checked data that knows where each of its values was written. */
import path from 'node:path';
import { StoryboardError } from '../errors.js';
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
 * Parses and schema-checks a storyboard's text. Pure: no disk, no clock. Throws StoryboardError
 * with every problem found, each with its position.
 */
export function parseStoryboard(text: string, file: string): LoadedStoryboard {
  const { data, locator } = parseYamlMapping(text, file, { noun: 'storyboard', firstLine: 'version: 1' });
  const problems = schemaProblems(schemaValidator(STORYBOARD_SCHEMA), data, locator);
  if (problems.length > 0) throw new StoryboardError(problems);
  return { file, name: storyboardName(file), storyboard: data as unknown as Storyboard, locator };
}

/** Reads `file` (relative to `cwd`, default the process's) and parses it; see parseStoryboard. */
export async function loadStoryboard(
  file: string,
  options: { cwd?: string } = {},
): Promise<LoadedStoryboard> {
  const text = await readInputFile(path.resolve(options.cwd ?? process.cwd(), file), file);
  return parseStoryboard(text, file);
}
