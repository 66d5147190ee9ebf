// Validation of a JSON value against a JSONSchemaProps with the semantics and messages of
// apiextensions-apiserver: kube-openapi's schema validator (converted to field errors the way
// kubeOpenAPIResultToFieldErrors does), plus the structural checks kube runs on custom resources
// (x-kubernetes-embedded-resource TypeMeta/ObjectMeta and x-kubernetes-list-type set/map uniqueness).

import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { FieldCause } from '../registry/types.js';
import type { JSONSchemaProps } from './types.js';
import * as field from '../validation/field.js';
import { goFloat, goJSON, goQuote } from '../validation/field.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from '../validation/names.js';
import { validateObjectMeta } from '../validation/objectmeta.js';

export interface SchemaValidationOptions {
  /**
   * Path the value lives at (kube's fldPath). Undefined is the nil path of a custom resource root: errors
   * from the root itself (and composite anyOf/oneOf/allOf/not errors) then print their field as "<nil>".
   */
  fieldPath?: string;
  /**
   * How keys of additionalProperties maps appear in field paths and messages of schema errors:
   * 'bracket' → spec.selector.matchLabels[app] (default); 'dot' → spec.selector.matchLabels.app, which is
   * what kube-openapi (and so kube-apiserver for custom resources) prints.
   */
  mapKeys?: 'bracket' | 'dot';
  /** Check x-kubernetes-embedded-resource objects (apiVersion/kind/metadata). Default true. */
  embeddedResources?: boolean;
  /** Check x-kubernetes-list-type set/map uniqueness. Default true. */
  listTypes?: boolean;
}

// ---------------------------------------------------------------------------------------------
// kube-openapi style results

type Code =
  | 'type'
  | 'required'
  | 'tooLong'
  | 'tooShort'
  | 'pattern'
  | 'enum'
  | 'multipleOf'
  | 'multipleOfPositive'
  | 'max'
  | 'min'
  | 'unique'
  | 'maxItems'
  | 'minItems'
  | 'tooFewProps'
  | 'tooManyProps'
  | 'unallowed';

type Err =
  | { t: 'v'; code: Code; name: string; value?: unknown; valid?: number; values?: unknown[]; message: string }
  | { t: 'c'; message: string };

interface Ctx {
  mapKeys: 'bracket' | 'dot';
}

const IN = 'body';

type Kind = 'null' | 'object' | 'array' | 'string' | 'number' | 'boolean';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
}

/** The JSON type name kube-openapi infers for a decoded value (int64 → integer, float64 → number). */
function schemaTypeOf(v: unknown): string {
  const k = kindOf(v);
  if (k === 'number') return Number.isInteger(v as number) ? 'integer' : 'number';
  return k;
}

function formatOfValue(v: unknown): string {
  const k = kindOf(v);
  if (k === 'number') return Number.isInteger(v as number) ? 'int64' : 'float64';
  return '';
}

/** swag.IsFloat64AJSONInteger. */
function isFloat64AJSONInteger(f: number): boolean {
  if (!Number.isFinite(f) || f < -9007199254740991 || f > 9007199254740991) return false;
  if (Number.isInteger(f)) return true;
  const g = Math.trunc(f);
  const diff = Math.abs(f - g);
  if (f === 0 || g === 0) return diff < 1e-9 * Number.MIN_VALUE;
  return diff / Math.min(Math.abs(f) + Math.abs(g), Number.MAX_VALUE) < 1e-9;
}

function typesOf(s: JSONSchemaProps): string[] {
  if (s['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return s.type ? [s.type] : [];
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a === 'object') {
    if (Array.isArray(b)) return false;
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
    const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
    if (ak.length !== bk.length) return false;
    return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]));
  }
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// formats (the set apiextensions keeps; every other format is stripped before validation)

const rxUUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const rxUUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const rxUUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const rxUUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const rxHostname =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z0-9\p{S}\p{L}])(-?[a-zA-Z0-9\p{S}\p{L}]){1,62})$/u;
const rxBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const rxHexColor = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const rgbPart = '\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*';
const rxRGBColor = new RegExp(`^rgb\\(${rgbPart},${rgbPart},${rgbPart}\\)$`);
const rxSSN = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
const rxDateTimeTail = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;
const rxGoDuration = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const rxLooseDuration = /(\d+)\s*([A-Za-zµ]+)/g;
const durationUnitPrefixes = ['ns', 'nano', 'us', 'µs', 'micro', 'ms', 'milli', 's', 'sec', 'm', 'min', 'h', 'hr', 'hour', 'd', 'day', 'w', 'wk', 'week'];

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= dim;
}

function isDateTime(str: string): boolean {
  if (str.length < 4) return false;
  const parts = str.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = rxDateTimeTail.exec(parts[1]);
  if (!m) return false;
  return m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

function isDuration(s: string): boolean {
  if (s === '0' || rxGoDuration.test(s)) return true;
  for (const m of s.matchAll(rxLooseDuration)) {
    const unit = m[2].toLowerCase();
    if (durationUnitPrefixes.some((p) => unit.startsWith(p))) return true;
  }
  return false;
}

function isEmail(s: string): boolean {
  return /^[^\s@<>",;]+@[^\s@<>",;]+$/.test(s) || /^[^<>]*<[^\s@<>",;]+@[^\s@<>",;]+>$/.test(s.trim());
}

function isRequestURI(s: string): boolean {
  if (/[\s\x00-\x1f\x7f]/.test(s)) return false;
  if (s.startsWith('/')) return true;
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:.*/.test(s) && !/%(?![0-9a-fA-F]{2})/.test(s);
}

function isHostname(s: string): boolean {
  if (!rxHostname.test(s)) return false;
  if (Buffer.byteLength(s) > 255) return false;
  return s.split('.').every((p) => Buffer.byteLength(p) <= 63);
}

function isCIDR(s: string): boolean {
  const i = s.indexOf('/');
  if (i < 0) return false;
  const ip = s.slice(0, i);
  const bits = s.slice(i + 1);
  if (!/^\d+$/.test(bits)) return false;
  const v = isIP(ip);
  if (v === 0 || ip.includes('%')) return false;
  const n = Number(bits);
  return v === 4 ? n <= 32 : n <= 128;
}

function isMAC(s: string): boolean {
  const g2 = (n: number, sep: string) => new RegExp(`^[0-9a-fA-F]{2}(${sep === '-' ? '-' : ':'}[0-9a-fA-F]{2}){${n - 1}}$`).test(s);
  const g4 = (n: number) => new RegExp(`^[0-9a-fA-F]{4}(\\.[0-9a-fA-F]{4}){${n - 1}}$`).test(s);
  return [6, 8, 20].some((n) => g2(n, ':') || g2(n, '-')) || [3, 4, 10].some((n) => g4(n));
}

function isISBN10(s: string): boolean {
  const t = s.replace(/[\s-]/g, '');
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(t)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * Number(t[i]);
  sum += t[9] === 'X' ? 100 : 10 * Number(t[9]);
  return sum % 11 === 0;
}

function isISBN13(s: string): boolean {
  const t = s.replace(/[\s-]/g, '');
  if (!/^[0-9]{13}$/.test(t)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(t[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === Number(t[12]);
}

function isCreditCard(s: string): boolean {
  const t = s.replace(/[^0-9]/g, '');
  if (!/^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/.test(t)) {
    return false;
  }
  let sum = 0;
  let alt = false;
  for (let i = t.length - 1; i >= 0; i--) {
    let d = Number(t[i]);
    if (alt) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    alt = !alt;
  }
  return sum % 10 === 0;
}

const formatCheckers: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: isRequestURI,
  email: isEmail,
  hostname: isHostname,
  ipv4: (s) => isIPv4(s) || (isIPv6(s) && s.includes('.') && !s.includes('%')),
  ipv6: (s) => isIPv6(s) && !s.includes('%'),
  cidr: isCIDR,
  mac: isMAC,
  uuid: (s) => rxUUID.test(s),
  uuid3: (s) => rxUUID3.test(s),
  uuid4: (s) => rxUUID4.test(s),
  uuid5: (s) => rxUUID5.test(s),
  isbn: (s) => isISBN10(s) || isISBN13(s),
  isbn10: isISBN10,
  isbn13: isISBN13,
  creditcard: isCreditCard,
  ssn: (s) => s.length === 11 && rxSSN.test(s),
  hexcolor: (s) => rxHexColor.test(s),
  rgbcolor: (s) => rxRGBColor.test(s),
  byte: (s) => rxBase64.test(s),
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
  k8sshortname: (s) => isDNS1123Label(s).length === 0,
  k8slongname: (s) => isDNS1123Subdomain(s).length === 0,
};

/** The format kept for validation, or '' when apiextensions strips it (int32, int64, float, double, unknown). */
export function supportedFormat(format: string | undefined): string {
  if (!format) return '';
  const normalized = format.replace(/-/g, '');
  return formatCheckers[normalized] ? format : '';
}

/** Whether a string satisfies a (supported) format; unknown formats always pass. */
export function checkFormat(format: string, value: string): boolean {
  const c = formatCheckers[format.replace(/-/g, '')];
  return c ? c(value) : true;
}

// ---------------------------------------------------------------------------------------------
// patterns: Go RE2 syntax translated to ECMAScript where they differ

const regexCache = new Map<string, RegExp | Error>();

export function compilePattern(pattern: string): RegExp | Error {
  const cached = regexCache.get(pattern);
  if (cached) return cached;
  let src = pattern;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    src = src.slice(lead[0].length);
    if (lead[1].includes('i')) flags += 'i';
    if (lead[1].includes('m')) flags += 'm';
    if (lead[1].includes('s')) flags += 's';
  }
  src = src
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\[:alpha:\]/g, 'a-zA-Z')
    .replace(/\[:digit:\]/g, '0-9')
    .replace(/\[:alnum:\]/g, 'a-zA-Z0-9')
    .replace(/\[:upper:\]/g, 'A-Z')
    .replace(/\[:lower:\]/g, 'a-z')
    .replace(/\[:space:\]/g, '\\s')
    .replace(/\[:xdigit:\]/g, '0-9A-Fa-f')
    .replace(/\[:word:\]/g, '\\w')
    .replace(/\[:punct:\]/g, '!-\\/:-@\\[-`{-~');
  let re: RegExp | Error;
  try {
    re = new RegExp(src, flags + 'u');
  } catch {
    try {
      re = new RegExp(src, flags);
    } catch (e) {
      re = e instanceof Error ? e : new Error(String(e));
    }
  }
  regexCache.set(pattern, re);
  return re;
}

// ---------------------------------------------------------------------------------------------
// the kube-openapi validator walk

function childName(path: string, k: string): string {
  return path ? `${path}.${k}` : k;
}

function mapKeyName(path: string, k: string, ctx: Ctx): string {
  return ctx.mapKeys === 'dot' ? `${path}.${k}` : `${path}[${k}]`;
}

function typeError(name: string, typeName: string, value: string): Err {
  return { t: 'v', code: 'type', name, value, message: `${name} in ${IN} must be of type ${typeName}: ${goQuote(value)}` };
}

function validateType(data: unknown, s: JSONSchemaProps, name: string, format: string): Err[] {
  const types = typesOf(s);
  if (types.length === 0 && !format) return [];
  if (data === null || data === undefined) {
    if (types.length > 0 && !s.nullable) return [typeError(name, types.join(','), 'null')];
    return [];
  }
  const kind = kindOf(data);
  const schType = schemaTypeOf(data);
  const valFormat = formatOfValue(data);
  const isFloatInt = schType === 'number' && isFloat64AJSONInteger(data as number) && types.includes('integer');
  const isIntFloat = schType === 'integer' && types.includes('number');
  if (kind !== 'string' && kind !== 'array' && format && !(types.includes(schType) || valFormat === format || isFloatInt || isIntFloat)) {
    return [typeError(name, format, valFormat)];
  }
  if (!(types.includes('number') || types.includes('integer')) && format && (kind === 'string' || kind === 'array')) return [];
  if (!(types.includes(schType) || isFloatInt || isIntFloat)) return [typeError(name, types.join(','), schType)];
  return [];
}

function validateNode(data: unknown, s: JSONSchemaProps, name: string, ctx: Ctx): Err[] {
  const errs: Err[] = [];
  const format = supportedFormat(s.format);

  if (data === null || data === undefined) {
    errs.push(...validateType(data, s, name, format));
    errs.push(...validateEnum(data, s, name));
    return errs;
  }
  const kind = kindOf(data);

  // 1. type
  errs.push(...validateType(data, s, name, format));
  // 2. allOf / anyOf / oneOf / not
  errs.push(...validateSchemaProps(data, s, name, ctx));
  // 3. string constraints (first failure only, as kube-openapi's stringValidator)
  if (kind === 'string') {
    const str = data as string;
    const len = [...str].length;
    if (s.maxLength !== undefined && len > s.maxLength) {
      errs.push({ t: 'v', code: 'tooLong', name, value: str, valid: s.maxLength, message: `${name} in ${IN} should be at most ${s.maxLength} chars long` });
    } else if (s.minLength !== undefined && len < s.minLength) {
      errs.push({ t: 'v', code: 'tooShort', name, value: str, valid: s.minLength, message: `${name} in ${IN} should be at least ${s.minLength} chars long` });
    } else if (s.pattern) {
      const re = compilePattern(s.pattern);
      if (re instanceof Error) {
        errs.push({ t: 'v', code: 'pattern', name, value: str, message: `${name} in ${IN} should match '${s.pattern}, but pattern is invalid: ${re.message}'` });
      } else if (!re.test(str)) {
        errs.push({ t: 'v', code: 'pattern', name, value: str, message: `${name} in ${IN} should match '${s.pattern}'` });
      }
    }
    // 4. format
    if (format && !checkFormat(format, str)) {
      errs.push({ t: 'v', code: 'type', name, value: str, message: `${name} in ${IN} must be of type ${format}: ${goQuote(str)}` });
    }
  }
  // 5. numbers
  if (kind === 'number') errs.push(...validateNumber(data as number, s, name));
  // 6. arrays
  if (kind === 'array') errs.push(...validateArray(data as unknown[], s, name, ctx));
  // 7. enum
  errs.push(...validateEnum(data, s, name));
  // 8. objects
  if (kind === 'object') errs.push(...validateObject(data as Record<string, unknown>, s, name, ctx));
  return errs;
}

function validateEnum(data: unknown, s: JSONSchemaProps, name: string): Err[] {
  if (!s.enum || s.enum.length === 0) return [];
  if ((data === null || data === undefined) && s.nullable) return [];
  for (const e of s.enum) {
    if (deepEqual(data ?? null, e ?? null)) return [];
  }
  return [{ t: 'v', code: 'enum', name, value: data ?? null, values: s.enum, message: `${name} in ${IN} should be one of ${s.enum.map(goJSON).join(' ')}` }];
}

function validateNumber(n: number, s: JSONSchemaProps, name: string): Err[] {
  const errs: Err[] = [];
  const isInt = Number.isInteger(n);
  if (s.multipleOf !== undefined) {
    const f = s.multipleOf;
    if (isInt && Number.isInteger(f) && f !== 0) {
      if (f < 0) errs.push({ t: 'v', code: 'multipleOfPositive', name, value: f, message: `factor MultipleOf declared for ${name} must be positive: ${goFloat(f)}` });
      else if (n % f !== 0) errs.push({ t: 'v', code: 'multipleOf', name, value: n, message: `${name} in ${IN} should be a multiple of ${goFloat(f)}` });
    } else if (f < 0) {
      errs.push({ t: 'v', code: 'multipleOfPositive', name, value: f, message: `factor MultipleOf declared for ${name} must be positive: ${goFloat(f)}` });
    } else {
      const mult = f < 1 ? (1 / f) * n : n / f;
      if (!isFloat64AJSONInteger(mult)) errs.push({ t: 'v', code: 'multipleOf', name, value: n, message: `${name} in ${IN} should be a multiple of ${goFloat(f)}` });
    }
  }
  if (s.minimum !== undefined) {
    const min = isInt ? Math.trunc(s.minimum) : s.minimum;
    const excl = !!s.exclusiveMinimum;
    if ((!excl && n < min) || (excl && n <= min)) {
      errs.push({ t: 'v', code: 'min', name, value: n, message: `${name} in ${IN} should be greater than ${excl ? '' : 'or equal to '}${goFloat(min)}` });
    }
  }
  if (s.maximum !== undefined) {
    const max = isInt ? Math.trunc(s.maximum) : s.maximum;
    const excl = !!s.exclusiveMaximum;
    if ((!excl && n > max) || (excl && n >= max)) {
      errs.push({ t: 'v', code: 'max', name, value: n, message: `${name} in ${IN} should be less than ${excl ? '' : 'or equal to '}${goFloat(max)}` });
    }
  }
  return errs;
}

function validateArray(arr: unknown[], s: JSONSchemaProps, name: string, ctx: Ctx): Err[] {
  const errs: Err[] = [];
  if (s.items) {
    arr.forEach((item, i) => errs.push(...validateNode(item, s.items!, `${name}[${i}]`, ctx)));
  }
  if (s.minItems !== undefined && arr.length < s.minItems) {
    errs.push({ t: 'v', code: 'minItems', name, value: arr.length, valid: s.minItems, message: `${name} in ${IN} should have at least ${s.minItems} items` });
  }
  if (s.maxItems !== undefined && arr.length > s.maxItems) {
    errs.push({ t: 'v', code: 'maxItems', name, value: arr.length, valid: s.maxItems, message: `${name} in ${IN} should have at most ${s.maxItems} items` });
  }
  if (s.uniqueItems) {
    outer: for (let i = 0; i < arr.length; i++) {
      for (let j = 0; j < i; j++) {
        if (deepEqual(arr[i], arr[j])) {
          errs.push({ t: 'v', code: 'unique', name, message: `${name} in ${IN} shouldn't contain duplicates` });
          break outer;
        }
      }
    }
  }
  return errs;
}

function validateObject(obj: Record<string, unknown>, s: JSONSchemaProps, name: string, ctx: Ctx): Err[] {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  const n = keys.length;
  if (s.minProperties !== undefined && n < s.minProperties) {
    return [{ t: 'v', code: 'tooFewProps', name, value: n, valid: s.minProperties, message: `${name} in ${IN} should have at least ${s.minProperties} properties` }];
  }
  if (s.maxProperties !== undefined && n > s.maxProperties) {
    return [{ t: 'v', code: 'tooManyProps', name, value: n, valid: s.maxProperties, message: `${name} in ${IN} should have at most ${s.maxProperties} properties` }];
  }
  const errs: Err[] = [];
  const props = s.properties ?? {};
  const ap = s.additionalProperties;
  if (ap === false) {
    for (const k of keys) {
      if (!Object.prototype.hasOwnProperty.call(props, k)) {
        errs.push({ t: 'v', code: 'unallowed', name, value: k, message: `${name}.${k} in ${IN} is a forbidden property` });
      }
    }
  } else if (ap && typeof ap === 'object') {
    for (const k of keys) {
      if (!Object.prototype.hasOwnProperty.call(props, k)) errs.push(...validateNode(obj[k], ap, mapKeyName(name, k, ctx), ctx));
    }
  }
  for (const [p, ps] of Object.entries(props)) {
    if (Object.prototype.hasOwnProperty.call(obj, p) && obj[p] !== undefined) errs.push(...validateNode(obj[p], ps, childName(name, p), ctx));
  }
  for (const r of s.required ?? []) {
    if (!Object.prototype.hasOwnProperty.call(obj, r) || obj[r] === undefined) {
      errs.push({ t: 'v', code: 'required', name: `${name}.${r}`, message: `${name}.${r} in ${IN} is required` });
    }
  }
  return errs;
}

function validateSchemaProps(data: unknown, s: JSONSchemaProps, name: string, ctx: Ctx): Err[] {
  const errs: Err[] = [];
  if (s.anyOf && s.anyOf.length > 0) {
    let best: Err[] | undefined;
    let ok = false;
    for (const sub of s.anyOf) {
      const r = validateNode(data, sub, name, ctx);
      if (r.length === 0) {
        ok = true;
        best = undefined;
        break;
      }
      if (!best || r.length < best.length) best = r;
    }
    if (!ok) errs.push({ t: 'c', message: `${goQuote(name)} must validate at least one schema (anyOf)` });
    if (best) errs.push(...best);
  }
  if (s.oneOf && s.oneOf.length > 0) {
    let best: Err[] | undefined;
    let validated = 0;
    for (const sub of s.oneOf) {
      const r = validateNode(data, sub, name, ctx);
      if (r.length === 0) {
        validated++;
        best = undefined;
        continue;
      }
      if (validated === 0 && (!best || r.length < best.length)) best = r;
    }
    if (validated !== 1) {
      const extra = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      errs.push({ t: 'c', message: `${goQuote(name)} must validate one and only one schema (oneOf). ${extra}` });
      if (best) errs.push(...best);
    }
  }
  if (s.allOf && s.allOf.length > 0) {
    let validated = 0;
    for (const sub of s.allOf) {
      const r = validateNode(data, sub, name, ctx);
      if (r.length === 0) validated++;
      errs.push(...r);
    }
    if (validated !== s.allOf.length) {
      errs.push({ t: 'c', message: `${goQuote(name)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}` });
    }
  }
  if (s.not) {
    if (validateNode(data, s.not, name, ctx).length === 0) errs.push({ t: 'c', message: `${goQuote(name)} must not validate the schema (not)` });
  }
  return errs;
}

function joinPath(prefix: string | undefined, name: string): string {
  if (prefix === undefined) return name;
  if (name.startsWith('[')) return prefix + name;
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** kubeOpenAPIResultToFieldErrors. */
function toCause(e: Err, prefix: string | undefined): FieldCause {
  if (e.t === 'c') return field.invalid(prefix, '', e.message);
  const errPath = e.name && e.name !== '.' ? joinPath(prefix, e.name.replace(/^\./, '')) : prefix;
  const value = e.value === undefined || e.value === null ? '' : e.value;
  switch (e.code) {
    case 'required':
      return field.required(errPath, '');
    case 'enum':
      return field.notSupported(
        errPath,
        e.value,
        (e.values ?? []).map((v) => (typeof v === 'string' ? v : goJSON(v))),
      );
    case 'tooLong':
      return field.tooLong(errPath, value, e.valid ?? -1);
    case 'maxItems':
    case 'tooManyProps':
      return field.tooMany(errPath, typeof e.value === 'number' ? e.value : -1, e.valid ?? -1);
    case 'type':
      return field.typeInvalid(errPath, value, e.message);
    default:
      return field.invalid(errPath, value, e.message);
  }
}

// ---------------------------------------------------------------------------------------------
// structural checks: embedded resources and list types (field.Path style, map keys in brackets)

function pChild(p: string | undefined, k: string): string {
  return p === undefined || p === '' ? k : `${p}.${k}`;
}
function pIndex(p: string | undefined, i: number | string): string {
  return `${p ?? ''}[${i}]`;
}

function validateEmbeddedResource(pth: string | undefined, x: Record<string, unknown>): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!Object.prototype.hasOwnProperty.call(x, 'apiVersion')) errs.push(field.required(pChild(pth, 'apiVersion'), 'must not be empty'));
  if (!Object.prototype.hasOwnProperty.call(x, 'kind')) errs.push(field.required(pChild(pth, 'kind'), 'must not be empty'));
  for (const [k, v] of Object.entries(x)) {
    if (k === 'apiVersion') {
      const p = pChild(pth, 'apiVersion');
      if (typeof v !== 'string') errs.push(field.invalid(p, v, 'must be a string'));
      else if (v.length === 0) errs.push(field.invalid(p, v, 'must not be empty'));
      else if ((v.match(/\//g) ?? []).length > 1) errs.push(field.invalid(p, v, `unexpected GroupVersion string: ${v}`));
    } else if (k === 'kind') {
      const p = pChild(pth, 'kind');
      if (typeof v !== 'string') errs.push(field.invalid(p, v, 'must be a string'));
      else if (v.length === 0) errs.push(field.invalid(p, v, 'must not be empty'));
      else {
        const msgs = isDNS1035Label(v.toLowerCase());
        if (msgs.length > 0) errs.push(field.invalid(p, v, `may have mixed case, but should otherwise match: ${msgs.join(',')}`));
      }
    } else if (k === 'metadata') {
      const p = pChild(pth, 'metadata');
      if (!isPlainObject(v)) {
        errs.push(field.invalid(p, v, 'must be an object'));
        continue;
      }
      const meta = { ...v } as Record<string, unknown>;
      if (!meta.name) meta.name = 'fakename';
      errs.push(
        ...validateObjectMeta(meta, {
          namespaced: typeof meta.namespace === 'string' && meta.namespace.length > 0,
          nameValidator: 'PathSegment',
          fieldPath: p,
        }),
      );
    }
  }
  return errs;
}

function validateEmbedded(pth: string | undefined, x: unknown, s: JSONSchemaProps | undefined, errs: FieldCause[]): void {
  if (!s) return;
  if (isPlainObject(x)) {
    if (s['x-kubernetes-embedded-resource']) errs.push(...validateEmbeddedResource(pth, x));
    for (const [k, v] of Object.entries(x)) {
      const prop = s.properties?.[k];
      if (prop) validateEmbedded(pChild(pth, k), v, prop, errs);
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') validateEmbedded(pIndex(pth, k), v, s.additionalProperties, errs);
    }
  } else if (Array.isArray(x)) {
    x.forEach((v, i) => validateEmbedded(pIndex(pth, i), v, s.items, errs));
  }
}

function jsonKey(v: unknown): string {
  return goJSON(v);
}

function validateListSet(pth: string | undefined, arr: unknown[]): FieldCause[] {
  if (arr.length <= 1) return [];
  const seen = new Map<string, number>();
  const errs: FieldCause[] = [];
  arr.forEach((x, i) => {
    // scalars compare by value and type; compounds by their JSON serialization
    const key = (isPlainObject(x) || Array.isArray(x) ? 'c:' : `s:${typeof x}:`) + jsonKey(x);
    const times = seen.get(key) ?? 0;
    seen.set(key, times + 1);
    if (times === 1) errs.push(field.duplicate(pIndex(pth, i), x));
  });
  return errs;
}

function validateListMap(pth: string | undefined, s: JSONSchemaProps, arr: unknown[]): FieldCause[] {
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (x !== null && x !== undefined && !isPlainObject(x)) {
      return [field.invalid(pIndex(pth, i), x, 'must be an object for an array of list-type map')];
    }
  }
  if (arr.length <= 1) return [];
  const keyFields = s['x-kubernetes-list-map-keys'] ?? [];
  const itemProps = s.items?.properties ?? {};
  const indices = new Map<string, number[]>();
  const order: { key: string; value: Record<string, unknown> }[] = [];
  arr.forEach((x, i) => {
    const item = (x ?? {}) as Record<string, unknown>;
    const keyValue: Record<string, unknown> = {};
    for (const kf of keyFields) {
      if (Object.prototype.hasOwnProperty.call(item, kf)) keyValue[kf] = item[kf];
      else if (itemProps[kf]?.default !== undefined) keyValue[kf] = itemProps[kf].default;
    }
    const key = jsonKey(keyValue);
    const list = indices.get(key) ?? [];
    if (list.length === 1) order.push({ key, value: keyValue });
    list.push(i);
    indices.set(key, list);
  });
  return order.map(({ key, value }) => field.duplicate(pIndex(pth, indices.get(key)![1]), value));
}

function validateListTypes(pth: string | undefined, x: unknown, s: JSONSchemaProps | undefined, errs: FieldCause[]): void {
  if (!s) return;
  if (isPlainObject(x)) {
    for (const [k, v] of Object.entries(x)) {
      const prop = s.properties?.[k];
      if (prop) validateListTypes(pChild(pth, k), v, prop, errs);
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') validateListTypes(pIndex(pth, k), v, s.additionalProperties, errs);
    }
  } else if (Array.isArray(x)) {
    const lt = s['x-kubernetes-list-type'];
    if (lt === 'set') errs.push(...validateListSet(pth, x));
    else if (lt === 'map') errs.push(...validateListMap(pth, s, x));
    if (s.items) x.forEach((v, i) => validateListTypes(pIndex(pth, i), v, s.items, errs));
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Validate `obj` against `schema` the way kube-apiserver validates a custom resource: returns field causes
 * (reason, message without the field prefix, field) in kube's wording, e.g.
 * { reason: 'FieldValueTypeInvalid', field: 'spec.replicas',
 *   message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"' }.
 * Root metadata is not checked here (use validateObjectMeta); embedded resources' metadata is.
 */
export function validateAgainstSchema(obj: unknown, schema: JSONSchemaProps | undefined, opts: SchemaValidationOptions = {}): FieldCause[] {
  if (!schema) return [];
  const ctx: Ctx = { mapKeys: opts.mapKeys ?? 'bracket' };
  const causes = validateNode(obj, schema, '', ctx).map((e) => toCause(e, opts.fieldPath));
  if (opts.embeddedResources ?? true) validateEmbedded(opts.fieldPath, obj, schema, causes);
  if (opts.listTypes ?? true) validateListTypes(opts.fieldPath, obj, schema, causes);
  return causes;
}

/** "field: message" strings, as kube joins them into a Status message. */
export function formatCauses(causes: FieldCause[]): string[] {
  return causes.map(field.causeToString);
}
