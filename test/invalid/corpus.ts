/**
 * The invalid corpus: each test/invalid/*.yaml ends with `# expect: LINE:COL text` lines, one per
 * problem the file must produce (in file order); `text` is the start of the formatted problem after
 * `FILE:LINE:COL ` (a file-level problem has position 0:0).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem, type Problem } from '../../src/errors.js';

export const corpusDir = path.dirname(fileURLToPath(import.meta.url));

export interface InvalidCase {
  file: string;
  expected: string[];
}

export function invalidCases(): InvalidCase[] {
  return readdirSync(corpusDir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => {
      // latin1: the corpus holds a file that is deliberately not UTF-8
      const text = readFileSync(path.join(corpusDir, file), 'latin1');
      const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((match) => match[1]!);
      return { file, expected };
    });
}

/** `LINE:COL rest-of-the-formatted-problem`, the form the expectations are written in. */
export function describeProblem(problem: Problem): string {
  const formatted = formatProblem(problem);
  const prefix = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.col} ` : `${problem.file}: `;
  return `${problem.line}:${problem.col} ${formatted.slice(prefix.length)}`;
}
