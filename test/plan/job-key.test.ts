import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, jobKey, takeKeys } from '../../src/plan/job-key.js';
import { KLING_MODEL_ID, type KlingRequest } from '../../src/plan/types.js';
import { oneScene, planOf } from './support.js';

const scene = `    prompt: Autumn street
    negative_prompt: watermark
    aspect_ratio: "16:9"
    cfg_scale: 0.5
    sound: true
    multi_prompt:
      - { prompt: Wide shot, duration: 3 }
      - { prompt: Tracking shot, duration: 4 }
`;

function keyOf(fields: string): string {
  return planOf(oneScene(fields)).jobs[0]!.key;
}

describe('job keys', () => {
  it('the same request always gets the same key; any change gives another', () => {
    const key = keyOf(scene);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(keyOf(scene)).toBe(key);
    // The same request written differently: comments, quoting, key order, flow style, defaults spelled out.
    const rewritten = `    # the opening
    multi_prompt: [{ duration: 3, prompt: "Wide shot" }, { prompt: 'Tracking shot', duration: 4 }]
    sound: true
    prompt: "Autumn street"
    negative_prompt: watermark
    shot_type: customize
    duration: 7
`;
    expect(keyOf(rewritten)).toBe(key);
    const edits: [string, string][] = [
      ['prompt: Autumn street', 'prompt: Autumn street.'],
      ['negative_prompt: watermark', 'negative_prompt: watermarks'],
      ['aspect_ratio: "16:9"', 'aspect_ratio: "9:16"'],
      ['cfg_scale: 0.5', 'cfg_scale: 0.6'],
      ['sound: true', 'sound: false'],
      ['Wide shot, duration: 3', 'Wide shot!, duration: 3'],
      ['Tracking shot, duration: 4', 'Tracking shot, duration: 5'],
    ];
    const keys = new Set([key]);
    for (const [from, to] of edits) {
      expect(scene).toContain(from);
      keys.add(keyOf(scene.replace(from, to)));
    }
    expect(keys.size).toBe(edits.length + 1);
  });

  it('hashes the model with the payload, so another model is another job', () => {
    const payload = planOf(oneScene(scene)).jobs[0]!.payload;
    expect(jobKey(KLING_MODEL_ID, payload)).not.toBe(jobKey('kling/kling-3.0/pro/text-to-video', payload));
  });

  it('canonical JSON does not depend on the order keys were written in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(object));
        expect(JSON.parse(canonicalJson(object))).toEqual(JSON.parse(JSON.stringify(object)));
      }),
    );
  });

  it('is sha256 of the canonical JSON of {model, payload}, as documented', async () => {
    const { createHash } = await import('node:crypto');
    const payload: KlingRequest = {
      prompt: 'p',
      negative_prompt: '',
      duration: 5,
      aspect_ratio: '16:9',
      cfg_scale: 0.5,
      sound: true,
      shot_type: 'intelligent',
      multi_prompt: [],
    };
    const text =
      '{"model":"kling/kling-3.0/standard/text-to-video","payload":{"aspect_ratio":"16:9","cfg_scale":0.5,' +
      '"duration":5,"multi_prompt":[],"negative_prompt":"","prompt":"p","shot_type":"intelligent","sound":true}}';
    expect(jobKey(KLING_MODEL_ID, payload)).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it("the keys of a scene's takes, computed together, are the keys each take gets alone", () => {
    const shot = fc.record({ prompt: fc.string(), duration: fc.integer({ min: 1, max: 15 }) });
    const request = fc.record({
      prompt: fc.string(),
      negative_prompt: fc.string(),
      duration: fc.integer({ min: 3, max: 15 }),
      aspect_ratio: fc.constantFrom('16:9', '9:16', '1:1'),
      cfg_scale: fc.double({ min: 0, max: 1, noNaN: true }),
      sound: fc.boolean(),
      shot_type: fc.constantFrom('intelligent', 'customize'),
      multi_prompt: fc.array(shot, { maxLength: 3 }),
    }) as fc.Arbitrary<KlingRequest>;
    fc.assert(
      fc.property(fc.string(), request, fc.integer({ min: 1, max: 12 }), (model, payload, upTo) => {
        const keys = takeKeys(model, payload, upTo);
        expect(keys).toEqual(Array.from({ length: upTo }, (_, i) => jobKey(model, payload, i + 1)));
      }),
    );
    const payload = planOf(oneScene(scene)).jobs[0]!.payload;
    expect(takeKeys(KLING_MODEL_ID, payload, 99)[98]).toBe(jobKey(KLING_MODEL_ID, payload, 99));
  });
});
