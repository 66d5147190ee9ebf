// Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into the JSON object
// Kubernetes would produce for them.
//
// A body is the 4-byte magic "k8s\0" followed by a runtime.Unknown message:
//   typeMeta = 1 { apiVersion = 1, kind = 2 }, raw = 2 (the typed object), contentEncoding = 3, contentType = 4.
// `raw` is decoded with the field table in table.ts. The JSON follows Go's encoding/json over the typed
// struct, with two simplifications: non-pointer scalars at their zero value are omitted (the Go generator
// writes every non-pointer field, so presence on the wire means nothing for them), and zero/null
// timestamps are omitted rather than written as `null`. Pointer fields keep whatever value was sent
// (`replicas: 0` stays), non-pointer struct fields stay even when empty (`resources: {}`, `status: {}`).

import { ApiError } from '../errors.js';
import { MESSAGES, ROOT_MESSAGES } from './table.js';
import type { FieldDef, MessageTable } from './types.js';
import { WireError, WireReader, WireType } from './wire.js';

export const KUBERNETES_PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
/** "k8s\0": the prefix of every Kubernetes protobuf envelope. */
export const KUBERNETES_PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

const TIME = 'k8s.io.apimachinery.pkg.apis.meta.v1.Time';
const MICRO_TIME = 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime';
const FIELDS_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1';
const RAW_EXTENSION = 'k8s.io.apimachinery.pkg.runtime.RawExtension';
const QUANTITY = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';

const SCALARS = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'double']);

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** The object as JSON, with apiVersion and kind set. */
  object: Record<string, unknown>;
}

/** True for `application/vnd.kubernetes.protobuf` (parameters ignored). */
export function isKubernetesProtobuf(contentType: string | undefined | null): boolean {
  if (!contentType) return false;
  return contentType.split(';', 1)[0]!.trim().toLowerCase() === KUBERNETES_PROTOBUF_CONTENT_TYPE;
}

/** The apiVersion/kind pairs whose protobuf encoding this server decodes. */
export function supportedProtobufKinds(): string[] {
  return Object.keys(ROOT_MESSAGES);
}

const JSON_HINT = 'send the object as JSON instead (e.g. `kubectl create ... --dry-run=client -o json | kubectl create -f -`)';

function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', `invalid protobuf request body: ${message}`);
}

function unsupported(message: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', message);
}

/**
 * Decodes a Kubernetes protobuf request body (magic + runtime.Unknown) into its JSON object.
 * Throws ApiError 400 (malformed body) or 415 (a kind, field or encoding this server does not decode).
 */
export function decodeKubernetesProtobuf(body: Uint8Array): DecodedObject {
  if (body.length < 4 || KUBERNETES_PROTOBUF_MAGIC.some((b, i) => body[i] !== b)) {
    throw badRequest('the body does not start with the Kubernetes protobuf magic "k8s\\x00"');
  }
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array(0);
  let contentEncoding = '';
  let contentType = '';
  try {
    const r = new WireReader(body, 4);
    while (!r.eof()) {
      const { field, wireType } = r.tag();
      if (field >= 1 && field <= 4 && wireType !== WireType.LENGTH_DELIMITED) {
        throw badRequest(`field ${field} of ${UNKNOWN} has wire type ${wireType}, expected 2`);
      }
      switch (field) {
        case 1: {
          const t = new WireReader(r.bytes());
          while (!t.eof()) {
            const tag = t.tag();
            if ((tag.field === 1 || tag.field === 2) && tag.wireType === WireType.LENGTH_DELIMITED) {
              if (tag.field === 1) apiVersion = t.string();
              else kind = t.string();
            } else t.skip(tag.wireType, tag.field);
          }
          break;
        }
        case 2:
          raw = r.bytes();
          break;
        case 3:
          contentEncoding = r.string();
          break;
        case 4:
          contentType = r.string();
          break;
        default:
          r.skip(wireType, field);
      }
    }
  } catch (e) {
    throw e instanceof WireError ? badRequest(e.message) : e;
  }
  if (!kind || !apiVersion) throw badRequest('the runtime.Unknown envelope carries no apiVersion/kind');
  if (contentEncoding) throw unsupported(`protobuf content encoding "${contentEncoding}" is not supported by this server; ${JSON_HINT}`);
  if (contentType && !isKubernetesProtobuf(contentType)) {
    throw unsupported(`protobuf envelope content type "${contentType}" is not supported by this server; ${JSON_HINT}`);
  }
  const root = ROOT_MESSAGES[`${apiVersion}/${kind}`];
  if (!root) {
    throw unsupported(
      `protobuf request bodies are supported only for ${supportedProtobufKinds().join(', ')}; ` +
        `got ${apiVersion}/${kind}: ${JSON_HINT}`,
    );
  }
  const decoded = decodeProtobufMessage(raw, root);
  return { apiVersion, kind, object: { apiVersion, kind, ...decoded } };
}

/** Decodes one message of the table (by full name, e.g. 'k8s.io.api.core.v1.ConfigMap') into JSON. */
export function decodeProtobufMessage(
  buf: Uint8Array,
  typeName: string,
  path = '',
  table: MessageTable = MESSAGES,
): Record<string, unknown> {
  try {
    return new Decoder(table).message(buf, typeName, path);
  } catch (e) {
    throw e instanceof WireError ? badRequest(`${e.message}${path ? ` in ${path}` : ''} (${typeName})`) : e;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === null || v === undefined;
}

function rfc3339(seconds: number, fraction?: string): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw badRequest(`timestamp ${seconds}s is out of range`);
  const s = d.toISOString().replace(/\.\d{3}Z$/, '');
  return `${s}${fraction ?? ''}Z`;
}

class Decoder {
  constructor(private readonly table: MessageTable) {}

  message(buf: Uint8Array, typeName: string, path: string): Record<string, unknown> {
    const def = this.table[typeName];
    if (!def) throw unsupported(`protobuf message ${typeName}${path ? ` (at ${path})` : ''} is not supported by this server; ${JSON_HINT}`);
    const out: Record<string, unknown> = {};
    // Message fields seen more than once merge (protobuf semantics): decode the concatenation at the end.
    const chunks = new Map<number, Uint8Array[]>();
    const r = new WireReader(buf);
    while (!r.eof()) {
      const { field, wireType } = r.tag();
      const f = def[field];
      if (!f) {
        throw unsupported(
          `protobuf field ${field} (wire type ${wireType}) of ${typeName}${path ? ` at ${path}` : ''} ` +
            `is not supported by this server; ${JSON_HINT}`,
        );
      }
      const fpath = path ? `${path}.${f.json}` : f.json;
      if (f.map) {
        this.expectWireType(wireType, WireType.LENGTH_DELIMITED, typeName, field, fpath);
        const [k, v] = this.mapEntry(r.bytes(), f, fpath);
        const m = (out[f.json] ??= {}) as Record<string, unknown>;
        m[k] = v;
      } else if (f.repeated) {
        const arr = (out[f.json] ??= []) as unknown[];
        if (SCALARS.has(f.type) && f.type !== 'string' && f.type !== 'bytes' && wireType === WireType.LENGTH_DELIMITED) {
          const packed = new WireReader(r.bytes());
          while (!packed.eof()) arr.push(this.scalar(packed, f.type));
        } else {
          arr.push(this.value(r, wireType, f, typeName, field, `${fpath}[${arr.length}]`));
        }
      } else if (!SCALARS.has(f.type)) {
        this.expectWireType(wireType, WireType.LENGTH_DELIMITED, typeName, field, fpath);
        const list = chunks.get(field);
        if (list) list.push(r.bytes());
        else {
          chunks.set(field, [r.bytes()]);
          if (!f.inline) out[f.json] = undefined; // keeps the key's position
        }
      } else {
        out[f.json] = this.value(r, wireType, f, typeName, field, fpath);
      }
    }
    for (const [field, parts] of chunks) {
      const f = def[field]!;
      const fpath = path ? `${path}.${f.json}` : f.json;
      const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      const v = this.embedded(bytes, f.type, fpath);
      if (f.inline) {
        if (!isPlainObject(v)) throw new Error(`inline field ${typeName}.${f.json} is not an object type`);
        Object.assign(out, v);
      } else out[f.json] = v;
    }
    // Drop what Go's JSON would not show: zero values of non-pointer omitempty fields, null timestamps.
    for (const f of Object.values(def) as FieldDef[]) {
      if (f.repeated || f.map || f.inline || !(f.json in out)) continue;
      const v = out[f.json];
      if (v === null || v === undefined || (!f.pointer && !f.keepZero && isZero(v))) delete out[f.json];
    }
    return out;
  }

  private expectWireType(got: number, want: number, typeName: string, field: number, path: string): void {
    if (got !== want) throw badRequest(`field ${field} of ${typeName} (${path}) has wire type ${got}, expected ${want}`);
  }

  private value(r: WireReader, wireType: number, f: FieldDef, typeName: string, field: number, path: string): unknown {
    if (!SCALARS.has(f.type) || f.type === 'string' || f.type === 'bytes') {
      this.expectWireType(wireType, WireType.LENGTH_DELIMITED, typeName, field, path);
      if (f.type === 'string') return r.string();
      if (f.type === 'bytes') return Buffer.from(r.bytes()).toString('base64');
      return this.embedded(r.bytes(), f.type, path);
    }
    this.expectWireType(wireType, f.type === 'double' ? WireType.FIXED64 : WireType.VARINT, typeName, field, path);
    return this.scalar(r, f.type);
  }

  private scalar(r: WireReader, type: string): unknown {
    switch (type) {
      case 'bool':
        return r.bool();
      case 'int32':
        return r.int32();
      case 'int64':
        return r.int64();
      case 'double':
        return r.double();
      default:
        throw new Error(`not a numeric scalar: ${type}`);
    }
  }

  private mapEntry(buf: Uint8Array, f: FieldDef, path: string): [string, unknown] {
    let key = '';
    let value: unknown;
    let valueBytes: Uint8Array | undefined;
    const r = new WireReader(buf);
    while (!r.eof()) {
      const { field, wireType } = r.tag();
      if (field === 1 && wireType === WireType.LENGTH_DELIMITED) key = r.string();
      else if (field === 2 && wireType === WireType.LENGTH_DELIMITED && f.type === 'string') value = r.string();
      else if (field === 2 && wireType === WireType.LENGTH_DELIMITED && f.type === 'bytes') value = Buffer.from(r.bytes()).toString('base64');
      else if (field === 2 && wireType === WireType.LENGTH_DELIMITED && !SCALARS.has(f.type)) valueBytes = r.bytes();
      else throw badRequest(`map entry of ${path} has field ${field} with wire type ${wireType}`);
    }
    const kpath = `${path}[${JSON.stringify(key)}]`;
    if (!SCALARS.has(f.type)) value = this.embedded(valueBytes ?? new Uint8Array(0), f.type, kpath);
    if (value === undefined) value = '';
    return [key, value];
  }

  /** A nested message: the types with their own JSON form, or a table message. */
  private embedded(buf: Uint8Array, type: string, path: string): unknown {
    switch (type) {
      case TIME:
      case MICRO_TIME: {
        // An empty message is the zero time (JSON null). Time keeps whole seconds, MicroTime microseconds.
        if (buf.length === 0) return null;
        const { 1: seconds = 0, 2: nanos = 0 } = this.fields(buf, type, path, { 1: 'int64', 2: 'int32' }) as Record<number, number>;
        if (type === TIME) return rfc3339(seconds);
        return rfc3339(seconds, `.${String(Math.floor(nanos / 1000)).padStart(6, '0')}`);
      }
      case QUANTITY: {
        const { 1: s = '' } = this.fields(buf, type, path, { 1: 'string' }) as Record<number, string>;
        return s;
      }
      case INT_OR_STRING: {
        const { 1: t = 0, 2: intVal = 0, 3: strVal = '' } = this.fields(buf, type, path, {
          1: 'int64',
          2: 'int32',
          3: 'string',
        }) as Record<number, number | string>;
        return t === 1 ? strVal : intVal;
      }
      case FIELDS_V1:
      case RAW_EXTENSION: {
        const { 1: raw } = this.fields(buf, type, path, { 1: 'bytes' }) as Record<number, Uint8Array | undefined>;
        if (!raw || raw.length === 0) return null;
        const text = Buffer.from(raw).toString('utf8');
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw unsupported(`${path}: only JSON content is supported in a protobuf ${type.split('.').pop()}; ${JSON_HINT}`);
        }
      }
      default:
        return this.message(buf, type, path);
    }
  }

  /** Reads a small fixed-shape message (field → scalar kind); unknown fields are an error. */
  private fields(buf: Uint8Array, typeName: string, path: string, shape: Record<number, 'int64' | 'int32' | 'string' | 'bytes'>) {
    const out: Record<number, unknown> = {};
    const r = new WireReader(buf);
    while (!r.eof()) {
      const { field, wireType } = r.tag();
      const kind = shape[field];
      if (!kind) {
        throw unsupported(`protobuf field ${field} (wire type ${wireType}) of ${typeName} at ${path} is not supported by this server; ${JSON_HINT}`);
      }
      if (kind === 'string' || kind === 'bytes') {
        this.expectWireType(wireType, WireType.LENGTH_DELIMITED, typeName, field, path);
        out[field] = kind === 'string' ? r.string() : r.bytes();
      } else {
        this.expectWireType(wireType, WireType.VARINT, typeName, field, path);
        out[field] = kind === 'int32' ? r.int32() : r.int64();
      }
    }
    return out;
  }
}
