import { describe, expect, it } from 'vitest';
import { formatProblem, StoryboardError } from '../../src/errors.js';
import { parseStoryboard } from '../../src/storyboard/load.js';
import { MAX_INPUT_BYTES } from '../../src/storyboard/yaml-source.js';

function problems(yaml: string, file = 'ad.yaml') {
  try {
    parseStoryboard(yaml, file);
  } catch (error) {
    if (error instanceof StoryboardError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseStoryboard', () => {
  it('reads a valid storyboard and names it after its file', () => {
    const loaded = parseStoryboard(
      'version: 1\ntitle: Ride\nscenes:\n  - id: street\n    prompt: Autumn street\n',
      'boards/ad.yaml',
    );
    expect(loaded.name).toBe('ad');
    expect(loaded.file).toBe('boards/ad.yaml');
    expect(loaded.storyboard.scenes[0]).toEqual({ id: 'street', prompt: 'Autumn street' });
  });

  it('a typo in a key suggests the right one', () => {
    const found = problems('version: 1\nscenes:\n  - id: street\n    promt: Autumn street\n');
    expect(found.map(formatProblem)).toEqual([
      "ad.yaml:4:5 scenes[0]: unknown key 'promt' (did you mean 'prompt'?)",
    ]);
  });

  it('a key far from every valid one lists the allowed keys instead of guessing', () => {
    const [problem] = problems('version: 1\nscenes:\n  - id: street\n    prompt: x\n    camera: dolly\n');
    expect(problem?.message).toBe("unknown key 'camera'");
    expect(problem?.hint).toContain('allowed keys: id, prompt, negative_prompt');
  });

  it('reports every problem at once, in file order', () => {
    const found = problems(
      'version: 1\nscenes:\n  - id: Street\n    prompt: x\n    duration: 30\n  - id: b\n    prompt: y\n    sound: maybe\n',
    );
    expect(found.map((p) => `${p.line}:${p.col} ${p.path}`)).toEqual([
      '3:9 scenes[0].id',
      '5:15 scenes[0].duration',
      '8:12 scenes[1].sound',
    ]);
  });

  it('points inside flow mappings at the offending value', () => {
    const [problem] = problems('version: 1\nscenes:\n  - { id: a, prompt: b, aspect_ratio: "4:3" }\n');
    expect([problem?.line, problem?.col, problem?.path]).toEqual([3, 39, 'scenes[0].aspect_ratio']);
  });

  it('refuses a file larger than the cap before parsing it', () => {
    const huge = `version: 1\ntitle: "${'x'.repeat(MAX_INPUT_BYTES)}"\n`;
    const [problem] = problems(huge);
    expect(problem?.message).toMatch(/bytes, more than the 1048576 bytes storyreel reads/);
  });

  it('refuses nesting so deep that the YAML parser gives up, without a stack trace', () => {
    const deep = `version: 1\ntitle: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
    const [problem] = problems(deep);
    expect(problem?.message).toMatch(/YAML syntax error|cannot parse the file/);
  });

  it('accepts YAML anchors and aliases used reasonably', () => {
    const loaded = parseStoryboard(
      'version: 1\nvars:\n  look: &look golden hour\nscenes:\n  - id: a\n    prompt: *look\n',
      'a.yaml',
    );
    expect(loaded.storyboard.scenes[0]?.prompt).toBe('golden hour');
  });

  it('reads JSON too (JSON is YAML)', () => {
    const loaded = parseStoryboard('{"version": 1, "scenes": [{"id": "a", "prompt": "b"}]}', 'a.json');
    expect(loaded.name).toBe('a');
  });
});
