// Shape of the message-definition table (table.ts) that drives the Kubernetes protobuf decoder.

/** Scalar kinds used by k8s.io/api; `bytes` becomes a base64 string in JSON, int64 a JSON number. */
export type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'double';

export interface FieldDef {
  /** The field's JSON name (the proto field name; go-to-protobuf names them after the JSON tags). */
  json: string;
  /** A scalar kind, or the full name of a message type (e.g. 'k8s.io.api.core.v1.Container'). */
  type: ScalarType | string;
  /** `repeated`: a JSON array. */
  repeated?: true;
  /** `map<string, type>`: a JSON object (entries are messages with key = 1, value = 2). */
  map?: true;
  /** The Go field is a pointer: a value on the wire is kept even when it is the zero value. */
  pointer?: true;
  /** A Go embedded struct tagged `json:",inline"`: its fields are merged into the parent object. */
  inline?: true;
  /** Non-pointer scalar whose JSON tag has no omitempty: its zero value is kept too. */
  keepZero?: true;
}

/** Field number → definition. */
export type MessageDef = Readonly<Record<number, FieldDef>>;

/** Full message name → definition. */
export type MessageTable = Readonly<Record<string, MessageDef>>;
