// Field paths and field errors as k8s.io/apimachinery/pkg/util/validation/field builds and prints them.
// A FieldCause carries the error type (StatusCause.reason), the field path and the error body without the
// field prefix ("Invalid value: \"x\": detail"), which is exactly what kube-apiserver puts in a StatusCause.

import type { FieldCause } from '../registry/types.js';

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const typeStrings: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** field.Path: a linked list of child names, map keys and indices; printed as a.b[key].c[0]. */
export class FieldPath {
  private constructor(
    private readonly parent: FieldPath | undefined,
    private readonly name: string,
    private readonly idx: string | undefined,
  ) {}

  static of(name: string, ...more: string[]): FieldPath {
    let p = new FieldPath(undefined, name, undefined);
    for (const m of more) p = p.child(m);
    return p;
  }

  child(name: string, ...more: string[]): FieldPath {
    let p = new FieldPath(this, name, undefined);
    for (const m of more) p = p.child(m);
    return p;
  }

  index(i: number): FieldPath {
    return new FieldPath(this, '', String(i));
  }

  key(k: string): FieldPath {
    return new FieldPath(this, '', k);
  }

  toString(): string {
    const elems: FieldPath[] = [];
    for (let p: FieldPath | undefined = this; p; p = p.parent) elems.unshift(p);
    let out = '';
    elems.forEach((e, i) => {
      if (e.idx !== undefined) out += `[${e.idx}]`;
      else {
        if (i > 0) out += '.';
        out += e.name;
      }
    });
    return out;
  }
}

/** A nil *field.Path prints as "<nil>" (what kube shows for errors at the root of a custom resource). */
export type PathLike = FieldPath | string | undefined | null;

export function pathString(p: PathLike): string {
  if (p === undefined || p === null) return '<nil>';
  return typeof p === 'string' ? p : p.toString();
}

/** Extend a possibly-nil path with a child name (nil.Child(x) is NewPath(x) in Go). */
export function childOf(p: PathLike, name: string): string {
  if (p === undefined || p === null) return name;
  const s = pathString(p);
  return s === '' ? name : `${s}.${name}`;
}

/** A value printed verbatim in the error body (for Go struct dumps we do not reproduce). */
export class RawValue {
  constructor(readonly text: string) {}
}

const OMIT = Symbol('omitValue');

/** Go's strconv.Quote / %q. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0x80 && cp <= 0x9f) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** Go's %v for a float64 (shortest representation, exponent outside [1e-4, 1e21)). */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [mant, exp] = n.toExponential().split('e');
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '');
    return `${mant}e${sign}${digits.padStart(2, '0')}`;
  }
  return String(n);
}

/** Go's json.Marshal: map keys sorted, <, > and & escaped, floats formatted as encoding/json does. */
export function goJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') {
    return JSON.stringify(v)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029');
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'null';
    const abs = Math.abs(v);
    if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
      const [mant, exp] = v.toExponential().split('e');
      const sign = exp.startsWith('-') ? '-' : '+';
      const digits = exp.replace(/^[+-]/, '');
      return `${mant}e${sign}${digits.padStart(2, '0')}`;
    }
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => goJSON(x)).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${goJSON(k)}:${goJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(String(v));
}

/** The "<value>" part of an error body: %v for numbers and bools, %q for strings, JSON otherwise (nil is null). */
export function formatBadValue(v: unknown): string {
  if (v instanceof RawValue) return v.text;
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'boolean') return String(v);
  return goJSON(v);
}

function makeError(type: FieldErrorType, field: PathLike, value: unknown, detail: string): FieldCause {
  let s: string;
  if (
    type === 'FieldValueRequired' ||
    type === 'FieldValueForbidden' ||
    type === 'FieldValueTooLong' ||
    type === 'InternalError' ||
    value === OMIT
  ) {
    s = typeStrings[type];
  } else {
    s = `${typeStrings[type]}: ${formatBadValue(value)}`;
  }
  if (detail) s += `: ${detail}`;
  return { reason: type, message: s, field: pathString(field) };
}

export function invalid(field: PathLike, value: unknown, detail: string): FieldCause {
  return makeError('FieldValueInvalid', field, value, detail);
}

export function typeInvalid(field: PathLike, value: unknown, detail: string): FieldCause {
  return makeError('FieldValueTypeInvalid', field, value, detail);
}

export function required(field: PathLike, detail = ''): FieldCause {
  return makeError('FieldValueRequired', field, OMIT, detail);
}

export function forbidden(field: PathLike, detail: string): FieldCause {
  return makeError('FieldValueForbidden', field, OMIT, detail);
}

export function notFound(field: PathLike, value: unknown): FieldCause {
  return makeError('FieldValueNotFound', field, value, '');
}

export function duplicate(field: PathLike, value: unknown): FieldCause {
  return makeError('FieldValueDuplicate', field, value, '');
}

export function internalError(field: PathLike, err: string): FieldCause {
  return makeError('InternalError', field, OMIT, err);
}

/** field.NotSupported: `Unsupported value: "x": supported values: "a", "b"`. */
export function notSupported(field: PathLike, value: unknown, validValues: readonly unknown[]): FieldCause {
  let detail = '';
  if (validValues.length > 0) {
    detail =
      'supported values: ' +
      validValues.map((v) => goQuote(typeof v === 'string' ? v : typeof v === 'number' ? goFloat(v) : JSON.stringify(v))).join(', ');
  }
  return makeError('FieldValueNotSupported', field, value, detail);
}

/** field.TooLong: `Too long: may not be more than 63 bytes` (the value is never printed). */
export function tooLong(field: PathLike, _value: unknown, maxLength: number): FieldCause {
  let detail: string;
  if (maxLength >= 0) detail = `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}`;
  else detail = 'value is too long';
  return makeError('FieldValueTooLong', field, OMIT, detail);
}

/** field.TooMany: `Too many: 5: must have at most 3 items`. */
export function tooMany(field: PathLike, actualQuantity: number, maxQuantity: number): FieldCause {
  let detail: string;
  if (maxQuantity >= 0) detail = `must have at most ${maxQuantity} ${maxQuantity === 1 ? 'item' : 'items'}`;
  else detail = 'has too many items';
  return makeError('FieldValueTooMany', field, actualQuantity >= 0 ? actualQuantity : OMIT, detail);
}

/** "field: message" as kube prints an aggregated field error. */
export function causeToString(c: FieldCause): string {
  return c.field ? `${c.field}: ${c.message}` : c.message;
}
