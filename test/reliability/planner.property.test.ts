/**
 * Bad input, generated: whatever a storyboard file holds, the loader and the planner answer with
 * plans the API accepts or with problems that say where and what, and never with a crash.
 * RELIABILITY_PROPERTY_RUNS raises the number of inputs per property (scripts/soak.ts does);
 * RELIABILITY_SEED replays a run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoryboardError } from '../../src/errors.js';
import { loadStoryboard } from '../../src/storyboard/load.js';
import { checkStoryboardText, exploreProperty, propertyRuns } from './planner-properties.js';
import { AD_YAML, generatedStoryboard, mutatedAd, randomText } from './storyboard-arbitraries.js';

const RUNS = propertyRuns(500);

describe('generated storyboards never crash the loader or the planner', () => {
  it('the unmutated ad plans (the mutations start from a good storyboard)', () => {
    expect(checkStoryboardText(AD_YAML)).toMatchObject({ kind: 'planned', variants: 5 });
  });

  it('storyboards built field by field give valid payloads or positioned problems', () => {
    const tally = exploreProperty(generatedStoryboard, RUNS);
    console.log(`[reliability] generated storyboards: ${JSON.stringify(tally)}`);
    // Both sides of the property are exercised, not only the refusals.
    expect(tally.planned).toBeGreaterThan(RUNS / 10);
    expect(tally.refused).toBeGreaterThan(RUNS / 10);
  });

  it('mutations of storyboards/ad.yaml give valid payloads or positioned problems', () => {
    const tally = exploreProperty(mutatedAd, RUNS);
    console.log(`[reliability] mutated ad.yaml: ${JSON.stringify(tally)}`);
    expect(tally.planned).toBeGreaterThan(RUNS / 20);
    expect(tally.refused).toBeGreaterThan(RUNS / 2);
  });

  it('random and barely-YAML text is refused with positioned problems', () => {
    const tally = exploreProperty(randomText, RUNS);
    console.log(`[reliability] random text: ${JSON.stringify(tally)}`);
    expect(tally.refused).toBe(RUNS);
  });
});

describe('any bytes on disk are refused as a storyboard problem, never a crash', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-bytes-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('random bytes, BOMs and broken UTF-8 before valid text', async () => {
    const prefix = fc.constantFrom(
      Buffer.alloc(0),
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from([0xff, 0xfe]),
      Buffer.from([0xc3]),
      Buffer.from([0x00]),
    );
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.constant(new Uint8Array(Buffer.from(AD_YAML))),
    );
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(prefix, bytes, async (head, body) => {
        const file = path.join(dir, 'story.yaml');
        await writeFile(file, Buffer.concat([head, body]));
        tried += 1;
        try {
          await loadStoryboard(file);
        } catch (error) {
          if (!(error instanceof StoryboardError)) throw error;
          for (const problem of error.problems) expect(problem.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: Math.ceil(RUNS / 5) },
    );
    expect(tried).toBe(Math.ceil(RUNS / 5));
  });
});
