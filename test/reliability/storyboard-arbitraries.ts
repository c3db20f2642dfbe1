/**
 * Generated storyboard text for the property tests: storyboards built field by field (mostly valid
 * values, sometimes any value at all), mutations of storyboards/ad.yaml (keys deleted or misspelt,
 * types changed, numbers out of range, broken {{vars}}, unicode, truncations), and text that is
 * barely YAML or not YAML at all.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { type Document, isMap, isScalar, isSeq, type Node, parseDocument, stringify } from 'yaml';
import { repoRoot } from '../helpers/cli.js';

export const AD_YAML = readFileSync(path.join(repoRoot, 'storyboards', 'ad.yaml'), 'utf8');

/** Mostly `valid`, now and then `wild`. */
function mostly<T, U>(valid: fc.Arbitrary<T>, wild: fc.Arbitrary<U>, weight = 12): fc.Arbitrary<T | U> {
  return fc.oneof({ weight, arbitrary: valid }, { weight: 1, arbitrary: wild });
}

/** Any value YAML can hold, for "the wrong type here". */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);

const badNumber = fc.constantFrom(
  0,
  1,
  2,
  16,
  100,
  -3,
  3.5,
  14.999,
  -0,
  1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
);
const safeName = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,8}$/);
const varName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);

/** Pieces that stress YAML quoting, placeholders and unicode handling. */
const awkward = fc.constantFrom(
  '{{',
  '}}',
  '{{}}',
  '{{ 1x }}',
  '{{ a b }}',
  '{',
  '}',
  '\u200b',
  '\u202e',
  '🚲',
  'e\u0301',
  '\ud83d',
  '\t',
  '\n',
  '#',
  ': ',
  '- ',
  '"',
  "'",
  '&a ',
  '*a',
  '!tag ',
  '%',
  '@',
  '`',
  '\\',
  '---',
  '...',
);
const word = fc.constantFrom('wide shot', 'a pink bike', 'golden hour', 'slow pan', 'close-up', ',', ' ');

/** How often a field holds a wrong value: 1 in (`valid` + 1). */
interface Wildness {
  valid: number;
}

function promptOf(varNames: string[], w: Wildness): fc.Arbitrary<string> {
  const reference = varNames.length ? fc.constantFrom(...varNames).map((name) => `{{${name}}}`) : word;
  const piece = fc.oneof(
    { weight: 4 * w.valid, arbitrary: word },
    { weight: w.valid, arbitrary: reference },
    { weight: 1, arbitrary: varName.map((name) => `{{ ${name} }}`) },
    { weight: 1, arbitrary: awkward },
    { weight: Math.ceil(w.valid / 4), arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
  );
  const short = fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
  // Now and then past Kling's limits (512 per shot, 2,500 per prompt).
  return fc.oneof(
    { weight: w.valid, arbitrary: short },
    { weight: 1, arbitrary: short.map((p) => p.repeat(200)) },
  );
}

function fieldsOf(w: Wildness) {
  const often = <T, U>(valid: fc.Arbitrary<T>, wild: fc.Arbitrary<U>) => mostly(valid, wild, w.valid);
  return {
    seconds: often(fc.integer({ min: 3, max: 15 }), fc.oneof(badNumber, anyValue)),
    segmentSeconds: often(fc.integer({ min: 3, max: 5 }), fc.oneof(badNumber, anyValue)),
    aspectRatio: often(
      fc.constantFrom('16:9', '9:16', '1:1'),
      fc.oneof(fc.constantFrom('4:3', '16/9', ''), anyValue),
    ),
    cfgScale: often(fc.double({ min: 0, max: 1, noNaN: true }), fc.oneof(badNumber, anyValue)),
    sound: often(fc.boolean(), fc.oneof(fc.constantFrom('yes', 'true', 1, 0), anyValue)),
    often,
  };
}

function segmentsOf(varNames: string[], w: Wildness): fc.Arbitrary<unknown> {
  const { often, segmentSeconds } = fieldsOf(w);
  const segment = fc.record(
    { prompt: often(promptOf(varNames, w), anyValue), duration: segmentSeconds },
    { requiredKeys: ['prompt', 'duration'] },
  );
  const wrongCount = fc.array(segment, { maxLength: 7 });
  return often(
    fc.array(often(segment, anyValue), { minLength: 2, maxLength: 5 }),
    fc.oneof(wrongCount, anyValue),
  );
}

/** The fields a scene (or a variant's patch of one) may set, in one of the two shapes a scene has. */
function sceneBody(varNames: string[], w: Wildness): fc.Arbitrary<Record<string, unknown>> {
  const { often, seconds, aspectRatio, cfgScale, sound } = fieldsOf(w);
  const common = {
    prompt: often(promptOf(varNames, w), anyValue),
    negative_prompt: often(promptOf(varNames, w), anyValue),
    aspect_ratio: aspectRatio,
    cfg_scale: cfgScale,
    sound,
  };
  const wrongShotType = fc.constantFrom('custom', 'auto', 'intelligent', 'customize', 1);
  const single = fc.record(
    { ...common, duration: seconds, shot_type: often(fc.constant('intelligent'), wrongShotType) },
    { requiredKeys: [] },
  );
  const multi = fc.record(
    {
      ...common,
      multi_prompt: segmentsOf(varNames, w),
      shot_type: often(fc.constant('customize'), wrongShotType),
      // Usually left out (it is derived); given (and then often wrong) when wild.
      duration: often(fc.constant(undefined), seconds),
    },
    { requiredKeys: ['multi_prompt'] },
  );
  return fc.oneof(single, multi).map((body) => {
    const copy: Record<string, unknown> = { ...body };
    if (copy.duration === undefined) delete copy.duration;
    return copy;
  });
}

function sceneOf(
  varNames: string[],
  id: fc.Arbitrary<unknown>,
  w: Wildness,
): fc.Arbitrary<Record<string, unknown>> {
  const { often } = fieldsOf(w);
  return fc
    .tuple(id, often(promptOf(varNames, w), anyValue), sceneBody(varNames, w))
    .map(([sceneId, prompt, body]) => ({ id: sceneId, ...body, prompt }));
}

function defaultsOf(w: Wildness) {
  const { seconds, aspectRatio, cfgScale, sound } = fieldsOf(w);
  return fc.record(
    {
      aspect_ratio: aspectRatio,
      sound,
      cfg_scale: cfgScale,
      negative_prompt: fc.string({ maxLength: 20 }),
      duration: seconds,
    },
    { requiredKeys: [] },
  );
}

function varsOf(names: string[], w: Wildness): fc.Arbitrary<Record<string, unknown>> {
  if (names.length === 0) return fc.constant({});
  const words = fc.array(word, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));
  const value = mostly(words, fc.oneof(awkward, anyValue), w.valid);
  return fc
    .tuple(...names.map(() => value))
    .map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]])));
}

function variantOf(
  varNames: string[],
  sceneIds: string[],
  w: Wildness,
): fc.Arbitrary<Record<string, unknown>> {
  const { often } = fieldsOf(w);
  const anyId = often(fc.constantFrom(...sceneIds), safeName);
  return fc.record(
    {
      defaults: defaultsOf(w),
      vars: varsOf(varNames, w),
      scenes: fc.dictionary(anyId, often(sceneBody(varNames, w), anyValue), { maxKeys: 2 }),
      only: often(
        fc.subarray(sceneIds, { minLength: 1 }),
        fc.oneof(fc.array(anyId, { maxLength: 3 }), anyValue),
      ),
    },
    { requiredKeys: [] },
  );
}

/** A storyboard built field by field, as data. */
function storyboardDataOf(w: Wildness): fc.Arbitrary<Record<string, unknown>> {
  const { often } = fieldsOf(w);
  return fc
    .tuple(
      fc.uniqueArray(varName, { maxLength: 3 }),
      fc.uniqueArray(safeName, { minLength: 1, maxLength: 4 }),
    )
    .chain(([varNames, ids]) => {
      const wrongId = fc.oneof(
        fc.constantFrom(...ids),
        safeName,
        anyValue,
        fc.constantFrom('default', 'Scene 1', '../x'),
      );
      const scenes = fc.tuple(
        ...ids.map((sceneId) => sceneOf(varNames, often(fc.constant(sceneId), wrongId), w)),
      );
      const variantName = often(safeName, fc.constantFrom('default', 'Big One', ''));
      return fc.record(
        {
          version: often(fc.constant(1), fc.oneof(fc.constantFrom(2, '1', 1.0001), anyValue)),
          title: often(fc.string({ maxLength: 20 }), anyValue),
          vars: often(varsOf(varNames, w), anyValue),
          defaults: often(defaultsOf(w), anyValue),
          scenes: often(scenes, fc.oneof(fc.constant([]), anyValue)),
          variants: often(fc.dictionary(variantName, variantOf(varNames, ids, w), { maxKeys: 3 }), anyValue),
        },
        { requiredKeys: ['version', 'scenes'] },
      );
    });
}

/** Half the storyboards are careful (a wrong value now and then), half are careless. */
export const storyboardData: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  storyboardDataOf({ valid: 400 }),
  storyboardDataOf({ valid: 10 }),
);

/** As YAML (block or flow style) or as JSON, which is YAML too. */
export const generatedStoryboard: fc.Arbitrary<string> = fc
  .tuple(storyboardData, fc.constantFrom('block', 'flow', 'json'))
  .map(([data, style]) => {
    if (style === 'json') return JSON.stringify(data, null, 2);
    return stringify(data, style === 'flow' ? { collectionStyle: 'flow' } : {});
  });

// --- mutations of storyboards/ad.yaml --------------------------------------------------------------

type NodePath = (string | number)[];

/** Every path to a value in the document's data, parents before children. */
function nodePaths(doc: Document): NodePath[] {
  const paths: NodePath[] = [];
  const walk = (value: unknown, at: NodePath) => {
    if (at.length > 0) paths.push(at);
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, [...at, index]);
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, [...at, key]);
    }
  };
  walk(doc.toJS(), []);
  return paths;
}

export interface Mutation {
  op: 'delete' | 'rename' | 'retype' | 'badNumber' | 'breakVar' | 'unicode' | 'duplicateItem' | 'emptyValue';
  target: number;
  value: unknown;
  choice: number;
}

const misspell = (key: string, choice: number): string => {
  const forms = [
    key.slice(0, -1),
    `${key}s`,
    key.toUpperCase(),
    key.replace('_', '-'),
    key.length > 1 ? key.charAt(1) + key.charAt(0) + key.slice(2) : `${key}${key}`,
    ` ${key}`,
    `${key}\u200b`,
  ];
  return forms[choice % forms.length]!;
};

const breakVar = (text: string, choice: number): string => {
  const at = choice % (text.length + 1);
  const inserts = ['{{', '}}', '{{nope}}', '{{ bad name }}', '{{}}', '{{product', 'product}}'];
  const broken = text.replace('}}', '}');
  return choice % 3 === 0 && broken !== text
    ? broken
    : text.slice(0, at) + inserts[choice % inserts.length] + text.slice(at);
};

const unicodeBits = [
  '🚲',
  'é',
  'e\u0301',
  '\u202e',
  '\u200b',
  'ß',
  '中文',
  '\ufeff',
  '\u0000',
  '\ud800',
  '\u2028',
];

function applyMutation(doc: Document, mutation: Mutation): void {
  const paths = nodePaths(doc);
  if (paths.length === 0) return;
  const target = paths[mutation.target % paths.length]!;
  const parentPath = target.slice(0, -1);
  const last = target.at(-1)!;
  const current = doc.getIn(target, true) as Node | undefined;
  switch (mutation.op) {
    case 'delete':
      doc.deleteIn(target);
      return;
    case 'rename': {
      const parent = doc.getIn(parentPath, true);
      if (!isMap(parent) || typeof last !== 'string') return;
      const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === last);
      if (pair) pair.key = doc.createNode(misspell(last, mutation.choice));
      return;
    }
    case 'retype':
      doc.setIn(target, doc.createNode(mutation.value));
      return;
    case 'badNumber':
      doc.setIn(target, doc.createNode([0, 2, 16, -1, 3.5, 1e9, Number.NaN][mutation.choice % 7]));
      return;
    case 'breakVar':
      if (isScalar(current) && typeof current.value === 'string')
        current.value = breakVar(current.value, mutation.choice);
      return;
    case 'unicode':
      if (isScalar(current) && typeof current.value === 'string') {
        const bit = unicodeBits[mutation.choice % unicodeBits.length]!;
        const at = mutation.choice % (current.value.length + 1);
        current.value = current.value.slice(0, at) + bit + current.value.slice(at);
      }
      return;
    case 'duplicateItem': {
      const parent = doc.getIn(parentPath, true);
      if (isSeq(parent) && typeof last === 'number')
        parent.items.push(doc.createNode(doc.getIn(target)) as Node);
      return;
    }
    case 'emptyValue':
      doc.setIn(target, doc.createNode([null, '', [], {}][mutation.choice % 4]));
      return;
  }
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom(
    'delete',
    'rename',
    'retype',
    'badNumber',
    'breakVar',
    'unicode',
    'duplicateItem',
    'emptyValue',
  ),
  target: fc.nat(),
  value: anyValue,
  choice: fc.nat(),
});

export interface TextEdit {
  op: 'truncate' | 'deleteRange' | 'insert' | 'duplicateLine' | 'indent' | 'none';
  at: number;
  length: number;
  text: string;
}

function applyTextEdit(text: string, edit: TextEdit): string {
  const at = edit.at % (text.length + 1);
  switch (edit.op) {
    case 'truncate':
      return text.slice(0, at);
    case 'deleteRange':
      return text.slice(0, at) + text.slice(at + edit.length);
    case 'insert':
      return text.slice(0, at) + edit.text + text.slice(at);
    case 'duplicateLine': {
      const lines = text.split('\n');
      const index = edit.at % lines.length;
      lines.splice(index, 0, lines[index]!);
      return lines.join('\n');
    }
    case 'indent': {
      const lines = text.split('\n');
      const index = edit.at % lines.length;
      lines[index] = edit.length % 2 ? ` ${lines[index]}` : lines[index]!.replace(/^ /, '');
      return lines.join('\n');
    }
    case 'none':
      return text;
  }
}

export const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  op: fc.constantFrom('truncate', 'deleteRange', 'insert', 'duplicateLine', 'indent', 'none'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 40 }),
  text: fc.oneof(awkward, fc.string({ maxLength: 5 }), fc.string({ unit: 'binary', maxLength: 3 })),
});

/** storyboards/ad.yaml after a few structural mutations and then a few edits of its text. */
export const mutatedAd: fc.Arbitrary<string> = fc
  .tuple(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.array(textEdit, { maxLength: 2 }))
  .map(([mutations, edits]) => {
    const doc = parseDocument(AD_YAML);
    for (const m of mutations) applyMutation(doc, m);
    let text = doc.toString();
    for (const edit of edits) text = applyTextEdit(text, edit);
    return text;
  });

// --- text that is barely YAML, or not at all -------------------------------------------------------

const yamlToken = fc.constantFrom(
  'version: 1',
  'scenes:',
  '  - id: a',
  '    prompt: x',
  '    duration: 5',
  '    multi_prompt:',
  '      - prompt: y',
  '        duration: 3',
  'variants:',
  '  v: { only: [a] }',
  'vars: { p: q }',
  '&anchor',
  '*anchor',
  '<<: *anchor',
  '!!binary',
  '? complex key',
  '---',
  '...',
  '%YAML 1.2',
  '- [a, b]',
  '{',
  '"unterminated',
  "'",
  '|',
  '>-',
  '  ',
  '\t',
  '#',
);

export const randomText: fc.Arbitrary<string> = fc.oneof(
  fc.array(yamlToken, { maxLength: 12 }).map((lines) => lines.join('\n')),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
);
