// A minimal parquet writer for tests (hyparquet only reads and hyparquet-writer is not installed):
// one row group, one uncompressed PLAIN data page (v1) per column, thrift compact metadata.
// Supports string (BYTE_ARRAY/UTF8), int64 and double columns, REQUIRED or OPTIONAL (nulls).
import { writeFileSync } from 'node:fs';

export type ColumnType = 'string' | 'int64' | 'double';
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  optional?: boolean;
  values: Array<string | number | bigint | null>;
}

class Out {
  bytes: number[] = [];
  byte(b: number) {
    this.bytes.push(b & 0xff);
  }
  varint(v: bigint) {
    let x = v;
    for (;;) {
      if (x < 0x80n) {
        this.byte(Number(x));
        return;
      }
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
  }
  zigzag(v: number | bigint) {
    const x = BigInt(v);
    this.varint(x >= 0n ? x << 1n : ((-x) << 1n) - 1n);
  }
  raw(b: Uint8Array | number[]) {
    for (const x of b) this.bytes.push(x);
  }
}

// Thrift compact protocol, just what parquet metadata needs.
type TValue =
  | { t: 'i32'; v: number }
  | { t: 'i64'; v: number | bigint }
  | { t: 'bin'; v: string }
  | { t: 'struct'; v: TStruct }
  | { t: 'list'; elem: 'i32' | 'bin' | 'struct'; v: TValue[] };
type TStruct = Array<[number, TValue]>;
const TYPE = { i32: 5, i64: 6, bin: 8, list: 9, struct: 12 } as const;

function writeValue(o: Out, val: TValue): void {
  switch (val.t) {
    case 'i32':
    case 'i64':
      o.zigzag(val.v);
      break;
    case 'bin': {
      const b = Buffer.from(val.v, 'utf8');
      o.varint(BigInt(b.length));
      o.raw(b);
      break;
    }
    case 'struct':
      writeStruct(o, val.v);
      break;
    case 'list': {
      const n = val.v.length;
      if (n < 15) o.byte((n << 4) | TYPE[val.elem]);
      else {
        o.byte(0xf0 | TYPE[val.elem]);
        o.varint(BigInt(n));
      }
      for (const e of val.v) writeValue(o, e);
      break;
    }
  }
}

function writeStruct(o: Out, fields: TStruct): void {
  let last = 0;
  for (const [id, val] of fields) {
    const delta = id - last;
    if (delta > 0 && delta <= 15) o.byte((delta << 4) | TYPE[val.t]);
    else {
      o.byte(TYPE[val.t]);
      o.zigzag(id);
    }
    writeValue(o, val);
    last = id;
  }
  o.byte(0);
}

const i32 = (v: number): TValue => ({ t: 'i32', v });
const i64 = (v: number | bigint): TValue => ({ t: 'i64', v });
const bin = (v: string): TValue => ({ t: 'bin', v });

/** Bit-packed (RLE hybrid) encoding of 0/1 definition levels, with the v1 4-byte length prefix. */
function defLevels(present: boolean[]): number[] {
  const groups = Math.ceil(present.length / 8);
  const body = new Out();
  body.varint(BigInt((groups << 1) | 1));
  for (let g = 0; g < groups; g++) {
    let b = 0;
    for (let k = 0; k < 8; k++) if (present[g * 8 + k]) b |= 1 << k;
    body.byte(b);
  }
  const len = body.bytes.length;
  return [len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, (len >>> 24) & 0xff, ...body.bytes];
}

function plainValues(col: ColumnSpec): number[] {
  const o = new Out();
  for (const v of col.values) {
    if (v === null) continue;
    if (col.type === 'string') {
      const b = Buffer.from(String(v), 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      o.raw(len);
      o.raw(b);
    } else if (col.type === 'int64') {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(v));
      o.raw(b);
    } else {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(Number(v));
      o.raw(b);
    }
  }
  return o.bytes;
}

const PHYSICAL = { string: 6, int64: 2, double: 5 } as const;

/** Writes the columns as a parquet file (all columns must have the same length). */
export function writeParquet(path: string, columns: ColumnSpec[]): void {
  const numRows = columns[0]?.values.length ?? 0;
  if (columns.some((c) => c.values.length !== numRows)) throw new Error('columns of different lengths');
  const file = new Out();
  file.raw(Buffer.from('PAR1'));
  const chunks: TValue[] = [];
  let totalBytes = 0;
  for (const col of columns) {
    if (!col.optional && col.values.some((v) => v === null)) throw new Error(`null in required column ${col.name}`);
    const data = [...(col.optional ? defLevels(col.values.map((v) => v !== null)) : []), ...plainValues(col)];
    const header = new Out();
    writeStruct(header, [
      [1, i32(0)], // DATA_PAGE
      [2, i32(data.length)],
      [3, i32(data.length)],
      [5, { t: 'struct', v: [[1, i32(numRows)], [2, i32(0)], [3, i32(3)], [4, i32(3)]] }],
    ]);
    const offset = file.bytes.length;
    file.raw(header.bytes);
    file.raw(data);
    const size = header.bytes.length + data.length;
    totalBytes += size;
    chunks.push({
      t: 'struct',
      v: [
        [2, i64(offset)],
        [
          3,
          {
            t: 'struct',
            v: [
              [1, i32(PHYSICAL[col.type])],
              [2, { t: 'list', elem: 'i32', v: [i32(0), i32(3)] }],
              [3, { t: 'list', elem: 'bin', v: [bin(col.name)] }],
              [4, i32(0)], // UNCOMPRESSED
              [5, i64(numRows)],
              [6, i64(size)],
              [7, i64(size)],
              [9, i64(offset)],
            ],
          },
        ],
      ],
    });
  }
  const schema: TValue[] = [{ t: 'struct', v: [[4, bin('schema')], [5, i32(columns.length)]] }];
  for (const col of columns) {
    const f: TStruct = [
      [1, i32(PHYSICAL[col.type])],
      [3, i32(col.optional ? 1 : 0)],
      [4, bin(col.name)],
    ];
    if (col.type === 'string') f.push([6, i32(0)]); // UTF8
    schema.push({ t: 'struct', v: f });
  }
  const meta = new Out();
  writeStruct(meta, [
    [1, i32(1)],
    [2, { t: 'list', elem: 'struct', v: schema }],
    [3, i64(numRows)],
    [4, { t: 'list', elem: 'struct', v: [{ t: 'struct', v: [[1, { t: 'list', elem: 'struct', v: chunks }], [2, i64(totalBytes)], [3, i64(numRows)]] }] }],
  ]);
  file.raw(meta.bytes);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(meta.bytes.length);
  file.raw(len);
  file.raw(Buffer.from('PAR1'));
  writeFileSync(path, Uint8Array.from(file.bytes));
}
