// A minimal protobuf wire-format reader: varints, length-delimited fields, fixed32/fixed64.

export const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LENGTH_DELIMITED: 2,
  START_GROUP: 3,
  END_GROUP: 4,
  FIXED32: 5,
} as const;

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

export interface Tag {
  field: number;
  wireType: number;
}

export class WireReader {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint (up to 10 bytes) as an unsigned 64-bit value. */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError(`truncated varint at offset ${this.pos}`);
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new WireError(`varint longer than 10 bytes at offset ${this.pos}`);
  }

  /** A varint that must fit a non-negative safe integer (tags, lengths). */
  private smallVarint(what: string): number {
    const v = this.varint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireError(`${what} ${v} out of range at offset ${this.pos}`);
    return Number(v);
  }

  tag(): Tag {
    const at = this.pos;
    const key = this.smallVarint('field key');
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field < 1 || field > 0x1fffffff) throw new WireError(`invalid field number ${field} at offset ${at}`);
    if (wireType > 5) throw new WireError(`invalid wire type ${wireType} at offset ${at}`);
    return { field, wireType };
  }

  int32(): number {
    return Number(BigInt.asIntN(32, this.varint()));
  }

  /** int64 as a JSON-style number (values beyond 2^53 lose precision). */
  int64(): number {
    return Number(BigInt.asIntN(64, this.varint()));
  }

  uint32(): number {
    return Number(BigInt.asUintN(32, this.varint()));
  }

  bool(): boolean {
    return this.varint() !== 0n;
  }

  /** The payload of a length-delimited field (a view, not a copy). */
  bytes(): Uint8Array {
    const len = this.smallVarint('length');
    if (len > this.end - this.pos) throw new WireError(`length ${len} at offset ${this.pos} runs past the end of the message`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    const b = this.bytes();
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  }

  private take(n: number): Uint8Array {
    if (n > this.end - this.pos) throw new WireError(`truncated fixed${n * 8} at offset ${this.pos}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  fixed32(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }

  fixed64(): bigint {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  double(): number {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  }

  float(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
  }

  /** Skips the value of a field of the given wire type (groups included). */
  skip(wireType: number, field?: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.varint();
        return;
      case WireType.FIXED64:
        this.take(8);
        return;
      case WireType.LENGTH_DELIMITED:
        this.bytes();
        return;
      case WireType.FIXED32:
        this.take(4);
        return;
      case WireType.START_GROUP:
        for (;;) {
          if (this.eof()) throw new WireError(`unterminated group ${field ?? ''}`);
          const t = this.tag();
          if (t.wireType === WireType.END_GROUP) {
            if (field !== undefined && t.field !== field) throw new WireError(`group ${field} closed by ${t.field}`);
            return;
          }
          this.skip(t.wireType, t.field);
        }
      default:
        throw new WireError(`unexpected wire type ${wireType} at offset ${this.pos}`);
    }
  }
}
