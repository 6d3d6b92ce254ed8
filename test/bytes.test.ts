// The byte writer and reader every binary format here builds on (src/bytes/): little-endian layout
// against hand-written bytes, each range refused by field name, a length-prefixed string, and a reader
// that refuses truncation, out-of-range values, counts the input cannot hold and trailing bytes, each
// at its byte offset.
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../src/bytes/reader.js';
import { ByteWriter } from '../src/bytes/writer.js';

const fail = (field: string, offset: number, detail: string) => new Error(`${field}@${offset}: ${detail}`);

describe('ByteWriter', () => {
  it('writes little-endian integers, raw and length-prefixed bytes, in order', () => {
    const w = new ByteWriter();
    w.u8('a', 0xfe);
    w.u16('b', 0x1234);
    w.u32('c', 0xdeadbeef);
    w.u64('d', 0x0102030405060708n);
    w.lengthPrefixed('e', Uint8Array.of(9, 8));
    w.raw(Uint8Array.of(7));
    expect([...w.finish()]).toEqual([0xfe, 0x34, 0x12, 0xef, 0xbe, 0xad, 0xde, 8, 7, 6, 5, 4, 3, 2, 1, 2, 0, 0, 0, 9, 8, 7]);
  });

  it('refuses a value outside its field by name', () => {
    const w = new ByteWriter();
    expect(() => w.u8('count', 256)).toThrow('count: 256 is not an integer in [0, 255]');
    expect(() => w.u16('width', 3, 4)).toThrow('width: 3 is not an integer in [4, 65535]');
    expect(() => w.u32('rows', 1.5)).toThrow('rows: 1.5 is not an integer in [0, 4294967295]');
    expect(() => w.u64('nonce', 2n ** 64n)).toThrow('nonce: 18446744073709551616 is not a u64');
    expect(() => w.u64('nonce', -1n)).toThrow(/not a u64/);
    const custom = new ByteWriter((field, detail) => new TypeError(`custom ${field} ${detail}`));
    expect(() => custom.u8('x', -1)).toThrow(TypeError);
  });
});

describe('ByteReader', () => {
  const input = Uint8Array.of(0xfe, 0x34, 0x12, 0xef, 0xbe, 0xad, 0xde, 8, 7, 6, 5, 4, 3, 2, 1, 2, 0, 9, 8);

  it('reads what the writer wrote', () => {
    const r = new ByteReader(input, fail);
    expect([r.u8('a'), r.u16('b'), r.u32('c'), r.u64('d')]).toEqual([0xfe, 0x1234, 0xdeadbeef, 0x0102030405060708n]);
    const n = r.count('e', 2, 1);
    expect([...r.bytes('e', n)]).toEqual([9, 8]);
    r.end();
  });

  it('refuses truncation, ranges, counts the rest cannot hold and trailing bytes, at their offsets', () => {
    expect(() => new ByteReader(Uint8Array.of(1), fail).u16('b')).toThrow('b@0: truncated: needs 2 bytes, 1 remain');
    expect(() => new ByteReader(Uint8Array.of(9), fail).u8('a', 1, 8)).toThrow('a@0: 9 is outside [1, 8]');
    expect(() => new ByteReader(Uint8Array.of(5, 0, 0, 0, 1), fail).count('xs', 4, 8)).toThrow('xs.length@0: 5 items need 40 bytes, 1 remain');
    const r = new ByteReader(Uint8Array.of(1, 2), fail);
    r.u8('a');
    expect(() => r.end()).toThrow('end@1: 1 trailing bytes');
    expect(() => new ByteReader(Uint8Array.of(), fail).bytes(() => 'lazy', 1)).toThrow('lazy@0: truncated');
  });
});
