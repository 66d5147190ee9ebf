// Key ordering shared by every backend and the watch cache.
//
// Storage keys are ordered by Unicode code point, which is what etcd (byte order of UTF-8) and SQLite's
// BINARY collation (memcmp of UTF-8) both do. JavaScript's `<` compares UTF-16 code units instead, which
// disagrees only when a character outside the Basic Multilingual Plane (a surrogate pair) meets one in
// U+E000..U+FFFF. Kubernetes keys are ASCII in practice, but list paging must agree between the cache
// and the backend, so everything in pkg/storage orders keys with these helpers.

/** Orders two keys by Unicode code point (UTF-8 byte order): negative, zero or positive. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // Rank surrogates (astral code points) above U+E000..U+FFFF.
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** True when the key holds a code unit for which `<` and code point order may disagree. */
export function needsCodePointCompare(key: string): boolean {
  return /[\ud800-\uffff]/.test(key);
}

/**
 * The smallest key greater than every key starting with prefix, in code point order, or undefined when
 * there is none (empty prefix). Keys k with prefix satisfy prefix <= k < prefixUpperBound(prefix).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  let end = prefix.length;
  while (end > 0) {
    let start = end - 1;
    let cp = prefix.charCodeAt(start);
    if (cp >= 0xdc00 && cp <= 0xdfff && start > 0) {
      const hi = prefix.charCodeAt(start - 1);
      if (hi >= 0xd800 && hi <= 0xdbff) {
        start--;
        cp = (hi - 0xd800) * 0x400 + (cp - 0xdc00) + 0x10000;
      }
    }
    if (cp < 0x10ffff) {
      let next = cp + 1;
      if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
      return prefix.slice(0, start) + String.fromCodePoint(next);
    }
    end = start; // U+10FFFF cannot be incremented: carry into the previous code point
  }
  return undefined;
}

/** Binary search: the index of the first element of sorted `keys` that is >= key (or > key when strict). */
export function lowerBound(keys: readonly string[], key: string, strict = false, cmp = compareKeys): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = cmp(keys[mid]!, key);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
