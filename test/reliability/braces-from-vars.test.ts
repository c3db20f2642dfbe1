/**
 * Found by the soak's property run: the planner refuses a variable whose value contains '{{' or '}}'
 * ("braces in it would reach Kling"), but two values of one brace each, side by side, still put '}}'
 * into the request. The rule is about what is sent, so it is checked on the filled prompt.
 */
import { describe, expect, it } from 'vitest';
import { planVariant } from '../../src/plan/planner.js';
import { parseStoryboard } from '../../src/storyboard/load.js';
import { checkStoryboardText } from './planner-properties.js';

// The counterexample as fast-check shrank it.
const TEXT = [
  'version: 1',
  'scenes:',
  '  - id: r_',
  '    prompt: "{{_c}}{{_c}}"',
  '  - id: z-3---_',
  '    prompt: wide shot',
  'variants:',
  '  "0":',
  '    vars:',
  '      _c: "}"',
  '',
].join('\n');

describe('braces that only appear once variables are filled', () => {
  it('are refused at the prompt that puts them together, for the variant that does', () => {
    const loaded = parseStoryboard(TEXT, 'ad.yaml');
    const result = planVariant(loaded, '0');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ line: 4, path: 'scenes[0].prompt' });
    expect(result.problems[0]!.message).toMatch(/'\{\{' or '\}\}'/);
  });

  it('the property holds for the whole storyboard', () => {
    expect(() => checkStoryboardText(TEXT)).not.toThrow();
  });
});
