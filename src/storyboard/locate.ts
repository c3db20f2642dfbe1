/**
 * Maps a path into the parsed data (like `['scenes', 0, 'prompt']`) back to FILE:LINE:COL in the
 * source text, so that every problem can say where it is.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
} from 'yaml';
import type { Problem } from '../errors.js';

export type DocPath = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

export interface LocateOptions {
  /** Point at the key of the last path element instead of its value (for unknown or misplaced keys). */
  key?: boolean;
  /** A character offset inside the scalar's value (used to point at one `{{var}}` in a prompt). */
  offset?: number;
}

export interface ProblemOptions extends LocateOptions {
  hint?: string | undefined;
}

export interface SourceLocator {
  readonly file: string;
  /** The position of the node at `path`, or of its nearest existing ancestor. */
  position(path: DocPath, options?: LocateOptions): Position;
  /** The scalar at `path` exactly as written in the file, when there is one. */
  sourceText(path: DocPath): string | undefined;
  problem(path: DocPath, message: string, options?: ProblemOptions): Problem;
}

/** `scenes[0].multi_prompt[1].duration`: the form every message uses. */
export function formatPath(path: DocPath): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(part)) text += text ? `.${part}` : part;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text;
}

interface Found {
  node: Node | null;
  pair: Pair | undefined;
  complete: boolean;
}

function keyMatches(pair: Pair, key: string | number): boolean {
  return isScalar(pair.key) && String(pair.key.value) === String(key);
}

function walk(doc: Document, path: DocPath): Found {
  let node = doc.contents as Node | null;
  let pair: Pair | undefined;
  for (const part of path) {
    if (isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? node;
    let next: Node | null | undefined;
    let nextPair: Pair | undefined;
    if (isMap(node)) {
      // The last matching pair wins, as in the data the schema saw.
      nextPair = node.items.findLast((item) => keyMatches(item, part));
      next = nextPair ? (nextPair.value as Node | null) : undefined;
    } else if (isSeq(node) && typeof part === 'number') {
      next = node.items[part] as Node | undefined;
    }
    if (next === undefined) return { node, pair, complete: false };
    node = next;
    pair = nextPair;
  }
  return { node, pair, complete: true };
}

function offsetInsideScalar(node: Node, text: string, offset: number): number | undefined {
  if (!isScalar(node) || !node.range || typeof node.value !== 'string') return undefined;
  const [start, end] = node.range;
  const written = text.slice(start, end);
  if (node.type === 'PLAIN' && written === node.value) return start + offset;
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  if (quoted && written.slice(1, -1) === node.value) return start + 1 + offset;
  return undefined; // folded, escaped or multi-line: the scalar's start is the best honest answer
}

export function createLocator(file: string, text: string, doc: Document, lines: LineCounter): SourceLocator {
  const toPosition = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, col };
  };
  const position = (path: DocPath, options: LocateOptions = {}): Position => {
    const found = walk(doc, path);
    if (options.key && found.complete && isPair(found.pair) && (found.pair.key as Node | null)?.range) {
      return toPosition((found.pair.key as Node).range![0]);
    }
    // A key with no value (`prompt:`) has a null or empty node: point at its key.
    const empty = !found.node || (isScalar(found.node) && found.node.range?.[0] === found.node.range?.[1]);
    const node = empty && found.pair?.key ? (found.pair.key as Node) : found.node;
    if (!node?.range) return { line: 1, col: 1 };
    if (found.complete && options.offset !== undefined) {
      const inside = offsetInsideScalar(node, text, options.offset);
      if (inside !== undefined) return toPosition(inside);
    }
    return toPosition(node.range[0]);
  };
  return {
    file,
    position,
    sourceText(path) {
      const { node, complete } = walk(doc, path);
      if (!complete || !isScalar(node) || !node.range) return undefined;
      return text.slice(node.range[0], node.range[1]);
    },
    problem(path, message, options = {}) {
      const { line, col } = position(path, options);
      const problem: Problem = { file, line, col, path: formatPath(path), message };
      if (options.hint) problem.hint = options.hint;
      return problem;
    },
  };
}
