// RFC 8785 canonical JSON (src/json/canonical-json.ts): the published test vectors of the reference
// repository (test/vectors/rfc8785, see its SOURCE.md) parsed strictly and canonicalized byte for byte;
// the RFC's own samples (§3.2.2–§3.2.4, Appendix B); the first 100,000 numbers of the reference number
// sequence against its published SHA-256; every rejection with the JSON path in the message; and a
// seeded round-trip property against JSON.parse.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from './reference/model.js';
import { canonicalBytes, canonicalize, CanonicalJsonError, MAX_JSON_DEPTH, parseCanonicalInput } from '../src/json/canonical-json.js';
import { sha256Hex } from '../src/hash/digest.js';

const vector = (path: string): Buffer => readFileSync(new URL(`./vectors/rfc8785/${path}`, import.meta.url));
const canon = (text: string): string => canonicalize(parseCanonicalInput(text));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** f throws a CanonicalJsonError at `path` whose message matches `detail`. */
function rejects(f: () => unknown, path: string, detail: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CanonicalJsonError);
  const e = err as CanonicalJsonError;
  expect(e.name).toBe('CanonicalJsonError');
  expect(e.path).toBe(path);
  expect(e.message.startsWith(`${path}: `)).toBe(true);
  expect(e.message).toMatch(detail);
}

const bitsToNumber = (bits: bigint): number => {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
};
const numberToBits = (f: number): bigint => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, f);
  return view.getBigUint64(0);
};

describe('the published RFC 8785 test vectors (cyberphone/json-canonicalization testdata)', () => {
  const NAMES = ['arrays', 'french', 'structures', 'unicode', 'values', 'weird'];

  it.each(NAMES)('%s: input → strict parse → canonicalize = output, byte for byte', (name) => {
    const bytes = canonicalBytes(parseCanonicalInput(vector(`input/${name}.json`).toString('utf8')));
    expect(Buffer.from(bytes).equals(vector(`output/${name}.json`))).toBe(true);
  });

  it.each(NAMES)('%s: the bytes are the outhex listing', (name) => {
    const listed = vector(`outhex/${name}.txt`).toString('ascii').trim().split(/\s+/).join('');
    expect(hex(canonicalBytes(parseCanonicalInput(vector(`input/${name}.json`).toString('utf8'))))).toBe(listed);
  });
});

describe('the samples in RFC 8785', () => {
  const SAMPLE =
    '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n' +
    '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}';

  it('§3.2.3: the sample of §3.2.2 sorted; §3.2.4: its UTF-8 bytes', () => {
    expect(canon(SAMPLE)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
    expect(hex(canonicalBytes(parseCanonicalInput(SAMPLE)))).toBe(
      '7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a' +
        '5b3333333333333333332e333333333333332c31652b33302c342e352c302e3030322c31652d3237' +
        '5d2c22737472696e67223a22e282ac245c75303030665c6e4127425c225c5c5c5c5c222f227d',
    );
  });

  it('§3.2.3: property names sort by UTF-16 code units, not code points or locale', () => {
    const input =
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", ' +
      '"1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", ' +
      '"\\u00f6": "Latin Small Letter O With Diaeresis"}';
    // The RFC's expected order of the values: U+1F600 (D83D DE00) sorts before U+FB33 in UTF-16.
    expect(canon(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(canonicalize({ aa: 0, '': 1, ab: 2, a: 3 })).toBe('{"":1,"a":3,"aa":0,"ab":2}');
  });

  it('Appendix B: the number serialization samples (NaN and Infinity are errors)', () => {
    const SAMPLES: [string, string | null][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['7fffffffffffffff', null],
      ['7ff0000000000000', null],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, expected] of SAMPLES) {
      const f = bitsToNumber(BigInt(`0x${bits}`));
      if (expected === null) rejects(() => canonicalize([f]), '$[0]', /is not a JSON number/);
      else expect(canonicalize(f), bits).toBe(expected);
    }
  });
});

describe('ES6 number serialization: the reference sequence (testdata/README.md)', () => {
  // The README publishes the sequence (its static values, 2000 serial ones, then doubles read from a
  // SHA-256 chain) and the SHA-256 of its first N lines "hex-ieee,expected\n". The 100M-line file
  // itself (es6testfile100m.txt.gz, a release download of ~4 GB unpacked) is not kept here.
  const readme = vector('README.md').toString('utf8');
  const statics = (readme.split('staticU64s = new BigUint64Array([')[1] ?? '').split('])')[0] ?? '';
  const STATIC_BITS = [...statics.matchAll(/0x([0-9a-f]{16})n/g)].map((m) => BigInt(`0x${m[1]}`));
  const CHECKSUMS = [...readme.matchAll(/^\| ([0-9a-f]{64}) \| (\d+) +\| (\d+) +\|$/gm)].map((m) => ({
    sha256: m[1]!, lines: Number(m[2]), bytes: Number(m[3]),
  }));

  function* sequence(): Generator<number> {
    for (const bits of STATIC_BITS) yield bitsToNumber(bits);
    for (let i = 0n; i < 2000n; i++) yield bitsToNumber(0x0010000000000000n + i);
    let block = new Uint8Array(32);
    for (;;) {
      block = Buffer.from(sha256Hex(block), 'hex');
      const view = new DataView(block.buffer, block.byteOffset, 32);
      for (let k = 0; k < 32; k += 8) {
        const f = view.getFloat64(k, true); // the Float64Array of the README, on a little-endian host
        if (f !== 0 && Number.isFinite(f)) yield f;
      }
    }
  }

  it('the README parses: 168 static values and the checksum table', () => {
    expect(STATIC_BITS).toHaveLength(168);
    expect(CHECKSUMS.map((c) => c.lines)).toEqual([1e3, 1e4, 1e5, 1e6, 1e7, 1e8]);
  });

  it('the first 100,000 lines hash to the published SHA-256; their 17-digit exponent spellings parse back', () => {
    const { sha256, lines, bytes } = CHECKSUMS.find((c) => c.lines === 100_000)!;
    const out: string[] = [];
    for (const f of sequence()) {
      const text = canonicalize(f);
      out.push(`${numberToBits(f).toString(16)},${text}\n`);
      // A round-trip spelling that is never the canonical one exercises the parser's numbers.
      expect(canon(f.toExponential(16))).toBe(text);
      if (out.length === lines) break;
    }
    const file = new TextEncoder().encode(out.join(''));
    expect(file.length).toBe(bytes);
    expect(sha256Hex(file)).toBe(sha256);
  });
});

describe('canonicalize: rejections, with the JSON path', () => {
  it('NaN and ±Infinity', () => {
    rejects(() => canonicalize({ a: [1, 2, { b: NaN }] }), '$.a[2].b', /NaN is not a JSON number/);
    rejects(() => canonicalize([Infinity]), '$[0]', /Infinity is not a JSON number/);
    rejects(() => canonicalize({ x: { y: -Infinity } }), '$.x.y', /-Infinity is not a JSON number/);
    rejects(() => canonicalize(NaN), '$', /NaN/);
  });

  it('undefined anywhere: array item, hole, member (never dropped), top level', () => {
    rejects(() => canonicalize([1, undefined, 3]), '$[1]', /undefined is not a JSON value/);
    rejects(() => canonicalize([1, , 3]), '$[1]', /undefined is not a JSON value/);
    rejects(() => canonicalize({ a: 1, b: undefined }), '$.b', /undefined is not a JSON value/);
    rejects(() => canonicalize(undefined), '$', /undefined is not a JSON value/);
  });

  it('BigInt, functions and symbols (as values and as member keys)', () => {
    rejects(() => canonicalize({ n: 10n }), '$.n', /bigint is not a JSON value/);
    rejects(() => canonicalize({ 'a b': [() => 1] }), '$["a b"][0]', /function is not a JSON value/);
    rejects(() => canonicalize({ s: Symbol('s') }), '$.s', /symbol is not a JSON value/);
    rejects(() => canonicalize({ a: { [Symbol('k')]: 1 } }), '$.a', /symbol-keyed member/);
  });

  it('non-plain objects: Date, Map, Set, class instances, typed arrays, boxed primitives, Array subclasses', () => {
    class Point {
      x = 1;
    }
    class List extends Array<number> {}
    rejects(() => canonicalize(new Date(0)), '$', /^\$: Date is not a JSON value/);
    rejects(() => canonicalize({ m: new Map() }), '$.m', /Map is not a JSON value/);
    rejects(() => canonicalize([new Set()]), '$[0]', /Set is not a JSON value/);
    rejects(() => canonicalize({ p: new Point() }), '$.p', /Point is not a JSON value/);
    rejects(() => canonicalize({ u: new Uint8Array(2) }), '$.u', /Uint8Array is not a JSON value/);
    rejects(() => canonicalize({ s: Object('x') }), '$.s', /String is not a JSON value/);
    rejects(() => canonicalize(List.from([1])), '$', /List is not a JSON value/);
  });

  it('lone surrogates in strings and in member names (RFC 8785 §3.2.2.2)', () => {
    rejects(() => canonicalize({ a: ['ok', 'x\ud800'] }), '$.a[1]', /string holds a lone surrogate/);
    rejects(() => canonicalize('\udc00\ud83d'), '$', /lone surrogate/);
    rejects(() => canonicalize({ b: { '\ud800': 1 } }), '$.b["\\ud800"]', /member name holds a lone surrogate/);
    expect(canonicalize('\ud83d\ude00')).toBe('"😀"');
  });

  it('cycles; a value shared without a cycle is fine', () => {
    const o: Record<string, unknown> = { a: 1 };
    o['self'] = o;
    rejects(() => canonicalize(o), '$.self', /cycle/);
    const arr: unknown[] = [1];
    arr.push({ back: arr });
    rejects(() => canonicalize(arr), '$[1].back', /cycle/);
    const shared = { k: [1] };
    expect(canonicalize({ x: shared, y: [shared, shared] })).toBe('{"x":{"k":[1]},"y":[{"k":[1]},{"k":[1]}]}');
  });

  it('accepts null-prototype objects, -0 as 0, and escapes as JSON.stringify does', () => {
    const bare = Object.assign(Object.create(null) as object, { b: 1, a: [true, false, null] });
    expect(canonicalize(bare)).toBe('{"a":[true,false,null],"b":1}');
    expect(canonicalize([-0, 0, 1e21, 1e-7, 2 ** 60])).toBe('[0,0,1e+21,1e-7,1152921504606847000]');
    expect(canonicalize('\u0000\b\t\n\f\r\u001f"\\/\u007f\u2028\ufeff')).toBe('"\\u0000\\b\\t\\n\\f\\r\\u001f\\"\\\\/\u007f\u2028\ufeff"');
  });
});

describe('parseCanonicalInput: strict I-JSON', () => {
  it('duplicate member names, at top level and nested, also when spelled with escapes', () => {
    rejects(() => parseCanonicalInput('{"a":1,"b":2,"a":3}'), '$.a', /duplicate member name.* at offset 13/);
    rejects(() => parseCanonicalInput('{"x":[{"y":{}},{"b":1,"b":1}]}'), '$.x[1].b', /duplicate member name/);
    rejects(() => parseCanonicalInput('{"a":{"k k":true,"k\\u0020k":false}}'), '$.a["k k"]', /duplicate member name/);
    expect(JSON.parse('{"a":1,"a":3}')).toEqual({ a: 3 }); // what this parser exists to prevent
  });

  it('lone surrogates, escaped or raw; pairs are fine', () => {
    rejects(() => parseCanonicalInput('"\\ud800"'), '$', /string holds a lone surrogate .* at offset 0/);
    rejects(() => parseCanonicalInput('["\\ud800\\u0041"]'), '$[0]', /lone surrogate/);
    rejects(() => parseCanonicalInput('{"a":"\\ude00\\ud83d"}'), '$.a', /lone surrogate/);
    rejects(() => parseCanonicalInput('{"\\udfff":1}'), '$', /member name holds a lone surrogate/);
    rejects(() => parseCanonicalInput('"\ud800"'), '$', /lone surrogate/);
    expect(parseCanonicalInput('"\\ud83d\\ude00\\uD83D\\uDE00😀"')).toBe('😀😀😀');
  });

  it('integer literals beyond 2^53 (carry them as decimal strings) and numbers that overflow', () => {
    rejects(() => parseCanonicalInput('{"a":[1,9007199254740993]}'), '$.a[1]', /integer 9007199254740993 is beyond 2\^53.* at offset 8/);
    rejects(() => parseCanonicalInput('-9007199254740993'), '$', /beyond 2\^53/);
    rejects(() => parseCanonicalInput('18446744073709551615'), '$', /beyond 2\^53/);
    rejects(() => parseCanonicalInput('[1e400]'), '$[0]', /1e400 overflows a double/);
    rejects(() => parseCanonicalInput('-1.5e309'), '$', /overflows/);
    expect(parseCanonicalInput('[9007199254740992,-9007199254740992,9007199254740991]')).toEqual([2 ** 53, -(2 ** 53), 2 ** 53 - 1]);
    expect(parseCanonicalInput('[1e30,1E+30,9007199254740993.0,1e-400,-0]')).toEqual([1e30, 1e30, 2 ** 53, 0, -0]);
  });

  it('rejects everything JSON.parse rejects', () => {
    const BAD = [
      '', ' ', '{', '}', '[', '[1,]', '[,1]', '[1 2]', '{"a":1,}', '{,}', '{"a" 1}', '{"a":}', '{a:1}', "{'a':1}",
      '{"a":1 "b":2}', '{1:1}', '01', '-01', '1.', '.5', '+1', '-', '1e', '1e+', '0x10', 'NaN', 'Infinity',
      '-Infinity', 'undefined', 'tru', 'nul', 'True', '"a', '"\\"', '"\u0001"', '"\t"', '"\n"', '"\\x41"',
      '"\\u12"', '"\\u12G4"', "'a'", '1 2', '[1]x', '{}{}', '\ufeff1', '\u00a01', '// c\n1', '/* c */1', '[1]\u2028',
    ];
    for (const text of BAD) {
      expect(() => JSON.parse(text), JSON.stringify(text)).toThrow(SyntaxError);
      expect(() => parseCanonicalInput(text), JSON.stringify(text)).toThrow(CanonicalJsonError);
    }
    rejects(() => parseCanonicalInput('{"a":[1,2,]}'), '$.a[2]', /unexpected "\]" at offset 10/);
    rejects(() => parseCanonicalInput('{"a":{"b":"x\ty"}}'), '$.a.b', /unescaped control character/);
    rejects(() => parseCanonicalInput('{"a":1'), '$', /expected '}' at offset 6/);
    rejects(() => parseCanonicalInput('[1] 2'), '$', /unexpected "2" at offset 4/);
  });

  it('accepts what JSON.parse accepts, with the same result', () => {
    const GOOD = [
      ' \t\r\n{ "a" : [ 1 , -0 , 0.5e-3 , 1E+2 , -12.5E-1 ] , "b" : { } , "c" : [ ] } \n',
      '"\\u00e9\\/\\b\\f\\n\\r\\t\\"\\\\"', '0', '-0', 'true', 'false', 'null', '[[[[]]]]', '"\u2028\u0080😀"',
      '{"":0,"1":1,"10":2,"a":3}',
    ];
    for (const text of GOOD) expect(parseCanonicalInput(text), text).toEqual(JSON.parse(text));
  });

  it('"__proto__" is an ordinary own member, as with JSON.parse', () => {
    const v = parseCanonicalInput('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(canonicalize(v)).toBe('{"__proto__":{"polluted":true},"a":1}');
    rejects(() => parseCanonicalInput('{"__proto__":1,"__proto__":2}'), '$.__proto__', /duplicate/);
  });
});

describe('property: canonicalize ∘ parse ∘ canonicalize = canonicalize (seeded)', () => {
  const rand = mulberry32(0x8785);
  const int = (n: number): number => Math.floor(rand() * n);
  const CODE_POINTS = [
    0x00, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x20, 0x22, 0x2f, 0x31, 0x41, 0x5c, 0x61, 0x7f, 0x80, 0xe9, 0x2028,
    0x20ac, 0xd7ff, 0xe000, 0xfb33, 0xfeff, 0xffff, 0x10000, 0x1f600, 0x10ffff,
  ];
  const string = (): string =>
    String.fromCodePoint(...Array.from({ length: int(6) }, () => (rand() < 0.8 ? CODE_POINTS[int(CODE_POINTS.length)]! : 0x20 + int(0xd7ff - 0x20))));
  const number = (): number => {
    const r = int(4);
    if (r === 0) return int(2001) - 1000;
    if (r === 1) return [-0, 5e-324, 1.7976931348623157e308, 2 ** 53, -(2 ** 53), 1e21, 1e-7, 0.1][int(8)]!;
    for (;;) {
      const f = bitsToNumber((BigInt(int(2 ** 32)) << 32n) | BigInt(int(2 ** 32)));
      // Doubles in [2^53, 1e21) print as integer literals beyond 2^53, which the parser refuses by design.
      if (Number.isFinite(f) && (Math.abs(f) < 2 ** 53 || Math.abs(f) >= 1e21)) return f;
    }
  };
  const value = (depth: number): unknown => {
    switch (int(depth > 3 ? 4 : 6)) {
      case 0: return null;
      case 1: return rand() < 0.5;
      case 2: return number();
      case 3: return string();
      case 4: return Array.from({ length: int(5) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: int(5) }, () => [string(), value(depth + 1)]));
    }
  };

  it('2000 random nested values; the parser agrees with JSON.parse and ignores whitespace', () => {
    for (let t = 0; t < 2000; t++) {
      const x = value(0);
      const c = canonicalize(x);
      const parsed = parseCanonicalInput(c);
      expect(canonicalize(parsed)).toBe(c);
      expect(parsed).toEqual(JSON.parse(c));
      expect(canonicalize(parseCanonicalInput(JSON.stringify(x, null, 2)))).toBe(c);
      expect(new TextDecoder().decode(canonicalBytes(x))).toBe(c);
    }
  });
});

describe('nesting depth', () => {
  it(`refuses more than MAX_JSON_DEPTH levels with a CanonicalJsonError, in both directions`, () => {
    const deep = (d: number): unknown => (d === 0 ? 1 : [deep(d - 1)]);
    expect(canonicalize(deep(MAX_JSON_DEPTH))).toBe(`${'['.repeat(MAX_JSON_DEPTH)}1${']'.repeat(MAX_JSON_DEPTH)}`);
    expect(() => canonicalize(deep(MAX_JSON_DEPTH + 1))).toThrow(CanonicalJsonError);
    expect(parseCanonicalInput(`${'['.repeat(MAX_JSON_DEPTH)}1${']'.repeat(MAX_JSON_DEPTH)}`)).toEqual(deep(MAX_JSON_DEPTH));
    expect(() => parseCanonicalInput(`${'['.repeat(20000)}1${']'.repeat(20000)}`)).toThrow(/nesting deeper than 512 levels/);
  });
});
