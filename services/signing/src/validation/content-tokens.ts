// Content streams compared operator by operator (ISO 32000-1 §7.8.2): enough of a lexer to tell
// whether two streams draw the same once marked-content operators are set aside.

const WHITE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

/**
 * Marked-content operators (ISO 32000-1 §14.6): they label content for tagging and paint
 * nothing, except a sequence tagged /OC, which is optional content and can hide what it wraps
 * (§8.11.3.2). Those are kept, so wrapping content in one is a difference.
 */
const MARKED_CONTENT = new Set(['BMC', 'BDC', 'EMC', 'MP', 'DP']);

/** Tokens of a content stream, each operator closing its operands; null when it cannot be read here (inline images, bad syntax). */
export function operations(data: Buffer, maxTokens: number): string[][] | null {
  const ops: string[][] = [];
  let operands: string[] = [];
  let i = 0;
  let tokens = 0;
  const n = data.length;
  const regular = (start: number): number => {
    let j = start;
    while (j < n && !WHITE.has(data[j] as number) && !DELIMITERS.has(data[j] as number)) j += 1;
    return j;
  };
  while (i < n) {
    if ((tokens += 1) > maxTokens) return null;
    const c = data[i] as number;
    if (WHITE.has(c)) {
      i += 1;
      continue;
    }
    if (c === 0x25) {
      while (i < n && data[i] !== 0x0a && data[i] !== 0x0d) i += 1;
      continue;
    }
    if (c === 0x28) {
      // A literal string, kept as written (escapes and nesting included).
      let depth = 0;
      const start = i;
      do {
        const d = data[i] as number;
        if (d === 0x5c) i += 1;
        else if (d === 0x28) depth += 1;
        else if (d === 0x29) depth -= 1;
        i += 1;
      } while (i < n && depth > 0);
      if (depth > 0) return null;
      operands.push(data.toString('latin1', start, i));
      continue;
    }
    if (c === 0x3c && data[i + 1] === 0x3c) {
      operands.push('<<');
      i += 2;
      continue;
    }
    if (c === 0x3e && data[i + 1] === 0x3e) {
      operands.push('>>');
      i += 2;
      continue;
    }
    if (c === 0x3c) {
      const end = data.indexOf(0x3e, i);
      if (end < 0) return null;
      operands.push(
        `<${data
          .toString('latin1', i + 1, end)
          .replace(/\s+/g, '')
          .toLowerCase()}>`,
      );
      i = end + 1;
      continue;
    }
    if (c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d) {
      operands.push(String.fromCharCode(c));
      i += 1;
      continue;
    }
    if (c === 0x2f) {
      const end = regular(i + 1);
      operands.push(data.toString('latin1', i, end));
      i = end;
      continue;
    }
    const end = regular(i);
    if (end === i) return null;
    const word = data.toString('latin1', i, end);
    i = end;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word) || word === 'true' || word === 'false' || word === 'null') {
      operands.push(String(Number.isNaN(Number(word)) ? word : Number(word)));
      continue;
    }
    // Inline images carry binary data this lexer does not read.
    if (word === 'BI' || word === 'ID') return null;
    ops.push([...operands, word]);
    operands = [];
  }
  if (operands.length) ops.push(operands);
  return ops;
}

/**
 * The drawing operations of a stream with marked-content operators left out, as one text. A
 * sequence tagged /OC keeps its begin and its matching EMC, so moving where hidden content ends
 * is a difference too.
 */
export function drawingOperations(data: Buffer, maxTokens = 200_000): string | null {
  const ops = operations(data, maxTokens);
  if (!ops) return null;
  const open: boolean[] = [];
  const kept: string[] = [];
  for (const op of ops) {
    const operator = op[op.length - 1] as string;
    if (operator === 'BDC' || operator === 'BMC') {
      const optional = op[0] === '/OC';
      open.push(optional);
      if (optional) kept.push(op.join(' '));
    } else if (operator === 'EMC') {
      if (open.pop() ?? true) kept.push('EMC');
    } else if (!MARKED_CONTENT.has(operator)) kept.push(op.join(' '));
  }
  return kept.join('\n');
}

const drawings = new WeakMap<object, string | null>();

/**
 * `drawingOperations` of a stream's decoded bytes, kept per parsed stream object: the change
 * rules and the visual check's pre-check read the same content streams of one file.
 */
export function streamDrawing(stream: object, data: () => Buffer): string | null {
  if (drawings.has(stream)) return drawings.get(stream) ?? null;
  const drawing = drawingOperations(data());
  drawings.set(stream, drawing);
  return drawing;
}
