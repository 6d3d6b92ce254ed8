// Fiat–Shamir transcript (src/stark/transcript.ts) against an independent byte-level model of the
// `capseal-stark-v1` framing written here from the design (plain concatenation + one-shot BLAKE3), plus
// the properties soundness rests on: determinism, binding, injective framing, unbiased sampling, PoW.
import { describe, expect, it } from 'vitest';
import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { PROTOCOL_ID, Transcript, firstCanonical, leadingZeroBits } from '../src/stark/transcript.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { P } from './reference/model.js';

// ---- The model: every hash input spelled out as one byte array. ----
const cat = concatBytes;
const bytes = (...xs: number[]) => Uint8Array.from(xs);
const le = (x: bigint, bytes: number): Uint8Array => Uint8Array.from({ length: bytes }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn));
const txt = (s: string): Uint8Array => new TextEncoder().encode(s);
const lp = (b: Uint8Array): Uint8Array => cat(le(BigInt(b.length), 8), b);
const tag = (kind: string): Uint8Array => {
  const name = txt(`capseal-stark-v1/${kind}`);
  return cat(bytes(name.length), name);
};
const modelInit = (id: string) => blake3(cat(tag('init'), lp(txt(id))));
const modelAbsorb = (cv: Uint8Array, label: string, data: Uint8Array) => blake3(cat(tag('absorb'), cv, lp(txt(label)), lp(data)));
function modelChallenge(cv: Uint8Array, label: string, n: number): { out: Uint8Array; next: Uint8Array } {
  const blocks: Uint8Array[] = [];
  for (let i = 0; 32 * i < n; i++) blocks.push(blake3(cat(tag('squeeze'), cv, lp(txt(label)), le(BigInt(i), 4))));
  return { out: cat(...blocks).slice(0, n), next: blake3(cat(tag('ratchet'), cv, lp(txt(label)), le(BigInt(n), 8))) };
}
const modelPow = (cv: Uint8Array, nonce: bigint) => blake3(cat(tag('pow'), cv, le(nonce, 8)));

const hex = bytesToHex;

/** A transcript after a fixed script; `edit` changes one step so tests can check it changes the outcome. */
function scripted(edit: Partial<{ id: string; label: string; data: Uint8Array; swap: boolean }> = {}): Transcript {
  const t = new Transcript(edit.id ?? PROTOCOL_ID);
  const steps: [string, Uint8Array][] = [
    [edit.label ?? 'trace-root', edit.data ?? bytes(1, 2, 3)],
    ['params', bytes(9)],
  ];
  if (edit.swap) steps.reverse();
  for (const [label, data] of steps) t.absorb(label, data);
  return t;
}
const draws = (t: Transcript) => [hex(t.challengeBytes('alpha', 40)), t.challengeElement('beta'), t.challengeIndices('q', 4, 1 << 20)];

describe('framing matches the model byte for byte', () => {
  it('PROTOCOL_ID', () => expect(PROTOCOL_ID).toBe('capseal-stark-v1'));

  it('init, absorb, challengeBytes (several blocks, truncated) and ratchet', () => {
    const t = new Transcript(PROTOCOL_ID);
    let cv: Uint8Array = modelInit(PROTOCOL_ID);
    expect(hex(t.state())).toBe(hex(cv));
    for (const [label, data] of [['a', bytes()], ['trace root', new Uint8Array(100).fill(7)]] as const) {
      t.absorb(label, data);
      cv = modelAbsorb(cv, label, data);
      expect(hex(t.state())).toBe(hex(cv));
    }
    for (const n of [0, 1, 32, 33, 70]) {
      const m = modelChallenge(cv, 'z', n);
      expect(hex(t.challengeBytes('z', n))).toBe(hex(m.out));
      cv = m.next;
      expect(hex(t.state())).toBe(hex(cv));
    }
  });

  it('absorbElements and absorbExt encode canonical 8-byte LE (ext: c0 then c1)', () => {
    const xs = [0n, 1n, P - 1n, 0x0123456789abcdefn];
    const enc = cat(...xs.map((x) => le(x, 8)));
    const a = new Transcript(PROTOCOL_ID);
    a.absorbElements('xs', xs);
    const b = new Transcript(PROTOCOL_ID);
    b.absorbElements('xs', BigUint64Array.from(xs));
    const c = new Transcript(PROTOCOL_ID);
    c.absorbExt('xs', [[0n, 1n], [P - 1n, 0x0123456789abcdefn]]);
    const expected = hex(modelAbsorb(modelInit(PROTOCOL_ID), 'xs', enc));
    expect(hex(a.state())).toBe(expected);
    expect(hex(b.state())).toBe(expected);
    expect(hex(c.state())).toBe(expected);
  });

  it('challengeElement takes the first canonical u64 of one 32-byte squeeze', () => {
    const t = new Transcript(PROTOCOL_ID);
    const m = modelChallenge(modelInit(PROTOCOL_ID), 'e', 32);
    expect(t.challengeElement('e')).toBe(firstCanonical(m.out));
    expect(hex(t.state())).toBe(hex(m.next));
  });

  it('challengeExt is two challengeElement draws, c0 first', () => {
    const a = new Transcript(PROTOCOL_ID);
    const b = new Transcript(PROTOCOL_ID);
    const [c0, c1] = a.challengeExt('ood');
    expect(c0).toBe(b.challengeElement('ood'));
    expect(c1).toBe(b.challengeElement('ood'));
    expect(c0).not.toBe(c1);
    expect(hex(a.state())).toBe(hex(b.state()));
  });

  it('challengeIndices masks the u64-LE words of one squeeze', () => {
    const t = new Transcript(PROTOCOL_ID);
    const { out } = modelChallenge(modelInit(PROTOCOL_ID), 'q', 5 * 8);
    const words = Array.from({ length: 5 }, (_, i) => out.slice(8 * i, 8 * i + 8).reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n));
    expect(t.challengeIndices('q', 5, 1024)).toEqual(words.map((w) => Number(w & 1023n)));
    const u = new Transcript(PROTOCOL_ID);
    expect(u.challengeIndices('q', 5, 2 ** 32)).toEqual(words.map((w) => Number(w & 0xffffffffn)));
  });

  it('powDigest matches the model and leaves the state alone', () => {
    // The PoW input must fit one 64-byte BLAKE3 block, so grinding costs one compression per nonce.
    expect(tag('pow').length + 32 + 8).toBe(61);
    const t = scripted();
    const before = hex(t.state());
    for (const nonce of [0n, 1n, 0xfedcba9876543210n, (1n << 64n) - 1n]) expect(hex(t.powDigest(nonce))).toBe(hex(modelPow(t.state(), nonce)));
    expect(hex(t.state())).toBe(before);
  });
});

describe('determinism and binding', () => {
  it('the same script gives the same challenges', () => {
    expect(draws(scripted())).toEqual(draws(scripted()));
  });

  it('changing the label, data, order or protocol id changes every later challenge', () => {
    const base = draws(scripted());
    for (const edit of [{ label: 'trace-rooT' }, { data: bytes(1, 2, 4) }, { data: bytes(1, 2) }, { swap: true }, { id: 'capseal-stark-v2' }]) {
      const d = draws(scripted(edit));
      for (let i = 0; i < base.length; i++) expect(d[i], JSON.stringify(edit)).not.toEqual(base[i]);
    }
  });

  it('two identical challenges in a row differ, and each is bound into the next', () => {
    const t = scripted();
    expect(hex(t.challengeBytes('c', 32))).not.toBe(hex(t.challengeBytes('c', 32)));
    // Drawing a challenge (even with a different label or length) changes what comes after it.
    const after = (pre: (t: Transcript) => void) => {
      const u = scripted();
      pre(u);
      return hex(u.challengeBytes('c', 32));
    };
    const outcomes = [() => {}, (u: Transcript) => u.challengeBytes('x', 8), (u: Transcript) => u.challengeBytes('y', 8), (u: Transcript) => u.challengeBytes('x', 9), (u: Transcript) => u.challengeBytes('x', 0)];
    expect(new Set(outcomes.map(after)).size).toBe(outcomes.length);
  });

  it('an absorb and a squeeze with the same label never share a state', () => {
    const a = scripted();
    a.absorb('c', new Uint8Array(0));
    const b = scripted();
    b.challengeBytes('c', 0);
    expect(hex(a.state())).not.toBe(hex(b.state()));
  });

  it('state() returns a copy', () => {
    const t = scripted();
    const s = t.state();
    s.fill(0);
    expect(hex(t.state())).not.toBe(hex(s));
  });
});

describe('injective framing', () => {
  const after = (items: [string, number[]][]) => {
    const t = new Transcript(PROTOCOL_ID);
    for (const [label, data] of items) t.absorb(label, bytes(...data));
    return hex(t.state());
  };
  const c = (s: string) => [...s].map((ch) => ch.charCodeAt(0));

  it('moving a byte between consecutive items changes the state', () => {
    expect(after([['a', [1, 2]], ['b', []]])).not.toBe(after([['a', [1]], ['b', [2]]]));
  });

  it('moving the label/data boundary changes the state', () => {
    expect(after([['ab', c('c')]])).not.toBe(after([['a', c('bc')]]));
  });

  it('one item is not two', () => {
    expect(after([['a', []], ['a', []]])).not.toBe(after([['a', []]]));
    expect(after([['a', [1, 2]]])).not.toBe(after([['a', [1]], ['a', [2]]]));
  });
});

describe('sampling', () => {
  it('firstCanonical rejects candidates ≥ p and never reduces them', () => {
    const words = (...xs: bigint[]) => cat(...xs.map((x) => le(x, 8)));
    expect(firstCanonical(words(P, P + 1n, 5n))).toBe(5n);
    expect(firstCanonical(words((1n << 64n) - 1n, P - 1n))).toBe(P - 1n);
    expect(firstCanonical(words(0n, 7n))).toBe(0n);
    // Each half is read unsigned: the top bit of either 32-bit half set, and the largest value below p - 1.
    expect(firstCanonical(words(P, (1n << 63n) | (1n << 31n)))).toBe((1n << 63n) | (1n << 31n));
    expect(firstCanonical(words(P - 2n))).toBe(P - 2n);
    expect(firstCanonical(words(P, (1n << 64n) - 1n))).toBeUndefined();
    expect(firstCanonical(new Uint8Array(0))).toBeUndefined();
    // A view into a larger buffer is read from its own offset.
    expect(firstCanonical(words(1n, P, 9n).subarray(8))).toBe(9n);
    expect(() => firstCanonical(new Uint8Array(7))).toThrow('firstCanonical: expected a Uint8Array whose length is a multiple of 8');
  });

  it('challengeElement and challengeExt are canonical', () => {
    const t = scripted();
    for (let i = 0; i < 200; i++) {
      const x = t.challengeElement('x');
      expect(x >= 0n && x < P).toBe(true);
      const [c0, c1] = t.challengeExt('y');
      expect(c0 >= 0n && c0 < P && c1 >= 0n && c1 < P).toBe(true);
    }
  });

  it('challengeIndices stays in range, including the edge ranges 1 and 2^32', () => {
    const t = scripted();
    for (const range of [1, 2, 8, 1 << 20, 2 ** 31, 2 ** 32]) {
      const ix = t.challengeIndices('q', 256, range);
      expect(ix).toHaveLength(256);
      for (const i of ix) expect(Number.isInteger(i) && i >= 0 && i < range).toBe(true);
    }
    // The top bit of the range is actually used (a signed 32-bit mask would lose or negate it).
    expect(t.challengeIndices('q', 256, 2 ** 32).some((i) => i >= 2 ** 31)).toBe(true);
    expect(t.challengeIndices('q', 0, 8)).toEqual([]);
  });

  it('challengeIndices is roughly uniform: 4096 draws over 8 buckets', () => {
    const counts = new Array<number>(8).fill(0);
    for (const i of scripted().challengeIndices('q', 4096, 8)) counts[i]!++;
    for (const n of counts) expect(n >= 400 && n <= 630, `bucket counts ${counts.join(',')}`).toBe(true);
  });

  it('challengeIndices validates count and range', () => {
    const t = scripted();
    for (const range of [0, 3, 6, 1000, 2 ** 33, 1.5, -8, NaN])
      expect(() => t.challengeIndices('q', 1, range)).toThrow(`challengeIndices: range must be a power of two in [1, 2^32], got ${range}`);
    for (const count of [-1, 1.5, 2 ** 16 + 1])
      expect(() => t.challengeIndices('q', count, 8)).toThrow(`challengeIndices: count must be an integer in [0, 65536], got ${count}`);
    expect(t.challengeIndices('q', 2 ** 16, 2)).toHaveLength(2 ** 16);
  });

  it('challengeBytes validates n', () => {
    const t = scripted();
    for (const n of [-1, 0.5, 2 ** 24 + 1])
      expect(() => t.challengeBytes('c', n)).toThrow(`challengeBytes: n must be an integer in [0, 16777216], got ${n}`);
  });
});

describe('proof of work', () => {
  it('leadingZeroBits counts from the most significant bit of byte 0', () => {
    expect(leadingZeroBits(bytes(0x80))).toBe(0);
    expect(leadingZeroBits(bytes(0x01, 0xff))).toBe(7);
    expect(leadingZeroBits(bytes(0x00, 0x40))).toBe(9);
    expect(leadingZeroBits(bytes(0x00, 0x00, 0x00, 0x00, 0x01))).toBe(39);
    expect(leadingZeroBits(new Uint8Array(32))).toBe(256);
    expect(leadingZeroBits(new Uint8Array(0))).toBe(0);
  });

  it('grind returns the smallest nonce with enough leading zero bits', () => {
    for (const script of [scripted(), scripted({ data: bytes(4) }), scripted({ id: 'other' })]) {
      const before = hex(script.state());
      const nonce = script.grind(8);
      expect(hex(script.state())).toBe(before);
      expect(script.checkPow(nonce, 8)).toBe(true);
      expect(leadingZeroBits(modelPow(script.state(), nonce))).toBeGreaterThanOrEqual(8);
      for (let j = 0n; j < nonce; j++) expect(script.checkPow(j, 8), `nonce ${j}`).toBe(false);
    }
  });

  it('grind(0) is nonce 0, and checkPow(_, 0) accepts anything', () => {
    const t = scripted();
    expect(t.grind(0)).toBe(0n);
    expect(t.checkPow(12345n, 0)).toBe(true);
  });

  it('a nonce ground for one state fails after the state moves on', () => {
    const t = scripted();
    const nonce = t.grind(12);
    expect(t.checkPow(nonce, 12)).toBe(true);
    t.absorb('pow-nonce', le(nonce, 8));
    // Not impossible by chance (2^-12), so fixed by the deterministic script.
    expect(t.checkPow(nonce, 12)).toBe(false);
  });

  it('validates bits and nonces', () => {
    const t = scripted();
    for (const bits of [-1, 33, 1.5]) {
      expect(() => t.grind(bits)).toThrow(`grind: bits must be an integer in [0, 32], got ${bits}`);
      expect(() => t.checkPow(0n, bits)).toThrow(`checkPow: bits must be an integer in [0, 32], got ${bits}`);
    }
    for (const nonce of [-1n, 1n << 64n]) {
      expect(() => t.powDigest(nonce)).toThrow(`powDigest: nonce must be a bigint in [0, 2^64), got ${nonce}`);
      expect(() => t.checkPow(nonce, 1)).toThrow(`checkPow: nonce must be a bigint in [0, 2^64), got ${nonce}`);
    }
  });
});

describe('input validation', () => {
  it('absorbing a non-canonical element throws instead of reducing', () => {
    const t = scripted();
    const before = hex(t.state());
    expect(() => t.absorbElements('xs', [1n, P])).toThrow(`absorbElements: element 1 is not a canonical field element: ${P}`);
    expect(() => t.absorbElements('xs', [-1n])).toThrow('absorbElements: element 0 is not a canonical field element: -1');
    expect(() => t.absorbElements('xs', BigUint64Array.of(0n, 0n, (1n << 64n) - 1n))).toThrow('absorbElements: element 2 is not a canonical field element');
    expect(() => t.absorbElements('xs', [1 as unknown as bigint])).toThrow('absorbElements: element 0 is not a canonical field element: 1');
    expect(() => t.absorbExt('xs', [[0n, 0n], [0n, P]])).toThrow('absorbExt: element 1 is not a canonical F_p2 element');
    expect(() => t.absorb('xs', [1, 2] as unknown as Uint8Array)).toThrow('absorb: data must be a Uint8Array');
    // A rejected absorb leaves the transcript untouched.
    expect(hex(t.state())).toBe(before);
  });

  it('labels and protocol ids must be 1 to 64 printable ASCII characters', () => {
    const t = scripted();
    const good = ['a', ' ', '~', 'x'.repeat(64), 'fri/layer 3: root'];
    for (const label of good) expect(() => t.absorb(label, bytes())).not.toThrow();
    const bad = ['', 'x'.repeat(65), 'é', 'tab\there', 'line\n', '\x7f', '\u{1f600}'];
    for (const label of bad) {
      const msg = `label must be 1 to 64 printable ASCII characters, got ${JSON.stringify(label)}`;
      expect(() => t.absorb(label, bytes())).toThrow(`absorb: ${msg}`);
      expect(() => t.challengeBytes(label, 1)).toThrow(`challengeBytes: ${msg}`);
      expect(() => t.challengeIndices(label, 1, 2)).toThrow(`challengeIndices: ${msg}`);
      expect(() => t.challengeElement(label)).toThrow(`challengeBytes: ${msg}`);
      expect(() => t.absorbElements(label, [])).toThrow(`absorbElements: ${msg}`);
      expect(() => t.absorbExt(label, [])).toThrow(`absorbExt: ${msg}`);
      expect(() => new Transcript(label)).toThrow(`Transcript: ${msg}`);
    }
  });
});
