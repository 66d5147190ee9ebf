// Small, typed-from-unknown accessors and the formatting helpers the Kubernetes printers share
// (labels.FormatLabels, metav1.FormatLabelSelector, layoutContainerCells, access modes, Go value text).

export type Obj = Record<string, unknown>;

export function isRecord(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** get(o, 'spec', 'template', 'spec') - undefined when any step is missing. */
export function get(o: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = o;
  for (const p of path) {
    if (typeof p === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[p];
    } else {
      if (!isRecord(cur)) return undefined;
      cur = cur[p];
    }
  }
  return cur;
}

export function str(v: unknown, dflt = ''): string {
  return typeof v === 'string' ? v : dflt;
}

/** An integer field (Go int32/int64 zero value when absent). */
export function int(v: unknown, dflt = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : dflt;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function rec(v: unknown): Obj {
  return isRecord(v) ? v : {};
}

export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, val] of Object.entries(v)) out[k] = typeof val === 'string' ? val : String(val);
  return out;
}

/** Go's sort.Strings order (byte-wise for ASCII, which label keys are). */
export function goSort(a: string[]): string[] {
  return a.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** labels.FormatLabels: "k1=v1,k2=v2" sorted by key, "<none>" when empty. */
export function formatLabels(m: unknown): string {
  const labels = strMap(m);
  const keys = goSort(Object.keys(labels));
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels[k]}`).join(',');
}

/**
 * metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key; matchLabels as k=v,
 * In/NotIn as "k in (a,b)" with sorted values, Exists as "k", DoesNotExist as "!k".
 * Returns undefined for an invalid selector (unknown operator).
 */
export function labelSelectorString(sel: unknown): string | undefined {
  if (!isRecord(sel)) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(strMap(sel.matchLabels))) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of arr(sel.matchExpressions)) {
    const key = str(get(e, 'key'));
    const values = goSort([...new Set(arr(get(e, 'values')).map((x) => String(x)))]);
    switch (str(get(e, 'operator'))) {
      case 'In':
        reqs.push({ key, text: `${key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        reqs.push({ key, text: `${key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  // sort.Stable by key
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: "<none>" for nil/empty, "<error>" for invalid. */
export function formatLabelSelector(sel: unknown): string {
  const s = labelSelectorString(sel);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** layoutContainerCells: comma-joined container names and images. */
export function layoutContainerCells(containers: unknown): [string, string] {
  const cs = arr(containers);
  return [cs.map((c) => str(get(c, 'name'))).join(','), cs.map((c) => str(get(c, 'image'))).join(',')];
}

/** helper.GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order, de-duplicated. */
export function accessModesAsString(modes: unknown): string {
  const have = new Set(arr(modes).map((m) => String(m)));
  const out: string[] = [];
  if (have.has('ReadWriteOnce')) out.push('RWO');
  if (have.has('ReadOnlyMany')) out.push('ROX');
  if (have.has('ReadWriteMany')) out.push('RWX');
  if (have.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** intstr.IntOrString.String() */
export function intOrString(v: unknown): string {
  if (typeof v === 'number') return String(Math.trunc(v));
  return typeof v === 'string' ? v : '';
}

/** A resource.Quantity as stored (the server keeps the user's canonical string). */
export function quantity(v: unknown): string {
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v !== '' ? v : '0';
}

/** printBoolPtr */
export function boolPtr(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

/** listWithMoreString: at most `max` shown, then " + N more...", "<unset>" when empty. */
export function listWithMore(list: string[], count: number, max: number, empty = '<unset>'): string {
  const shown = list.slice(0, max).join(',');
  if (count > max) return `${shown} + ${count - max} more...`;
  return shown === '' ? empty : shown;
}

/** Go's %v for a float64: strconv.FormatFloat(v, 'g', -1, 64), i.e. exponent form when exp < -4 || exp >= 6. */
export function goFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = v.toExponential().split('e'); // shortest round-trip digits, like Go
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return String(v); // JS only switches to exponent form below 1e-6, outside this range
}

/**
 * encoding/json.Marshal of a decoded JSON value: map keys sorted, HTML characters escaped.
 */
export function goJSON(v: unknown): string {
  return JSON.stringify(sortKeys(v)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isRecord(v)) {
    const out: Obj = {};
    for (const k of goSort(Object.keys(v))) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

/**
 * client-go jsonpath PrintResults of one value: maps/slices as JSON, scalars with fmt's %v (the apiserver
 * decodes integral JSON numbers as int64 and the rest as float64). undefined for null (nothing printable).
 */
export function jsonPathText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) < 2 ** 63) return BigInt(v).toString();
    return goFloat(v);
  }
  return goJSON(v);
}
