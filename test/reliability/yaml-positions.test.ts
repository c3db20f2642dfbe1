/**
 * Found by the property tests: after a YAML token that spans lines in a broken file, every later
 * syntax error was reported one line too early (the yaml parser's own line counter skips the newline
 * inside such a token), so `ad.yaml:9:57` pointed past the end of line 9 instead of at line 10.
 */
import { describe, expect, it } from 'vitest';
import { StoryboardError } from '../../src/errors.js';
import { parseStoryboard } from '../../src/storyboard/load.js';

function problemsOf(text: string) {
  try {
    parseStoryboard(text, 'ad.yaml');
  } catch (error) {
    if (error instanceof StoryboardError) return error.problems;
    throw error;
  }
  throw new Error('the storyboard was accepted');
}

describe('syntax errors point at the line they are on', () => {
  // A stray `}` at the start of line 4 breaks the mapping; the scalar after it runs into line 5.
  const text = [
    'version: 1',
    'vars:',
    '  product: Acme',
    '}  tagline: Every ride starts with a push.',
    '  look: golden hour',
    'scenes:',
    '  - id: a',
    '    prompt: x',
    '',
  ].join('\n');

  it('an error after a token that spans lines is reported on its own line', () => {
    const problems = problemsOf(text);
    const scenes = problems.find((problem) => problem.message.includes('"scenes"'));
    expect(scenes, JSON.stringify(problems)).toMatchObject({ line: 6, col: 1 });
  });

  it('every position lies inside the file and inside its line', () => {
    const lines = text.split('\n');
    for (const problem of problemsOf(text)) {
      expect(problem.line).toBeGreaterThanOrEqual(1);
      expect(problem.line).toBeLessThanOrEqual(lines.length);
      expect(problem.col).toBeLessThanOrEqual(lines[problem.line - 1]!.length + 1);
    }
  });
});
