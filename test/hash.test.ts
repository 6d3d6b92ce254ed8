// BLAKE3 wasm kernels and src/hash against @noble/hashes and the official BLAKE3 test vectors
// (BLAKE3-team/BLAKE3, test_vectors/test_vectors.json: input byte i = i % 251, first 32 output bytes).
import { describe, expect, it, beforeAll } from 'vitest';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { DIGEST_BYTES, blake3, sha256, sha256Hex, hashRows, hashRowsRowMajor, hashPairs } from '../src/hash/index.js';
import { Kernels } from '../src/wasm/kernels.js';
import { grindShort } from '../src/hash/short.js';

let k: Kernels;
beforeAll(async () => {
  k = await Kernels.load();
});

/** Deterministic xorshift32 stream, so failures reproduce. */
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
  return {
    bytes(n: number): Uint8Array {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
    u64(): bigint {
      return (BigInt(next()) << 32n) | BigInt(next());
    },
  };
}

const P = 0xffffffff00000000n + 1n;
const EDGE = [0n, 1n, P - 1n, 0xffffffffn, 0x100000000n, 1n << 63n, 0xffffffffffffffffn, 0x0123456789abcdefn];

/** The leaf encoding, written independently of the kernels: each element 8 bytes little-endian, in order. */
function rowBytes(row: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(row.length * 8);
  const view = new DataView(out.buffer);
  row.forEach((x, i) => view.setBigUint64(i * 8, x, true));
  return out;
}

function wasmBytesHash(data: Uint8Array): string {
  return k.scoped(() => {
    const p = k.alloc(data.length);
    const o = k.alloc(32);
    k.u8.set(data, p);
    k.raw.blake3_bytes(o, p, data.length);
    return bytesToHex(k.u8.slice(o, o + 32));
  });
}

function randomMatrix(rows: number, cols: number, seed: number): bigint[][] {
  const r = prng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => r.u64()));
}

function columnsOf(m: bigint[][], cols: number): BigUint64Array[] {
  return Array.from({ length: cols }, (_, c) => BigUint64Array.from(m, (row) => row[c]!));
}

function expectedLeaves(m: bigint[][]): Uint8Array {
  const out = new Uint8Array(m.length * 32);
  m.forEach((row, r) => out.set(nobleBlake3(rowBytes(row)), r * 32));
  return out;
}

describe('blake3_bytes', () => {
  const lengths = [0, 1, 2, 7, 8, 31, 32, 63, 64, 65, 127, 128, 129, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 3073, 4096, 5000, 8192 + 1, 16 * 1024 + 5, 33 * 1024];
  it('matches noble on random data of every chunk/block boundary length', () => {
    const r = prng(7);
    for (const len of lengths) {
      const data = r.bytes(len);
      expect(wasmBytesHash(data), `len ${len}`).toBe(bytesToHex(nobleBlake3(data)));
    }
  });

  it('matches the official test vectors (input i % 251)', () => {
    const vectors: [number, string][] = [
      [0, 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'],
      [1, '2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213'],
      [1023, '10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11'],
      [1024, '42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7'],
      [1025, 'd00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444'],
      [2048, 'e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a'],
      [2049, '5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030'],
      [3072, 'b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2'],
      [4096, '015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969'],
      [8192, 'aae792484c8efe4f19e2ca7d371d8c467ffb10748d8a5a1ae579948f718a2a63'],
      [102400, 'bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085'],
    ];
    for (const [len, hex] of vectors) {
      const data = Uint8Array.from({ length: len }, (_, i) => i % 251);
      expect(bytesToHex(nobleBlake3(data)), `noble len ${len}`).toBe(hex);
      expect(wasmBytesHash(data), `wasm len ${len}`).toBe(hex);
    }
  });
});

describe('digest helpers', () => {
  it('blake3 and sha256 are the noble functions', () => {
    const data = prng(3).bytes(100);
    expect(DIGEST_BYTES).toBe(32);
    expect(blake3(data)).toEqual(nobleBlake3(data));
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(bytesToHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('hashRows / hashRowsRowMajor', () => {
  const colCounts = [1, 2, 3, 7, 8, 9, 16, 64, 127, 128, 129, 200, 300];
  const rowCounts = [1, 2, 3, 4, 5, 8, 13];
  it('match noble on the canonical row bytes, column-major and row-major alike', () => {
    let seed = 100;
    for (const cols of colCounts) {
      for (const rows of rowCounts) {
        const m = randomMatrix(rows, cols, seed++);
        const want = expectedLeaves(m);
        const got = hashRows(k, columnsOf(m, cols));
        expect(got.length).toBe(rows * DIGEST_BYTES);
        expect(bytesToHex(got), `${rows}×${cols} column-major`).toBe(bytesToHex(want));
        const flat = BigUint64Array.from(m.flat());
        expect(bytesToHex(hashRowsRowMajor(k, flat, rows, cols)), `${rows}×${cols} row-major`).toBe(bytesToHex(want));
      }
    }
  });

  it('multi-chunk rows deep enough to merge several tree levels', () => {
    for (const cols of [128 * 8, 128 * 17 + 3]) {
      const m = randomMatrix(5, cols, cols);
      const want = bytesToHex(expectedLeaves(m));
      expect(bytesToHex(hashRows(k, columnsOf(m, cols)))).toBe(want);
      expect(bytesToHex(hashRowsRowMajor(k, BigUint64Array.from(m.flat()), 5, cols))).toBe(want);
    }
  });

  it('blake3_rows honours arbitrary strides and reads nothing between elements', () => {
    const layouts = (rows: number, cols: number): [number, number][] => [
      [cols * 8 + 24, 8], // padded row-major
      [8, rows * 8 + 16], // padded column-major
      [16, rows * 16 + 8], // interleaved with another matrix
      [cols * 24 + 8, 24], // row-major, sparse columns
    ];
    for (const [rows, cols] of [[1, 1], [4, 8], [5, 8], [6, 3], [9, 17], [7, 130]] as const) {
      const m = randomMatrix(rows, cols, rows * 1000 + cols);
      const want = bytesToHex(expectedLeaves(m));
      for (const [rowStride, colStride] of layouts(rows, cols)) {
        const got = k.scoped(() => {
          const span = (rows - 1) * rowStride + (cols - 1) * colStride + 8;
          const data = k.alloc(span);
          const out = k.alloc(rows * 32);
          k.u8.fill(0xa5, data, data + span); // garbage in the gaps
          const view = new DataView(k.u8.buffer);
          for (let r = 0; r < rows; r++) {
            for (let c = 0; c < cols; c++) view.setBigUint64(data + r * rowStride + c * colStride, m[r]![c]!, true);
          }
          k.raw.blake3_rows(out, data, rows, cols, rowStride, colStride);
          return bytesToHex(k.u8.slice(out, out + rows * 32));
        });
        expect(got, `${rows}×${cols} strides ${rowStride}/${colStride}`).toBe(want);
      }
    }
  });

  it('encodes edge elements as 8-byte little-endian', () => {
    // Every edge value in every column position, across rows that go through both kernel paths.
    const m = EDGE.map((_, r) => EDGE.map((__, c) => EDGE[(r + c) % EDGE.length]!));
    m.push(EDGE.map((x) => x), [...EDGE].reverse(), [...EDGE, ...EDGE]);
    const byLen = new Map<number, bigint[][]>();
    for (const row of m) byLen.set(row.length, [...(byLen.get(row.length) ?? []), row]);
    for (const [cols, rows] of byLen) {
      expect(bytesToHex(hashRows(k, columnsOf(rows, cols)))).toBe(bytesToHex(expectedLeaves(rows)));
    }
  });

  it('pins the leaf encoding (a changed encoding changes every commitment)', () => {
    const row = [0n, 1n, P - 1n, 0xffffffffn, 0x100000000n, 1n << 63n, 0x0123456789abcdefn];
    const leaf = bytesToHex(hashRows(k, row.map((x) => BigUint64Array.of(x))));
    // BLAKE3 of 00×8 ‖ 01 00×7 ‖ 00 00 00 00 ff ff ff ff ‖ ff×4 00×4 ‖ 00×4 01 00×3 ‖ 00×7 80 ‖ ef cd ab 89 67 45 23 01.
    expect(leaf).toBe('4bd9dc060ed29791af465efe20f012be5a77df00a2ae5e8ec4ff830916b591bf');
    const bigEndian = new Uint8Array(row.length * 8);
    row.forEach((x, i) => new DataView(bigEndian.buffer).setBigUint64(i * 8, x, false));
    const fourBytes = new Uint8Array(row.length * 4);
    row.forEach((x, i) => new DataView(fourBytes.buffer).setUint32(i * 4, Number(x & 0xffffffffn), true));
    expect(leaf).not.toBe(bytesToHex(nobleBlake3(bigEndian)));
    expect(leaf).not.toBe(bytesToHex(nobleBlake3(fourBytes)));
  });

  it('zero rows give no digests; a row with zero columns is the empty input', () => {
    expect(hashRows(k, [new BigUint64Array(0), new BigUint64Array(0)]).length).toBe(0);
    expect(hashRowsRowMajor(k, new BigUint64Array(0), 0, 5).length).toBe(0);
    const empty = hashRowsRowMajor(k, new BigUint64Array(0), 6, 0);
    const e = bytesToHex(nobleBlake3(new Uint8Array(0)));
    for (let r = 0; r < 6; r++) expect(bytesToHex(empty.subarray(r * 32, r * 32 + 32))).toBe(e);
  });

  it('rejects bad shapes', () => {
    expect(() => hashRows(k, [])).toThrow(RangeError);
    expect(() => hashRows(k, [new BigUint64Array(4), new BigUint64Array(4), new BigUint64Array(3)])).toThrow(
      /column 2 has 3 elements, column 0 has 4/,
    );
    expect(() => hashRowsRowMajor(k, new BigUint64Array(11), 3, 4)).toThrow(/3 rows × 4 cols needs 12 elements, got 11/);
    expect(() => hashRowsRowMajor(k, new BigUint64Array(0), -1, 0)).toThrow(RangeError);
    expect(() => hashRowsRowMajor(k, new BigUint64Array(6), 2, 3.5)).toThrow(RangeError);
  });
});

describe('hashPairs / blake3_pairs', () => {
  it('matches noble on every pair count around the 4-lane boundary', () => {
    for (const m of [0, 1, 2, 3, 4, 5, 7, 8, 9, 64, 1001]) {
      const layer = prng(m + 1).bytes(64 * m);
      const want = new Uint8Array(32 * m);
      for (let i = 0; i < m; i++) want.set(nobleBlake3(layer.subarray(64 * i, 64 * i + 64)), 32 * i);
      expect(bytesToHex(hashPairs(k, layer)), `${m} pairs`).toBe(bytesToHex(want));
    }
  });

  it('works in place and out of place on the raw kernel', () => {
    const m = 23;
    const layer = prng(99).bytes(64 * m);
    const want = bytesToHex(hashPairs(k, layer));
    k.scoped(() => {
      const a = k.alloc(64 * m);
      const b = k.alloc(32 * m);
      k.u8.set(layer, a);
      k.raw.blake3_pairs(b, a, m);
      expect(bytesToHex(k.u8.slice(b, b + 32 * m))).toBe(want);
      expect(k.u8.slice(a, a + 64 * m)).toEqual(layer); // input untouched out of place
      k.raw.blake3_pairs(a, a, m);
      expect(bytesToHex(k.u8.slice(a, a + 32 * m))).toBe(want);
    });
  });

  it('hashing leaves then pairs up to a root agrees with noble', () => {
    const m = randomMatrix(64, 5, 5);
    let layer = hashRows(k, columnsOf(m, 5));
    let ref = expectedLeaves(m);
    while (layer.length > 32) {
      layer = hashPairs(k, layer);
      const next = new Uint8Array(ref.length / 2);
      for (let i = 0; i < next.length / 32; i++) next.set(nobleBlake3(ref.subarray(64 * i, 64 * i + 64)), 32 * i);
      ref = next;
    }
    expect(bytesToHex(layer)).toBe(bytesToHex(ref));
  });

  it('rejects a layer that is not whole pairs of digests', () => {
    expect(() => hashPairs(k, new Uint8Array(63))).toThrow(RangeError);
    expect(() => hashPairs(k, new Uint8Array(96))).toThrow(/96 bytes, not a multiple of 64/);
  });
});

describe('blake3Short (verifier digests on the wasm kernel)', () => {
  it('equals noble for every length around block and chunk edges, and beyond its wasm cap', async () => {
    const { blake3Short, SHORT_MAX } = await import('../src/hash/short.js');
    const data = Uint8Array.from({ length: SHORT_MAX + 70 }, (_, i) => (i * 31 + 7) & 255);
    for (const len of [0, 1, 31, 32, 63, 64, 65, 127, 128, 1023, 1024, 1025, 2048, SHORT_MAX, SHORT_MAX + 1, SHORT_MAX + 70])
      expect(Buffer.from(blake3Short(data.subarray(0, len))).toString('hex'), `length ${len}`).toBe(Buffer.from(nobleBlake3(data.subarray(0, len))).toString('hex'));
  });
});

/** The first `bits` bits of a digest are zero (most significant first): a plain model of the PoW check. */
function hasZeroBits(d: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) if ((d[i >> 3]! >> (7 - (i & 7))) & 1) return false;
  return true;
}

/** The smallest nonce ≥ from with `bits` zero bits, searched one noble hash at a time. */
function plainGrind(prefix: Uint8Array, bits: number, from = 0n): bigint {
  const msg = new Uint8Array(prefix.length + 8);
  msg.set(prefix);
  const view = new DataView(msg.buffer);
  for (let n = from; ; n++) {
    view.setBigUint64(prefix.length, n, true);
    if (hasZeroBits(nobleBlake3(msg), bits)) return n;
  }
}

describe('proof-of-work search in the kernel (grindShort, blake3_grind)', () => {
  const prefix = (seed: number, len: number) => Uint8Array.from({ length: len }, (_, i) => (seed * 131 + i * 29) & 0xff);

  it('finds the smallest nonce, as a plain search with noble does', () => {
    for (const [seed, len, bits] of [[1, 53, 12], [2, 53, 13], [3, 0, 10], [4, 100, 11], [5, 53, 0]] as const)
      expect(grindShort(prefix(seed, len), bits), `seed ${seed}`).toBe(plainGrind(prefix(seed, len), bits));
  });

  it('searches exactly [start, start + count): −1 when none there qualifies', () => {
    const k = Kernels.loadSync();
    const p = prefix(7, 53), bits = 9;
    const first = plainGrind(p, bits), second = plainGrind(p, bits, first + 1n);
    k.scoped(() => {
      const io = k.alloc(p.length + 8 + DIGEST_BYTES);
      const grind = (start: bigint, count: bigint) => {
        k.u8.set(p, io);
        return k.raw.blake3_grind(io + p.length + 8, io, p.length + 8, bits, start, count);
      };
      expect(grind(0n, first + 1n)).toBe(first);
      expect(grind(0n, first)).toBe(-1n);
      expect(grind(first + 1n, second - first)).toBe(second);
      expect(grind(first + 1n, second - first - 1n)).toBe(-1n);
    });
  });
});
