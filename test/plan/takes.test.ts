import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, jobKey } from '../../src/plan/job-key.js';
import { KLING_MODEL_ID } from '../../src/plan/types.js';
import { synthesisSpec } from '../../src/providers/preview/index.js';
import { oneScene, planOf, problemsOf } from './support.js';

const street = `    prompt: Autumn street
    duration: 5
`;

function jobOf(yaml: string, variant = 'default') {
  return planOf(yaml, variant).jobs[0]!;
}

describe('takes and job keys', () => {
  it('take 1, written or not, keeps the key every existing output folder was made with', () => {
    const implicit = jobOf(oneScene(street));
    const explicit = jobOf(oneScene(`${street}    take: 1\n`));
    // Today's key, as documented: sha256 of the canonical JSON of {model, payload}, with no take in it.
    const today = createHash('sha256')
      .update(canonicalJson({ model: KLING_MODEL_ID, payload: implicit.payload }))
      .digest('hex');
    expect(implicit.key).toBe(today);
    expect(explicit.key).toBe(today);
    expect(implicit.take).toBe(1);
    expect(explicit.take).toBe(1);
  });

  it('a retake sends the same request under a key of its own, the same on every run', () => {
    const first = jobOf(oneScene(street));
    const second = jobOf(oneScene(`${street}    take: 2\n`));
    const third = jobOf(oneScene(`${street}    take: 3\n`));
    expect(second.payload).toEqual(first.payload);
    expect(second.cost).toBe(first.cost);
    expect(new Set([first.key, second.key, third.key]).size).toBe(3);
    expect(second.take).toBe(2);
    expect(jobOf(oneScene(`${street}    take: 2\n`)).key).toBe(second.key);
  });

  it('every take of a scene has its own key, and no take collides with another scene', () => {
    const a = jobOf(oneScene(street)).payload;
    const b = jobOf(oneScene('    prompt: Autumn street at night\n    duration: 5\n')).payload;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 99 }), (m, n) => {
        expect(jobKey(KLING_MODEL_ID, a, m) === jobKey(KLING_MODEL_ID, a, n)).toBe(m === n);
        expect(jobKey(KLING_MODEL_ID, a, m)).not.toBe(jobKey(KLING_MODEL_ID, b, n));
      }),
    );
  });

  it('a variant can choose another take of a scene; variants choosing the same take share the job', () => {
    const yaml = `version: 1
scenes:
  - id: street
    prompt: Autumn street
  - id: closeup
    prompt: Close-up
variants:
  director: { scenes: { street: { take: 2 } } }
  vertical: { defaults: { aspect_ratio: "9:16" }, scenes: { street: { take: 2 } } }
  client: { scenes: { street: { take: 2, supers: [{ text: Hello }] } } }
`;
    const base = planOf(yaml);
    const director = planOf(yaml, 'director');
    expect(director.jobs[0]!.take).toBe(2);
    expect(director.jobs[0]!.key).not.toBe(base.jobs[0]!.key);
    expect(director.jobs[0]!.payload).toEqual(base.jobs[0]!.payload);
    expect(director.jobs[1]!.key).toBe(base.jobs[1]!.key); // the other scene is untouched
    expect(planOf(yaml, 'client').jobs[0]!.key).toBe(director.jobs[0]!.key); // a super is finishing
    expect(planOf(yaml, 'vertical').jobs[0]!.key).not.toBe(director.jobs[0]!.key); // another request
  });

  it('no finishing key changes the key of a retake either', () => {
    const bare = jobOf(oneScene(`${street}    take: 2\n`));
    const finished = jobOf(
      oneScene(
        `${street}    take: 2
    trim: { start: 0.5 }
    transition: dip
    supers: [{ text: Super, at: 1, for: 2 }]
    captions: [{ text: Words, at: 0, for: 1 }]
`,
        'finish: { loudness: -16, end_card: { duration: 2, text: Bye } }\n',
      ),
    );
    expect(finished.key).toBe(bare.key);
  });

  it('refuses what is not a take, at its position, before anything is planned', () => {
    for (const [value, message] of [
      ['0', 'must be from 1 to 99, not 0'],
      ['1.5', 'must be a whole number, not 1.5'],
      ['"two"', "must be a whole number, not the text 'two'"],
      ['-2', 'must be from 1 to 99, not -2'],
    ] as const) {
      const problems = problemsOf(oneScene(`${street}    take: ${value}\n`));
      expect(problems, value).toHaveLength(1);
      expect(problems[0]).toMatchObject({ line: 6, col: 11, path: 'scenes[0].take', message });
      expect(problems[0]!.hint).toContain('take: 2');
    }
  });

  it('the key function itself refuses a take that is not a whole number from 1', () => {
    const payload = jobOf(oneScene(street)).payload;
    for (const take of [0, -1, 1.5, Number.NaN])
      expect(() => jobKey(KLING_MODEL_ID, payload, take)).toThrow(RangeError);
  });

  it('the preview draws a retake as such, so two takes of one request are not the same animatic', () => {
    const payload = jobOf(oneScene(street)).payload;
    expect(synthesisSpec(payload, {}, undefined, 2).title).toContain('take 2');
    expect(synthesisSpec(payload, {}, undefined, 1).title).not.toContain('take');
    expect(synthesisSpec(payload).title).toBe(synthesisSpec(payload, {}, undefined, 1).title);
  });
});
