import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { planAllVariants } from '../../src/plan/planner.js';
import { loadStoryboard } from '../../src/storyboard/load.js';
import { repoRoot } from '../helpers/cli.js';
import { load } from './support.js';

async function seedInputSchema() {
  const file = path.join(repoRoot, 'schemas', 'kling-3.0-standard-text-to-video.input.schema.json');
  return JSON.parse(await readFile(file, 'utf8'));
}

const varied = `version: 1
defaults: { sound: false, cfg_scale: 1, aspect_ratio: "1:1" }
scenes:
  - { id: a, prompt: "Single shot", duration: 15 }
  - { id: b, prompt: "Min", duration: 3, cfg_scale: 0 }
  - id: c
    prompt: Five shots
    multi_prompt:
      - { prompt: one, duration: 3 }
      - { prompt: two, duration: 3 }
      - { prompt: three, duration: 3 }
      - { prompt: four, duration: 3 }
      - { prompt: five, duration: 3 }
`;

describe("the seed's input schema", () => {
  it('every payload satisfies the seed input schema, with every one of its fields present', async () => {
    const schema = await seedInputSchema();
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const boards = [await loadStoryboard(path.join(repoRoot, 'storyboards', 'ad.yaml')), load(varied)];
    let payloads = 0;
    for (const board of boards) {
      const { plans, problems } = planAllVariants(board);
      expect(problems).toEqual([]);
      for (const job of plans.flatMap((plan) => plan.jobs)) {
        expect(validate(job.payload), JSON.stringify(validate.errors)).toBe(true);
        expect(Object.keys(job.payload).sort()).toEqual(Object.keys(schema.properties).sort());
        expect(JSON.stringify(job.payload)).not.toContain('{{');
        payloads += 1;
      }
    }
    expect(payloads).toBeGreaterThanOrEqual(20);
  });
});
