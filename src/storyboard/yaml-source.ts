/**
 * Turns text into plain data plus a locator, refusing everything YAML allows but a storyboard
 * should not: syntax errors, duplicate keys, several documents, alias bombs, an empty file.
 */

import {
  type Alias,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  type YAMLError,
} from 'yaml';
import { type Problem, StoryboardError } from '../errors.js';
import { indentationMistake } from './indentation.js';
import { createLocator, type SourceLocator } from './locate.js';

/** Large enough for any real storyboard (a 999-scene one is ~1 MB); refused before parsing. */
export const MAX_INPUT_BYTES = 1024 * 1024;
/** YAML aliases are expanded when the data is built; beyond this it is an attack, not a storyboard. */
const MAX_ALIAS_COUNT = 100;

export interface ParsedYaml {
  data: Record<string, unknown>;
  locator: SourceLocator;
}

export interface YamlKind {
  /** 'storyboard' or 'price table', for messages. */
  noun: string;
  /** What a valid file starts with, for the empty-file hint. */
  firstLine: string;
}

function at(file: string, lines: LineCounter, offset: number, message: string, hint?: string): Problem {
  const { line, col } = lines.linePos(offset);
  return hint ? { file, line, col, path: '', message, hint } : { file, line, col, path: '', message };
}

function yamlProblem(file: string, lines: LineCounter, error: YAMLError): Problem {
  const offset = error.pos[0];
  switch (error.code) {
    case 'MULTIPLE_DOCS':
      return at(file, lines, offset, 'the file holds more than one YAML document', "remove the second '---'");
    case 'TAG_RESOLVE_FAILED':
      return at(
        file,
        lines,
        offset,
        `YAML tag not supported: ${error.message.replace(/^Unresolved tag: /, '')}`,
      );
    default:
      return at(file, lines, offset, `YAML syntax error: ${error.message.split('\n')[0]}`);
  }
}

/** Every mapping's keys must be unique plain scalars; duplicates are reported at the second one. */
function keyProblems(file: string, lines: LineCounter, root: Node): Problem[] {
  const problems: Problem[] = [];
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isSeq(node)) pending.push(...node.items);
    if (!isMap(node)) continue;
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      pending.push(pair.value);
      const key = pair.key as Node | null;
      const offset = key?.range?.[0] ?? node.range?.[0] ?? 0;
      if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
        problems.push(at(file, lines, offset, 'a key must be a plain name', 'write `name: value`'));
        continue;
      }
      const name = String(key.value);
      const first = seen.get(name);
      if (first !== undefined) {
        const firstLine = lines.linePos(first).line;
        problems.push(
          at(
            file,
            lines,
            offset,
            `duplicate key '${name}'`,
            `it is already set on line ${firstLine}; keep one`,
          ),
        );
      } else seen.set(name, offset);
    }
  }
  return problems;
}

function describeShape(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** Parses `text` as one YAML (or JSON) mapping; throws StoryboardError listing every problem. */
export function parseYamlMapping(text: string, file: string, kind: YamlKind): ParsedYaml {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_INPUT_BYTES) {
    throw new StoryboardError([tooLarge(file, size)]);
  }
  const lines = lineCounterOf(text);
  let doc: Document;
  try {
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, merge: false });
  } catch (error) {
    throw new StoryboardError([unparsable(file, error)]);
  }
  const syntax = [...doc.errors, ...doc.warnings].map((error) => yamlProblem(file, lines, error));
  if (syntax.length > 0) {
    // An indentation mistake is said where it is, with the indentation expected (not as the parser's
    // complaint about a neighbouring line).
    const mistake = doc.errors.length > 0 ? indentationMistake(text) : undefined;
    throw new StoryboardError(mistake ? [{ file, path: '', ...mistake }] : syntax);
  }
  const contents = doc.contents as Node | null;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    const hint = `a ${kind.noun} starts with \`${kind.firstLine}\``;
    throw new StoryboardError([{ file, line: 1, col: 1, path: '', message: 'the file is empty', hint }]);
  }
  const duplicates = keyProblems(file, lines, contents);
  if (duplicates.length > 0) throw new StoryboardError(duplicates);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const problem = unparsable(file, error);
    // Said at the alias that crosses the limit, so the user sees which one to remove.
    const bomb = problem.message.includes('aliases') ? aliasOverLimit(doc) : undefined;
    if (bomb?.range) {
      throw new StoryboardError([
        at(
          file,
          lines,
          bomb.range[0],
          problem.message,
          `*${bomb.source} here is where it crosses the limit: use fewer aliases`,
        ),
      ]);
    }
    throw new StoryboardError([problem]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const problem = at(
      file,
      lines,
      contents.range?.[0] ?? 0,
      `a ${kind.noun} is a mapping of keys to values, but this file holds ${describeShape(data)}`,
      `start with \`${kind.firstLine}\``,
    );
    throw new StoryboardError([problem]);
  }
  return { data: data as Record<string, unknown>, locator: createLocator(file, text, doc, lines) };
}

/**
 * The alias at which the yaml library's alias budget runs out, found the way it counts (each anchor:
 * times referenced so far x the aliases nested in it), in document order.
 */
function aliasOverLimit(doc: Document): Alias | undefined {
  const anchors = new Map<unknown, { count: number; aliasCount: number }>();
  const nested = (node: unknown): number => {
    if (isAlias(node)) {
      const data = anchors.get(node.resolve(doc));
      return data ? data.count * data.aliasCount : 0;
    }
    if (isCollection(node)) return Math.max(0, ...node.items.map(nested));
    if (isPair(node)) return Math.max(nested(node.key), nested(node.value));
    return 1;
  };
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      const target = node.resolve(doc);
      if (!target) return;
      const data = anchors.get(target) ?? { count: 0, aliasCount: 0 };
      anchors.set(target, data);
      data.count += 1;
      if (data.aliasCount === 0) data.aliasCount = nested(target);
      if (data.count * data.aliasCount > MAX_ALIAS_COUNT) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Line starts counted from the text itself: the parser's own LineCounter misses the newline inside a
 * token that spans lines in a broken file, which put every later syntax error a line too early.
 */
function lineCounterOf(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines.addNewLine(at + 1);
  return lines;
}

export function tooLarge(file: string, bytes: number): Problem {
  const message = `the file is ${bytes} bytes, more than the ${MAX_INPUT_BYTES} bytes storyreel reads`;
  return { file, line: 0, col: 0, path: '', message, hint: 'split it into several storyboards' };
}

function unparsable(file: string, error: unknown): Problem {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  if (/alias/i.test(reason)) {
    const message = 'the file expands into too much data through YAML aliases (*name)';
    return { file, line: 0, col: 0, path: '', message, hint: 'use fewer aliases' };
  }
  return { file, line: 0, col: 0, path: '', message: `cannot parse the file: ${reason}` };
}
