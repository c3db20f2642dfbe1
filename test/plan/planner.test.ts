import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/errors.js';
import { MAX_PROMPT_CHARS } from '../../src/plan/limits.js';
import { clipName, planAllVariants, planOrThrow, planVariant, variantNames } from '../../src/plan/planner.js';
import { KLING_MODEL_ID } from '../../src/plan/types.js';
import { load, oneScene, planOf, problemsOf } from './support.js';

const twoScenes = `version: 1
title: Ride
vars:
  product: Acme Cruiser
defaults:
  negative_prompt: watermark
scenes:
  - id: street
    prompt: Street with a pink {{ product }}
    multi_prompt:
      - prompt: Wide shot of the {{product}}
        duration: 4
      - prompt: Tracking shot
        duration: 6
  - id: closeup
    prompt: Close-up of the girl
`;

describe('the planner turns each scene into the exact request Kling receives', () => {
  it('states every field of the request, the model defaults included', () => {
    const plan = planOf(oneScene('    prompt: Autumn street\n'));
    expect(plan.jobs[0]?.payload).toEqual({
      prompt: 'Autumn street',
      negative_prompt: '',
      duration: 5,
      aspect_ratio: '16:9',
      cfg_scale: 0.5,
      sound: true,
      shot_type: 'intelligent',
      multi_prompt: [],
    });
    expect(plan.jobs[0]?.model).toBe(KLING_MODEL_ID);
    expect(plan.jobs[0]?.shots).toEqual([{ prompt: 'Autumn street', duration: 5 }]);
  });

  it('fills {{vars}} (spaces inside the braces allowed), derives duration and shot type from segments', () => {
    const plan = planOf(twoScenes);
    const [street, closeup] = plan.jobs;
    expect(street?.payload).toMatchObject({
      prompt: 'Street with a pink Acme Cruiser',
      negative_prompt: 'watermark',
      duration: 10,
      shot_type: 'customize',
      multi_prompt: [
        { prompt: 'Wide shot of the Acme Cruiser', duration: 4 },
        { prompt: 'Tracking shot', duration: 6 },
      ],
    });
    expect(street?.shots).toHaveLength(2);
    expect(closeup?.payload.duration).toBe(5);
    expect(plan).toMatchObject({ title: 'Ride', storyboard: 'board', variant: 'default', totalDuration: 15 });
    expect(plan.jobs.map((job) => job.clipName)).toEqual(['01-street.mp4', '02-closeup.mp4']);
  });

  it('lets a scene override the defaults, and uses defaults.duration only for scenes without segments', () => {
    const plan = planOf(
      `version: 1
defaults: { duration: 8, sound: false, cfg_scale: 0.7, aspect_ratio: "1:1" }
scenes:
  - { id: a, prompt: A }
  - { id: b, prompt: B, duration: 3, sound: true, aspect_ratio: "9:16" }
  - id: c
    prompt: C
    multi_prompt: [{ prompt: one, duration: 3 }, { prompt: two, duration: 3 }]
`,
    );
    expect(plan.jobs.map((job) => [job.duration, job.payload.sound, job.payload.aspect_ratio])).toEqual([
      [8, false, '1:1'],
      [3, true, '9:16'],
      [6, false, '1:1'],
    ]);
    expect(plan.jobs[0]?.payload.cfg_scale).toBe(0.7);
  });

  it('accepts an explicit duration that matches the segments', () => {
    const plan = planOf(
      oneScene(
        '    prompt: x\n    duration: 7\n    multi_prompt:\n      - { prompt: a, duration: 3 }\n      - { prompt: b, duration: 4 }\n',
      ),
    );
    expect(plan.jobs[0]?.duration).toBe(7);
  });

  it('trims the whitespace YAML block scalars leave around prompts', () => {
    const plan = planOf(oneScene('    prompt: >\n      Autumn street,\n      golden hour\n'));
    expect(plan.jobs[0]?.payload.prompt).toBe('Autumn street, golden hour');
  });

  it('names clips with two digits, three once a film has 100 scenes', () => {
    expect(clipName(0, 4, 'street')).toBe('01-street.mp4');
    expect(clipName(99, 100, 'end')).toBe('100-end.mp4');
    const scenes = Array.from(
      { length: 100 },
      (_, i) => `  - { id: s${i}, prompt: Scene ${i}, duration: 3 }`,
    );
    const plan = planOf(`version: 1\nscenes:\n${scenes.join('\n')}\n`);
    expect(plan.jobs[0]?.clipName).toBe('001-s0.mp4');
    expect(plan.jobs[99]?.clipName).toBe('100-s99.mp4');
  });

  it('estimates the cost from the price table', () => {
    const prices = { perSecondWithSound: 0.2, perSecondSilent: 0.1 };
    const plan = planOf(
      'version: 1\nscenes:\n  - { id: a, prompt: A, duration: 5 }\n  - { id: b, prompt: B, duration: 4, sound: false }\n',
      'default',
      { prices },
    );
    expect(plan.jobs.map((job) => job.cost)).toEqual([1, 0.4]);
    expect(plan.totalCost).toBe(1.4);
  });
});

describe('what the planner refuses, and where it says the mistake is', () => {
  it('segments that do not add up are reported with the scene position', () => {
    const problems = problemsOf(
      oneScene(
        '    prompt: x\n    duration: 12\n    multi_prompt:\n      - { prompt: a, duration: 3 }\n      - { prompt: b, duration: 4 }\n',
      ),
    );
    expect(problems.map(formatProblem)).toEqual([
      'board.yaml:5:15 scenes[0].duration: duration is 12 s but the segments add up to 3 + 4 = 7 s (fix a segment, or remove duration: it is derived from the segments)',
    ]);
  });

  it('an undefined variable names the closest defined one and points at the placeholder itself', () => {
    const [problem] = problemsOf(
      oneScene('    prompt: "Pink {{prodct}} bike"\n', 'vars: { product: Acme }\n'),
    );
    expect(problem).toMatchObject({ line: 5, col: 19, message: 'undefined variable {{prodct}}' });
    expect(problem?.hint).toBe("did you mean 'product'?");
  });

  it('counts prompt length after filling variables, against one limit that can be changed', () => {
    const longVar = `vars: { look: "${'x'.repeat(1300)}" }\n`;
    const [problem] = problemsOf(oneScene('    prompt: "{{look}} {{look}}"\n', longVar));
    expect(problem?.message).toBe(
      `prompt is 2601 characters after filling {{vars}}; Kling accepts at most ${MAX_PROMPT_CHARS}`,
    );
    expect(problemsOf(oneScene('    prompt: abcdef\n'), 'default', { promptLimit: 5 })[0]?.message).toBe(
      'prompt is 6 characters; Kling accepts at most 5',
    );
  });

  it('counts characters as people do (an emoji is one)', () => {
    const prompt = '🚲'.repeat(MAX_PROMPT_CHARS);
    expect(problemsOf(oneScene(`    prompt: "${prompt}"\n`))).toEqual([]);
  });

  it('refuses an unknown variant with a suggestion', () => {
    const result = planVariant(
      load(`${twoScenes}variants:\n  vertical: { defaults: { aspect_ratio: "9:16" } }\n`),
      'verticl',
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map(formatProblem)).toEqual([
      "board.yaml: no variant named 'verticl' (did you mean 'vertical'?)",
    ]);
  });

  it('planOrThrow throws every problem as one StoryboardError', () => {
    expect(() => planOrThrow(load(oneScene('    prompt: "{{a}} {{b}}"\n')), 'default')).toThrow(
      /undefined variable \{\{a\}\}[\s\S]*undefined variable \{\{b\}\}/,
    );
  });
});

const withVariants = `${twoScenes}variants:
  vertical:
    defaults: { aspect_ratio: "9:16" }
  de:
    vars: { product: Acme Stadtrad }
  teaser:
    only: [closeup]
  night:
    scenes:
      closeup: { prompt: Close-up by streetlight, sound: false }
`;

describe('variants', () => {
  it("lists 'default' first, then the declared variants in file order", () => {
    expect(variantNames(load(withVariants))).toEqual(['default', 'vertical', 'de', 'teaser', 'night']);
    expect(variantNames(load(twoScenes))).toEqual(['default']);
  });

  it('override defaults, vars and scene fields, and keep a subset of scenes', () => {
    expect(planOf(withVariants, 'vertical').jobs.map((job) => job.payload.aspect_ratio)).toEqual([
      '9:16',
      '9:16',
    ]);
    expect(planOf(withVariants, 'de').jobs[0]?.payload.prompt).toBe('Street with a pink Acme Stadtrad');
    const teaser = planOf(withVariants, 'teaser');
    expect(teaser.jobs.map((job) => [job.scene, job.index, job.clipName])).toEqual([
      ['closeup', 0, '01-closeup.mp4'],
    ]);
    const night = planOf(withVariants, 'night').jobs[1]?.payload;
    expect(night).toMatchObject({
      prompt: 'Close-up by streetlight',
      sound: false,
      negative_prompt: 'watermark',
    });
  });

  it('share a job (and so its clip) wherever the request is the same', () => {
    const base = planOf(withVariants);
    const teaser = planOf(withVariants, 'teaser');
    const night = planOf(withVariants, 'night');
    expect(teaser.jobs[0]?.key).toBe(base.jobs[1]?.key);
    expect(night.jobs[0]?.key).toBe(base.jobs[0]?.key);
    expect(night.jobs[1]?.key).not.toBe(base.jobs[1]?.key);
  });

  it('validation reports a problem once, and says which variant brings it about', () => {
    const board = load(`version: 1
vars: { product: Acme }
scenes:
  - { id: a, prompt: "{{product}} {{colour}}" }
variants:
  red: { vars: { colour: red } }
  blank: { vars: { product: "", colour: "" } }
`);
    const { problems, plans } = planAllVariants(board);
    expect(plans.map((plan) => plan.variant)).toEqual(['red']);
    expect(problems.map(formatProblem)).toEqual([
      "board.yaml:4:22 scenes[0].prompt: in variant 'blank': prompt is empty after filling {{vars}} (describe what the camera sees)",
      'board.yaml:4:35 scenes[0].prompt: undefined variable {{colour}} (define it under `vars:`)',
    ]);
  });
});
