// Label and field selectors as the API accepts them in ?labelSelector= and ?fieldSelector=.

import { badRequest } from './errors.js';
import type { KubeObject } from './registry/types.js';

export type Requirement =
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'in' | 'notin'; values: string[] };

export type LabelSelector = Requirement[];

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`. Throws a 400 ApiError on bad syntax. */
export function parseLabelSelector(input: string | undefined): LabelSelector {
  const s = (input ?? '').trim();
  if (!s) return [];
  const reqs: Requirement[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why} in label selector "${s}"`);
  };
  const skipWs = () => {
    while (i < s.length && s[i] === ' ') i++;
  };
  const readToken = (): string => {
    skipWs();
    const start = i;
    while (i < s.length && !' ,()=!'.includes(s[i]!)) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    skipWs();
    let negated = false;
    if (s[i] === '!') {
      negated = true;
      i++;
    }
    const key = readToken();
    if (!key) fail('missing key');
    validateLabelKey(key, fail);
    skipWs();
    if (negated) {
      reqs.push({ key, op: 'notexists' });
    } else if (i >= s.length || s[i] === ',') {
      reqs.push({ key, op: 'exists' });
    } else if (s.startsWith('==', i) || s[i] === '=') {
      i += s.startsWith('==', i) ? 2 : 1;
      reqs.push({ key, op: 'in', values: [readValue()] });
    } else if (s.startsWith('!=', i)) {
      i += 2;
      reqs.push({ key, op: 'notin', values: [readValue()] });
    } else {
      const word = readToken().toLowerCase();
      if (word !== 'in' && word !== 'notin') fail(`found '${word}', expected: in, notin, =, ==, !=`);
      skipWs();
      if (s[i] !== '(') fail("found '" + (s[i] ?? 'EOS') + "', expected: '('");
      i++;
      const values: string[] = [];
      for (;;) {
        skipWs();
        values.push(readValue());
        skipWs();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ')') {
          i++;
          break;
        }
        fail("expected ',' or ')'");
      }
      reqs.push({ key, op: word as 'in' | 'notin', values });
    }
    skipWs();
    if (i < s.length) {
      if (s[i] !== ',') fail(`found '${s[i]}', expected: ','`);
      i++;
    }
  }
  return reqs;

  function readValue(): string {
    skipWs();
    const start = i;
    while (i < s.length && !' ,()'.includes(s[i]!)) i++;
    const v = s.slice(start, i);
    if (v && !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)) fail(`invalid label value: "${v}"`);
    return v;
  }
}

function validateLabelKey(key: string, fail: (why: string) => never): void {
  if (!/^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key)) {
    fail(`invalid label key "${key}"`);
  }
}

export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of sel) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(l[r.key]!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(l[r.key]!)) return false;
        break;
    }
  }
  return true;
}

/** metav1.LabelSelector (matchLabels + matchExpressions) to requirements. */
export function fromLabelSelectorObject(sel: {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}): LabelSelector {
  const out: LabelSelector = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) out.push({ key, op: 'in', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') out.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === 'exists') out.push({ key: e.key, op: 'exists' });
    else if (op === 'doesnotexist') out.push({ key: e.key, op: 'notexists' });
  }
  return out;
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Parses `metadata.name=x,spec.nodeName!=` (=, ==, !=). */
export function parseFieldSelector(input: string | undefined): FieldRequirement[] {
  const s = (input ?? '').trim();
  if (!s) return [];
  return s.split(',').map((part) => {
    const m = /^\s*([A-Za-z0-9_.\-\[\]]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    return { field: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
  });
}

export function matchesFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  for (const r of reqs) {
    const v = fieldValue(obj, r.field);
    if ((v === r.value) !== (r.op === '=')) return false;
  }
  return true;
}

function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}
