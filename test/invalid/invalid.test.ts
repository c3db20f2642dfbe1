import { describe, expect, it } from 'vitest';
import { StoryboardError } from '../../src/errors.js';
import { planAllVariants } from '../../src/plan/planner.js';
import { loadStoryboard } from '../../src/storyboard/load.js';
import { corpusDir, describeProblem, invalidCases } from './corpus.js';

async function problemsOf(file: string) {
  try {
    return planAllVariants(await loadStoryboard(file, { cwd: corpusDir })).problems;
  } catch (error) {
    if (error instanceof StoryboardError) return error.problems;
    throw error;
  }
}

const cases = invalidCases();

describe('every invalid storyboard is refused with its position and a message that says what to fix', () => {
  it('the corpus is large and every file says what it expects', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const { file, expected } of cases) expect(expected.length, file).toBeGreaterThan(0);
  });

  it.each(cases)('$file', async ({ file, expected }) => {
    const problems = await problemsOf(file);
    const described = problems.map(describeProblem);
    // One problem per mistake: no more, no fewer than the file expects.
    expect(described, described.join('\n')).toHaveLength(expected.length);
    expected.forEach((start, index) => {
      expect(described[index]!.startsWith(start), `${described[index]}\nshould start with\n${start}`).toBe(
        true,
      );
    });
    for (const problem of problems) expect(problem.file).toBe(file);
  });
});
