// Server-side printing: converts objects of a resource into a meta.k8s.io Table the way kube-apiserver does
// (printers TableConvertor for built-in kinds, the CRD additionalPrinterColumns convertor, and the default
// Name/Created At convertor for everything else), then applies includeObject like handlers.asTable.

import { apiVersionOf, type KubeObject, type PrinterColumn, type ResourceDescriptor } from '../registry/types.js';
import { formatRFC3339, humanDuration, parseTimestamp, translateTimestampSince } from './duration.js';
import { type Obj, isRecord, jsonPathText } from './format.js';
// TODO: switch to '../jsonpath/index.js' (evaluateJsonPath) once pkg/apiserver/jsonpath lands; same signature.
import { evaluateJsonPath, parsePath } from './jsonpath-lite.js';
import { CREATION_TIMESTAMP_DESCRIPTION, NAME_DESCRIPTION, builtinPrinter, type PrintContext, type PrinterEntry } from './printers.js';
import type { Table, TableCell, TableColumnDefinition, TableRow, TableRowCondition, ToTableOptions } from './types.js';

export type * from './types.js';

interface Convertor {
  columns: TableColumnDefinition[];
  row(o: Obj, ctx: PrintContext): { cells: TableCell[]; conditions?: TableRowCondition[] };
}

const NAME_COLUMN: TableColumnDefinition = { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 };

/** The default Age column the apiextensions server serves when a CRD version declares no printer columns. */
const DEFAULT_CRD_COLUMNS: PrinterColumn[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: CREATION_TIMESTAMP_DESCRIPTION },
];

function builtinConvertor(p: PrinterEntry): Convertor {
  return {
    columns: p.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 })),
    row(o, ctx) {
      const state = p.prepare ? p.prepare(o, ctx) : undefined;
      const cells = p.columns.map((c) => c.cell(o, ctx, state));
      const conditions = p.conditions?.(o, state);
      return conditions ? { cells, conditions } : { cells };
    },
  };
}

/** apiextensions tableconvertor.cellForJSONValue for non-string columns. */
function cellForJSONValue(type: string, value: unknown, now: Date): TableCell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return typeof value === 'string' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const d = parseTimestamp(value);
      if (!d) return '<invalid>';
      return translateTimestampSince(value, now);
    }
  }
  return null;
}

function crdConvertor(printerColumns: PrinterColumn[]): Convertor {
  const defs = printerColumns.length > 0 ? printerColumns : DEFAULT_CRD_COLUMNS;
  const columns: TableColumnDefinition[] = [NAME_COLUMN];
  const paths: { type: string; path: string }[] = [];
  for (const col of defs) {
    try {
      parsePath(col.jsonPath);
    } catch {
      // kube's tableconvertor.New stops at the first unparsable column and serves the ones before it.
      break;
    }
    columns.push({
      name: col.name,
      type: col.type,
      format: col.format ?? '',
      description: col.description || `Custom resource definition column (in JSONPath format): ${col.jsonPath}`,
      priority: col.priority ?? 0,
    });
    paths.push({ type: col.type, path: col.jsonPath });
  }
  return {
    columns,
    row(o, ctx) {
      const cells: TableCell[] = [objectName(o)];
      for (const { type, path } of paths) {
        let results: unknown[];
        try {
          results = evaluateJsonPath(o, path);
        } catch {
          results = [];
        }
        if (results.length === 0) {
          cells.push(null);
          continue;
        }
        // only simple JSONPath is supported, so the first result is the value
        const value = results[0];
        if (type === 'string') cells.push(jsonPathText(value) ?? null);
        else cells.push(cellForJSONValue(type, value, ctx.now));
      }
      return { cells };
    },
  };
}

function objectName(o: Obj): string {
  const n = isRecord(o.metadata) ? o.metadata.name : undefined;
  return typeof n === 'string' ? n : '';
}

/** rest.DefaultTableConvertor: Name and Created At (RFC3339, type date). */
const defaultConvertor: Convertor = {
  columns: [NAME_COLUMN, { name: 'Created At', type: 'date', format: '', description: CREATION_TIMESTAMP_DESCRIPTION, priority: 0 }],
  row(o) {
    return { cells: [objectName(o), formatRFC3339(isRecord(o.metadata) ? o.metadata.creationTimestamp : undefined)] };
  },
};

/**
 * Picks the convertor kube-apiserver would use: printerColumns for CRD-served kinds (and any descriptor that
 * declares printerColumns), the built-in printer for known kinds, otherwise the default Name/Created At.
 */
function convertorFor(desc: ResourceDescriptor): Convertor {
  if (desc.crd || desc.printerColumns) return crdConvertor(desc.printerColumns ?? []);
  const p = builtinPrinter(desc.group, desc.resource);
  return p ? builtinConvertor(p) : defaultConvertor;
}

/** The column definitions a Table for this resource carries (all priorities; kubectl filters wide ones). */
export function tableColumns(desc: ResourceDescriptor): TableColumnDefinition[] {
  return convertorFor(desc).columns.map((c) => ({ ...c }));
}

function printContext(now: Date): PrintContext {
  return { now, since: (ts) => translateTimestampSince(ts, now) };
}

/**
 * Converts objects of one resource into a meta.k8s.io Table. Pass `listMeta` when answering a list; a single
 * object (get, watch event) contributes its own resourceVersion.
 */
export function toTable(desc: ResourceDescriptor, objects: KubeObject[], opts: ToTableOptions): Table {
  const conv = convertorFor(desc);
  const ctx = printContext(opts.now);
  const apiVersion = opts.apiVersion ?? 'meta.k8s.io/v1';
  const rows: TableRow[] = objects.map((obj) => {
    const { cells, conditions } = conv.row(obj as Obj, ctx);
    const row: TableRow = { cells };
    if (conditions) row.conditions = conditions;
    switch (opts.includeObject) {
      case 'Object':
        row.object = obj.apiVersion && obj.kind ? obj : { ...obj, apiVersion: obj.apiVersion || apiVersionOf(desc), kind: obj.kind || desc.kind };
        break;
      case 'None':
        break;
      case 'Metadata':
      default:
        row.object = { apiVersion, kind: 'PartialObjectMetadata', metadata: obj.metadata ?? {} };
        break;
    }
    return row;
  });

  const metadata: Table['metadata'] = {};
  if (opts.listMeta) {
    if (opts.listMeta.resourceVersion) metadata.resourceVersion = opts.listMeta.resourceVersion;
    if (opts.listMeta.continue) metadata.continue = opts.listMeta.continue;
    if (typeof opts.listMeta.remainingItemCount === 'number') metadata.remainingItemCount = opts.listMeta.remainingItemCount;
  } else if (objects.length === 1 && objects[0].metadata?.resourceVersion) {
    metadata.resourceVersion = objects[0].metadata.resourceVersion;
  }

  return {
    kind: 'Table',
    apiVersion,
    metadata,
    columnDefinitions: opts.noHeaders ? [] : conv.columns.map((c) => ({ ...c })),
    rows,
  };
}

/** A watch event's object as a single-row Table (`kubectl get -w` asks for as=Table on watches too). */
export function tableForWatchEvent(desc: ResourceDescriptor, object: KubeObject, opts: Omit<ToTableOptions, 'listMeta'>): Table {
  return toTable(desc, [object], { ...opts, listMeta: undefined });
}

/**
 * Per-watch converter mirroring kube's watchEmbeddedEncoder: the first event's Table carries
 * columnDefinitions, later ones are sent with noHeaders (empty columnDefinitions).
 */
export function createWatchTableConverter(
  desc: ResourceDescriptor,
  opts: Omit<ToTableOptions, 'listMeta' | 'now'>,
): (object: KubeObject, now?: Date) => Table {
  let noHeaders = opts.noHeaders ?? false;
  return (object, now = new Date()) => {
    const t = tableForWatchEvent(desc, object, { ...opts, now, noHeaders });
    noHeaders = true;
    return t;
  };
}

export { humanDuration, translateTimestampSince };
