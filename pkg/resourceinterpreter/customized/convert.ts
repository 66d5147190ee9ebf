// JSON <-> Lua value rules (Karmada's luavm lua_convert.go): objects and arrays become tables and back.
// An empty Lua table cannot tell whether it was `{}` or `[]`, so, like Karmada, the result is compared
// with reference objects (the arguments the script was given): an empty table where a reference has
// an array becomes `[]`, where it has an object `{}`, and one the references never had is dropped.

/** What an empty Lua table reads as until the references tell whether it was an object or an array. */
export const EMPTY_TABLE: unique symbol = Symbol('empty Lua table');

export type Shape = 'array' | 'object';

const SEP = '\u0000';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Index-free paths of every object and array in the references (array elements share their array's path). */
export function collectShapes(references: unknown[]): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      if (path && !shapes.has(path)) shapes.set(path, 'array');
      for (const e of v) walk(e, path);
    } else if (isPlainObject(v)) {
      if (path && !shapes.has(path)) shapes.set(path, 'object');
      for (const [k, e] of Object.entries(v)) walk(e, path ? `${path}${SEP}${k}` : k);
    }
  };
  for (const r of references) walk(r, '');
  return shapes;
}

/**
 * Replaces the EMPTY_TABLE markers of a converted Lua result: `[]` or `{}` as the references had at the
 * same path, dropped when they had nothing there; the root takes `rootShape`.
 */
export function resolveEmptyTables(value: unknown, references: unknown[], rootShape: Shape): unknown {
  if (value === EMPTY_TABLE) return rootShape === 'array' ? [] : {};
  const shapes = collectShapes(references);
  const fix = (v: unknown, path: string): unknown => {
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const e of v) {
        if (e === EMPTY_TABLE) {
          const shape = elementShape(shapes, path);
          if (shape) out.push(shape === 'array' ? [] : {});
          continue;
        }
        out.push(fix(e, path));
      }
      return out;
    }
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v)) {
        const p = path ? `${path}${SEP}${k}` : k;
        if (e === EMPTY_TABLE) {
          const shape = shapes.get(p);
          if (shape) out[k] = shape === 'array' ? [] : {};
          continue;
        }
        out[k] = fix(e, p);
      }
      return out;
    }
    return v;
  };
  return fix(value, '');
}

/** Array elements share their array's path: elements that were objects left their fields below it. */
function elementShape(shapes: Map<string, Shape>, arrayPath: string): Shape | undefined {
  if (!arrayPath) return undefined;
  const prefix = `${arrayPath}${SEP}`;
  for (const key of shapes.keys()) if (key.startsWith(prefix)) return 'object';
  return undefined;
}
