import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generatedPath, generateStoryboardTypes } from '../../scripts/gen-types.js';

describe('the storyboard types', () => {
  it('are exactly what the schema generates (run `npm run gen:types` after editing the schema)', async () => {
    const committed = await readFile(generatedPath, 'utf8');
    expect(committed).toBe(await generateStoryboardTypes());
  });
});
