// Minimal JSONPath evaluator for CRD additionalPrinterColumns (`.a.b`, `[0]`, `[*]`, `['k.with.dots']`,
// `a\.b`, `..name`, `[?(@.type=="Ready")].status`), with k8s client-go jsonpath semantics for missing keys
// (AllowMissingKeys: a missing field yields no result rather than an error).
//
// TODO: swap for pkg/apiserver/jsonpath `evaluateJsonPath` once it exists; the signature is identical so
// only the import in table.ts needs to change.

type Segment =
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'recursive'; name: string | '*' }
  | { kind: 'filter'; left: Segment[]; op?: string; right?: Operand };

type Operand = { kind: 'path'; path: Segment[] } | { kind: 'literal'; value: string | number | boolean | null };

const cache = new Map<string, Segment[]>();

/** Evaluates `path` against `obj` and returns every match (empty when nothing matches). */
export function evaluateJsonPath(obj: unknown, path: string): unknown[] {
  let segs = cache.get(path);
  if (!segs) {
    segs = parsePath(path);
    if (cache.size > 1000) cache.clear();
    cache.set(path, segs);
  }
  return evalSegments([obj], segs);
}

/** Throws on a path the evaluator cannot parse (used to validate CRD columns). */
export function parsePath(input: string): Segment[] {
  let s = input.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  const p = new Parser(s);
  return p.parseSegments(false);
}

class Parser {
  pos = 0;
  constructor(readonly s: string) {}

  private peek(n = 0): string {
    return this.s[this.pos + n] ?? '';
  }

  private fail(msg: string): never {
    throw new Error(`invalid JSONPath ${JSON.stringify(this.s)} at ${this.pos}: ${msg}`);
  }

  /** Parses segments until end of input (or, inside a filter, until an operator/closing paren). */
  parseSegments(inFilter: boolean): Segment[] {
    const segs: Segment[] = [];
    if (this.peek() === '$' || (inFilter && this.peek() === '@')) this.pos++;
    while (this.pos < this.s.length) {
      const c = this.peek();
      if (inFilter && (c === ')' || c === ' ' || c === '=' || c === '!' || c === '<' || c === '>' || c === '&' || c === '|')) break;
      if (c === '.') {
        if (this.peek(1) === '.') {
          this.pos += 2;
          if (this.peek() === '*') {
            this.pos++;
            segs.push({ kind: 'recursive', name: '*' });
          } else {
            segs.push({ kind: 'recursive', name: this.readName(inFilter) });
          }
          continue;
        }
        this.pos++;
        if (this.peek() === '*') {
          this.pos++;
          segs.push({ kind: 'wildcard' });
          continue;
        }
        if (this.pos >= this.s.length || this.peek() === '[') continue; // trailing '.' or '.[' - tolerated
        segs.push({ kind: 'field', name: this.readName(inFilter) });
        continue;
      }
      if (c === '[') {
        segs.push(this.parseBracket());
        continue;
      }
      if (segs.length === 0 && !inFilter) {
        // bare leading field name: "spec.replicas"
        segs.push({ kind: 'field', name: this.readName(inFilter) });
        continue;
      }
      this.fail(`unexpected ${JSON.stringify(c)}`);
    }
    return segs;
  }

  private readName(inFilter: boolean): string {
    let name = '';
    while (this.pos < this.s.length) {
      const c = this.peek();
      if (c === '\\' && this.pos + 1 < this.s.length) {
        name += this.peek(1);
        this.pos += 2;
        continue;
      }
      if (c === '.' || c === '[') break;
      if (inFilter && (c === ')' || c === ' ' || c === '=' || c === '!' || c === '<' || c === '>' || c === '&' || c === '|')) break;
      name += c;
      this.pos++;
    }
    if (name === '') this.fail('empty field name');
    return name;
  }

  private parseBracket(): Segment {
    this.pos++; // [
    this.skipSpaces();
    const c = this.peek();
    let seg: Segment;
    if (c === '?') {
      this.pos++;
      this.skipSpaces();
      if (this.peek() !== '(') this.fail('expected ( after ?');
      this.pos++;
      this.skipSpaces();
      const left = this.parseSegments(true);
      this.skipSpaces();
      let op: string | undefined;
      let right: Operand | undefined;
      const m = /^(==|!=|<=|>=|<|>|=~)/.exec(this.s.slice(this.pos));
      if (m) {
        op = m[1];
        this.pos += op.length;
        this.skipSpaces();
        right = this.parseOperand();
        this.skipSpaces();
      }
      if (this.peek() !== ')') this.fail('expected )');
      this.pos++;
      seg = { kind: 'filter', left, op, right };
    } else if (c === '*') {
      this.pos++;
      seg = { kind: 'wildcard' };
    } else if (c === "'" || c === '"') {
      seg = { kind: 'field', name: this.readQuoted() };
    } else {
      const m = /^(-?\d*)\s*(?::\s*(-?\d*)\s*(?::\s*(-?\d*))?)?/.exec(this.s.slice(this.pos));
      if (!m || m[0] === '') this.fail('expected index');
      this.pos += m[0].length;
      if (m[0].includes(':')) {
        const n = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
        seg = { kind: 'slice', start: n(m[1]), end: n(m[2]), step: n(m[3]) };
      } else {
        seg = { kind: 'index', index: Number(m[1]) };
      }
    }
    this.skipSpaces();
    if (this.peek() !== ']') this.fail('expected ]');
    this.pos++;
    return seg;
  }

  private parseOperand(): Operand {
    const c = this.peek();
    if (c === "'" || c === '"') return { kind: 'literal', value: this.readQuoted() };
    if (c === '@' || c === '$') return { kind: 'path', path: this.parseSegments(true) };
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(this.s.slice(this.pos));
    if (!m) this.fail('expected literal');
    this.pos += m[0].length;
    const v = m[0];
    return { kind: 'literal', value: v === 'true' ? true : v === 'false' ? false : v === 'null' ? null : Number(v) };
  }

  private readQuoted(): string {
    const q = this.peek();
    this.pos++;
    let out = '';
    while (this.pos < this.s.length && this.peek() !== q) {
      if (this.peek() === '\\' && this.pos + 1 < this.s.length) {
        out += this.peek(1);
        this.pos += 2;
        continue;
      }
      out += this.peek();
      this.pos++;
    }
    if (this.peek() !== q) this.fail('unterminated string');
    this.pos++;
    return out;
  }

  private skipSpaces(): void {
    while (this.peek() === ' ') this.pos++;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function evalSegments(nodes: unknown[], segs: Segment[]): unknown[] {
  let cur = nodes;
  for (const seg of segs) {
    const next: unknown[] = [];
    for (const node of cur) applySegment(node, seg, next);
    cur = next;
    if (cur.length === 0) break;
  }
  return cur;
}

function applySegment(node: unknown, seg: Segment, out: unknown[]): void {
  switch (seg.kind) {
    case 'field':
      if (isRecord(node) && Object.prototype.hasOwnProperty.call(node, seg.name)) out.push(node[seg.name]);
      return;
    case 'wildcard':
      if (Array.isArray(node)) out.push(...node);
      else if (isRecord(node)) for (const k of Object.keys(node).sort()) out.push(node[k]);
      return;
    case 'index':
      if (Array.isArray(node)) {
        const i = seg.index < 0 ? node.length + seg.index : seg.index;
        if (i >= 0 && i < node.length) out.push(node[i]);
      }
      return;
    case 'slice': {
      if (!Array.isArray(node)) return;
      const len = node.length;
      const step = seg.step ?? 1;
      if (step <= 0) return;
      const norm = (v: number | undefined, d: number) => (v === undefined ? d : v < 0 ? Math.max(0, len + v) : Math.min(len, v));
      for (let i = norm(seg.start, 0); i < norm(seg.end, len); i += step) out.push(node[i]);
      return;
    }
    case 'recursive':
      collectRecursive(node, seg.name, out);
      return;
    case 'filter': {
      const items = Array.isArray(node) ? node : [];
      for (const item of items) if (matchesFilter(item, seg)) out.push(item);
      return;
    }
  }
}

function collectRecursive(node: unknown, name: string, out: unknown[]): void {
  if (Array.isArray(node)) {
    for (const v of node) {
      if (name === '*') out.push(v);
      collectRecursive(v, name, out);
    }
  } else if (isRecord(node)) {
    for (const k of Object.keys(node)) {
      if (name === '*' || k === name) out.push(node[k]);
      collectRecursive(node[k], name, out);
    }
  }
}

function matchesFilter(item: unknown, f: Extract<Segment, { kind: 'filter' }>): boolean {
  const lefts = evalSegments([item], f.left);
  if (!f.op || !f.right) return lefts.length > 0 && lefts[0] !== false && lefts[0] !== null;
  const rights = f.right.kind === 'literal' ? [f.right.value] : evalSegments([item], f.right.path);
  if (lefts.length === 0 || rights.length === 0) return false;
  return compare(lefts[0], f.op, rights[0]);
}

function compare(a: unknown, op: string, b: unknown): boolean {
  if (op === '=~') return typeof a === 'string' && typeof b === 'string' && new RegExp(b).test(a);
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '==': return a === b;
      case '!=': return a !== b;
      case '<': return a < b;
      case '>': return a > b;
      case '<=': return a <= b;
      case '>=': return a >= b;
    }
  }
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  switch (op) {
    case '==': return sa === sb;
    case '!=': return sa !== sb;
    case '<': return sa < sb;
    case '>': return sa > sb;
    case '<=': return sa <= sb;
    case '>=': return sa >= sb;
  }
  return false;
}
