/**
 * A YAML syntax error caused by indentation is reported where the parser gave up (an over-indented
 * key under `prompt: x` comes out as "Nested mappings are not allowed in compact mappings" on the
 * line above). When parsing failed, this looks for the line whose indentation is wrong and says what
 * was expected. Pure, and only a heuristic: when it finds nothing the parser's own message stands.
 */

export interface IndentationMistake {
  line: number;
  col: number;
  message: string;
  hint: string;
}

interface Line {
  number: number;
  indent: number;
  /** Where a key of the line's mapping starts: after `- ` for a sequence item. */
  keyCol: number;
  /** The line ends with `key:` or is a bare `-`: the next line may go deeper. */
  opens: boolean;
  /** A block scalar (`|`, `>`) starts here: deeper lines are its text. */
  blockScalar: boolean;
}

const KEY = /^(?:-\s+)?(?:"[^"]*"|'[^']*'|[^\s#'"[{][^:#]*?):(?:\s|$)/;

export function indentationMistake(text: string): IndentationMistake | undefined {
  const columns: number[] = [];
  let previous: Line | undefined;
  let flowDepth = 0;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const content = raw.replace(/\s+#.*$/, '').trimEnd();
    const trimmed = content.trimStart();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed === '---') continue;
    const indent = content.length - trimmed.length;
    if (previous?.blockScalar && indent > previous.keyCol) continue;
    const inFlow = flowDepth > 0;
    flowDepth += count(trimmed, /[[{]/g) - count(trimmed, /[\]}]/g);
    // A bracket closing nothing: the file is broken some other way; the parser's message stands.
    if (flowDepth < 0) return undefined;
    if (inFlow) continue;
    const dash = /^-(\s|$)/.test(trimmed) ? (/^-\s+/.exec(trimmed)?.[0].length ?? 1) : 0;
    const line: Line = {
      number: index + 1,
      indent,
      keyCol: indent + dash,
      opens: trimmed === '-' || /:$/.test(trimmed),
      blockScalar: /:\s*[|>][-+0-9]*$/.test(trimmed),
    };
    if (previous) {
      const mistake = check(line, trimmed, previous, columns);
      if (mistake) return mistake;
    }
    while (columns.length > 0 && columns[columns.length - 1]! > indent) columns.pop();
    if (columns[columns.length - 1] !== indent) columns.push(indent);
    if (line.keyCol > indent) columns.push(line.keyCol);
    previous = line;
  }
  return undefined;
}

function check(
  line: Line,
  trimmed: string,
  previous: Line,
  columns: number[],
): IndentationMistake | undefined {
  const at = { line: line.number, col: line.indent + 1 };
  if (line.indent > previous.keyCol) {
    if (previous.opens || !KEY.test(trimmed)) return undefined;
    return {
      ...at,
      message: `this key is indented by ${line.indent} spaces, deeper than the key on line ${previous.number} (${previous.keyCol}), which already has a value`,
      hint: `indent it by ${previous.keyCol} spaces like the other keys of that mapping, or by fewer to close it`,
    };
  }
  if (columns.includes(line.indent)) return undefined;
  const expected = columns.filter((column) => column <= previous.keyCol);
  return {
    ...at,
    message: `this line is indented by ${line.indent} spaces, which lines up with nothing above it`,
    hint: `indent it by ${[...expected].reverse().join(', ')} spaces, to line up with a key above`,
  };
}

function count(text: string, pattern: RegExp): number {
  // Brackets inside quotes are text, not flow collections.
  return (text.replace(/"[^"]*"|'[^']*'/g, '').match(pattern) ?? []).length;
}
