// The kubectl JSONPath subset (k8s.io/client-go/util/jsonpath) used by additionalPrinterColumns, plus the
// simple dotted paths of the scale subresource (.spec.replicas).
//
// Supported: optional {…} wrapper and $ root, .field (with \. escapes), ..field (recursive descent),
// .* and [*], [n] (negative counts from the end), [a:b:c] slices, unions [0,2] / ['a','b'],
// quoted keys ['a.b'] / ["a.b"] (one literal key), filters [?(@.type=="Ready")] with == != < <= > >=
// and existence [?(@.name)]. Evaluation is lenient like kube's printer columns (allowMissingKeys):
// missing keys, indexes out of range and type mismatches yield no result instead of an error.

export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPathError';
  }
}

export type Operand = { t: 'path'; root: '@' | '$'; steps: Step[] } | { t: 'literal'; value: unknown };

export type Step =
  | { t: 'field'; name: string }
  | { t: 'recursive' }
  | { t: 'wildcard' }
  | { t: 'index'; start?: number; end?: number; step?: number; single: boolean }
  | { t: 'union'; alts: Step[][] }
  | { t: 'filter'; left: Operand; op?: '==' | '!=' | '<' | '<=' | '>' | '>='; right?: Operand };

/** A parsed template: literal text and expressions, in order. */
export type TemplatePart = { t: 'text'; text: string } | { t: 'expr'; steps: Step[] };

const TERMINATORS = new Set([' ', '\t', '\r', '\n', '.', ',', '[', ']', '$', '@', '{', '}', '(', ')', '=', '!', '<', '>']);

class Parser {
  pos = 0;
  constructor(readonly src: string) {}

  peek(off = 0): string {
    return this.src[this.pos + off] ?? '';
  }

  eof(): boolean {
    return this.pos >= this.src.length;
  }

  fail(msg: string): never {
    throw new JsonPathError(`${msg} in JSONPath ${JSON.stringify(this.src)} at position ${this.pos}`);
  }

  skipSpaces(): void {
    while (!this.eof() && /\s/.test(this.peek())) this.pos++;
  }

  /** Parse steps until end or a stop character (used inside filters and unions). */
  parseSteps(stop: (c: string) => boolean, allowBareStart: boolean): Step[] {
    const steps: Step[] = [];
    if (this.peek() === '$') this.pos++;
    else if (allowBareStart && !this.eof() && !stop(this.peek()) && this.peek() !== '.' && this.peek() !== '[') {
      steps.push({ t: 'field', name: this.parseIdent() });
    }
    while (!this.eof() && !stop(this.peek())) {
      const c = this.peek();
      if (c === '.') {
        if (this.peek(1) === '.') {
          this.pos += 2;
          steps.push({ t: 'recursive' });
          if (this.peek() === '*') {
            this.pos++;
            steps.push({ t: 'wildcard' });
          } else if (this.peek() === '[') {
            continue;
          } else {
            const name = this.parseIdent();
            if (!name) this.fail('expected a field name after ..');
            steps.push({ t: 'field', name });
          }
          continue;
        }
        this.pos++;
        if (this.peek() === '*') {
          this.pos++;
          steps.push({ t: 'wildcard' });
          continue;
        }
        if (this.eof() || stop(this.peek()) || this.peek() === '.' || this.peek() === '[') {
          // a lone "." refers to the current object
          continue;
        }
        steps.push({ t: 'field', name: this.parseIdent() });
      } else if (c === '[') {
        steps.push(this.parseBracket());
      } else if (/\s/.test(c)) {
        this.skipSpaces();
      } else {
        this.fail(`unexpected ${JSON.stringify(c)}`);
      }
    }
    return steps;
  }

  parseIdent(): string {
    let out = '';
    while (!this.eof()) {
      const c = this.peek();
      if (c === '\\') {
        this.pos++;
        if (this.eof()) this.fail('dangling escape');
        out += this.peek();
        this.pos++;
        continue;
      }
      if (TERMINATORS.has(c)) break;
      out += c;
      this.pos++;
    }
    return out;
  }

  parseQuoted(): string {
    const q = this.peek();
    this.pos++;
    let out = '';
    while (!this.eof() && this.peek() !== q) {
      if (this.peek() === '\\' && this.pos + 1 < this.src.length) {
        this.pos++;
        const e = this.peek();
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      } else out += this.peek();
      this.pos++;
    }
    if (this.eof()) this.fail('unterminated string');
    this.pos++;
    return out;
  }

  parseBracket(): Step {
    this.pos++; // [
    this.skipSpaces();
    if (this.peek() === '?') {
      this.pos++;
      this.skipSpaces();
      if (this.peek() !== '(') this.fail('expected ( after ?');
      this.pos++;
      const f = this.parseFilter();
      this.skipSpaces();
      if (this.peek() !== ')') this.fail('expected ) closing the filter');
      this.pos++;
      this.skipSpaces();
      if (this.peek() !== ']') this.fail('expected ] closing the filter');
      this.pos++;
      return f;
    }
    const alts: Step[][] = [];
    for (;;) {
      this.skipSpaces();
      alts.push([this.parseBracketItem()]);
      this.skipSpaces();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() === ']') {
        this.pos++;
        break;
      }
      this.fail('expected ] or ,');
    }
    return alts.length === 1 ? alts[0][0] : { t: 'union', alts };
  }

  parseBracketItem(): Step {
    const c = this.peek();
    if (c === '*') {
      this.pos++;
      return { t: 'wildcard' };
    }
    if (c === "'" || c === '"') return { t: 'field', name: this.parseQuoted() };
    const m = /^(-?\d*)(?::(-?\d*))?(?::(-?\d*))?/.exec(this.src.slice(this.pos));
    if (!m || m[0] === '') this.fail('invalid array index');
    this.pos += m[0].length;
    const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
    if (m[2] === undefined && m[3] === undefined) {
      if (m[1] === '' || m[1] === '-') this.fail('invalid array index');
      return { t: 'index', start: Number(m[1]), single: true };
    }
    const step = num(m[3]);
    if (step !== undefined && step <= 0) this.fail('step must be > 0');
    return { t: 'index', start: num(m[1]), end: num(m[2]), step, single: false };
  }

  parseOperand(): Operand {
    this.skipSpaces();
    const c = this.peek();
    if (c === '@' || c === '$') {
      this.pos++;
      const steps = this.parseSteps((ch) => ch === ')' || ch === '=' || ch === '!' || ch === '<' || ch === '>' || /\s/.test(ch), false);
      return { t: 'path', root: c, steps };
    }
    if (c === "'" || c === '"') return { t: 'literal', value: this.parseQuoted() };
    const m = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(this.src.slice(this.pos));
    if (!m) this.fail('invalid filter operand');
    this.pos += m[0].length;
    const v = m[0] === 'true' ? true : m[0] === 'false' ? false : m[0] === 'null' ? null : Number(m[0]);
    return { t: 'literal', value: v };
  }

  parseFilter(): Step {
    const left = this.parseOperand();
    this.skipSpaces();
    const m = /^(==|!=|<=|>=|<|>)/.exec(this.src.slice(this.pos));
    if (!m) return { t: 'filter', left };
    this.pos += m[0].length;
    const right = this.parseOperand();
    return { t: 'filter', left, op: m[1] as '==' | '!=' | '<' | '<=' | '>' | '>=', right };
  }
}

const cache = new Map<string, TemplatePart[]>();

/**
 * Parse a JSONPath: either a bare expression (".spec.replicas", "$.a[0]") or a template with {…} actions
 * ("{.metadata.name}", "x={.a} y={.b}"). Throws JsonPathError on syntax errors.
 */
export function parseJsonPath(path: string): TemplatePart[] {
  const hit = cache.get(path);
  if (hit) return hit;
  const parts: TemplatePart[] = [];
  if (!path.includes('{')) {
    const p = new Parser(path.trim());
    parts.push({ t: 'expr', steps: p.parseSteps(() => false, true) });
  } else {
    let i = 0;
    while (i < path.length) {
      const open = path.indexOf('{', i);
      if (open < 0) {
        parts.push({ t: 'text', text: path.slice(i) });
        break;
      }
      if (open > i) parts.push({ t: 'text', text: path.slice(i, open) });
      const close = findClose(path, open);
      if (close < 0) throw new JsonPathError(`unclosed action in JSONPath ${JSON.stringify(path)}`);
      const inner = path.slice(open + 1, close).trim();
      const p = new Parser(inner);
      parts.push({ t: 'expr', steps: p.parseSteps(() => false, true) });
      i = close + 1;
    }
  }
  if (cache.size > 1000) cache.clear();
  cache.set(path, parts);
  return parts;
}

function findClose(s: string, open: number): number {
  let quote = '';
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '}') return i;
  }
  return -1;
}

/** Whether the path parses. */
export function isValidJsonPath(path: string): boolean {
  try {
    parseJsonPath(path);
    return true;
  } catch {
    return false;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function descendants(v: unknown, out: unknown[]): void {
  out.push(v);
  if (Array.isArray(v)) for (const x of v) descendants(x, out);
  else if (isPlainObject(v)) for (const x of Object.values(v)) descendants(x, out);
}

function sliceIndexes(len: number, st: Extract<Step, { t: 'index' }>): number[] {
  if (st.single) {
    let i = st.start!;
    if (i < 0) i += len;
    return i >= 0 && i < len ? [i] : [];
  }
  let start = st.start ?? 0;
  let end = st.end ?? len;
  if (start < 0) start += len;
  if (end < 0) end += len;
  start = Math.max(0, start);
  end = Math.min(len, end);
  const out: number[] = [];
  for (let i = start; i < end; i += st.step ?? 1) out.push(i);
  return out;
}

function compare(op: string, l: unknown, r: unknown): boolean {
  if (op === '==' || op === '!=') {
    let eq: boolean;
    if (typeof l === 'number' && typeof r === 'number') eq = l === r;
    else if (typeof l === typeof r && (typeof l !== 'object' || l === null)) eq = l === r;
    else eq = JSON.stringify(l) === JSON.stringify(r);
    return op === '==' ? eq : !eq;
  }
  let a: number | string;
  let b: number | string;
  if (typeof l === 'number' && typeof r === 'number') {
    a = l;
    b = r;
  } else if (typeof l === 'string' && typeof r === 'string') {
    a = l;
    b = r;
  } else return false;
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
  return false;
}

function evalOperand(o: Operand, item: unknown, root: unknown): unknown[] {
  if (o.t === 'literal') return [o.value];
  return evalSteps(o.steps, [o.root === '@' ? item : root], root);
}

function evalSteps(steps: Step[], input: unknown[], root: unknown): unknown[] {
  let cur = input;
  for (let si = 0; si < steps.length; si++) {
    const st = steps[si];
    const next: unknown[] = [];
    switch (st.t) {
      case 'field':
        for (const v of cur) if (isPlainObject(v) && Object.prototype.hasOwnProperty.call(v, st.name) && v[st.name] !== undefined) next.push(v[st.name]);
        break;
      case 'recursive':
        for (const v of cur) descendants(v, next);
        break;
      case 'wildcard':
        for (const v of cur) {
          if (Array.isArray(v)) next.push(...v);
          else if (isPlainObject(v)) next.push(...Object.values(v).filter((x) => x !== undefined));
        }
        break;
      case 'index':
        for (const v of cur) if (Array.isArray(v)) for (const i of sliceIndexes(v.length, st)) next.push(v[i]);
        break;
      case 'union':
        for (const alt of st.alts) next.push(...evalSteps(alt, cur, root));
        break;
      case 'filter':
        for (const v of cur) {
          if (!Array.isArray(v)) continue;
          for (const item of v) {
            const lefts = evalOperand(st.left, item, root);
            if (lefts.length === 0) continue;
            if (!st.op) {
              next.push(item);
              continue;
            }
            const rights = evalOperand(st.right!, item, root);
            if (rights.length === 0) continue;
            if (compare(st.op, lefts[0], rights[0])) next.push(item);
          }
        }
        break;
    }
    cur = next;
  }
  return cur;
}

/**
 * Evaluate a JSONPath against obj and return every match, in document order (for a template, the matches
 * of all its actions in order). Throws JsonPathError only for syntax errors.
 */
export function evaluateJsonPath(obj: unknown, path: string): unknown[] {
  const parts = parseJsonPath(path);
  const out: unknown[] = [];
  for (const p of parts) if (p.t === 'expr') out.push(...evalSteps(p.steps, [obj], obj));
  return out;
}

/** Evaluate per action: one result list per {…} (what kubectl's FindResults returns). */
export function findJsonPathResults(obj: unknown, path: string): unknown[][] {
  return parseJsonPath(path)
    .filter((p): p is Extract<TemplatePart, { t: 'expr' }> => p.t === 'expr')
    .map((p) => evalSteps(p.steps, [obj], obj));
}

function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Render a template the way `kubectl -o jsonpath` prints it (multiple matches joined by a space). */
export function printJsonPath(obj: unknown, path: string): string {
  return parseJsonPath(path)
    .map((p) => (p.t === 'text' ? p.text : evalSteps(p.steps, [obj], obj).map(textOf).join(' ')))
    .join('');
}

// ---------------------------------------------------------------------------------------------
// simple dotted paths (scale subresource: .spec.replicas, .status.selector)

/** ".spec.replicas" → ["spec", "replicas"]; "\." escapes a dot inside a key. */
export function splitSimplePath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\' && i + 1 < path.length) cur += path[++i];
    else if (c === '.') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.filter((p) => p !== '');
}

/** Value at a simple dotted path, or undefined when any segment is missing or not an object. */
export function getFieldByPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of splitSimplePath(path)) {
    if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

/** Whether a simple dotted path exists (the value may be null). */
export function hasFieldByPath(obj: unknown, path: string): boolean {
  let cur: unknown = obj;
  for (const seg of splitSimplePath(path)) {
    if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, seg)) return false;
    cur = cur[seg];
  }
  return true;
}

/**
 * Set the value at a simple dotted path, creating intermediate objects (unstructured.SetNestedField).
 * Throws when an intermediate value exists and is not an object.
 */
export function setFieldByPath(obj: unknown, path: string, value: unknown): void {
  const segs = splitSimplePath(path);
  if (segs.length === 0) throw new JsonPathError(`cannot set the root with path ${JSON.stringify(path)}`);
  if (!isPlainObject(obj)) throw new JsonPathError('value cannot be set because the root is not an object');
  let cur: Record<string, unknown> = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i];
    const next = cur[seg];
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      cur[seg] = created;
      cur = created;
    } else if (isPlainObject(next)) cur = next;
    else {
      throw new JsonPathError(`value cannot be set because .${segs.slice(0, i + 1).join('.')} is not a map[string]interface{}`);
    }
  }
  cur[segs[segs.length - 1]] = value;
}

/** Delete the value at a simple dotted path; returns whether something was removed. */
export function removeFieldByPath(obj: unknown, path: string): boolean {
  const segs = splitSimplePath(path);
  if (segs.length === 0) return false;
  let cur: unknown = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    if (!isPlainObject(cur)) return false;
    cur = cur[segs[i]];
  }
  if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, segs[segs.length - 1])) return false;
  delete cur[segs[segs.length - 1]];
  return true;
}
