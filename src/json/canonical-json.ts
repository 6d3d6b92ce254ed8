/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of a JSON value that CapSeal hashes.
 *   §3.1 The data is I-JSON (RFC 7493): unique member names, well-formed Unicode, IEEE 754 double numbers.
 *     canonicalize() takes JavaScript values and throws on what JSON cannot carry (NaN, ±Infinity,
 *     undefined, BigInt, functions, symbols, non-plain objects, lone surrogates, cycles) where
 *     JSON.stringify would drop, convert or null it; parseCanonicalInput() is the strict parser for JSON
 *     text that will be canonicalized (JSON.parse keeps the last of duplicate names silently).
 *   §3.2.1 No whitespace between tokens.
 *   §3.2.2.1 Literals: null, true, false.
 *   §3.2.2.2 Strings (member names too) as ECMAScript JSON.stringify quotes them: \b \t \n \f \r \" \\,
 *     other U+0000–U+001F as lowercase \u00hh, every other code point as is. Lone surrogates are errors.
 *   §3.2.2.3 Numbers as ECMAScript Number::toString, which JSON.stringify gives for a finite number
 *     (-0 → 0). NaN and ±Infinity are errors.
 *   §3.2.3 Object members sorted by the UTF-16 code units of their names, recursively; arrays keep order.
 *   §3.2.4 The result is encoded as UTF-8.
 * Integers that may exceed 2^53, and all field elements, are decimal strings (docs/architecture.md; RFC 8785 §3.2.2.3 serializes numbers as doubles): a double
 * cannot hold them, so parseCanonicalInput rejects an integer literal (no fraction, no exponent) above
 * 2^53 in magnitude rather than round it. canonicalize still writes any finite double as §3.2.2.3 says
 * (2^60 → "1152921504606847000"); such text does not parse back here, by design.
 * Errors are CanonicalJsonError, whose message starts with the JSON path of the offending value ($.a[2].b).
 *
 * @module
 */

/** A value that RFC 8785 cannot canonicalize, or JSON text that is not strict I-JSON; `path` is like `$.a[2].b`. */
/** Containers nest at most this deep: deeper input is refused with a CanonicalJsonError, not a stack overflow. */
export const MAX_JSON_DEPTH = 512;

export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

const LONE_SURROGATE = /\p{Cs}/u; // with the u flag a surrogate pair is one code point, so only lone halves match
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const UTF8 = new TextEncoder();

/** The path of member `name` of the value at `path`: $.a, or $["a b"] when the name is no identifier. */
const member = (path: string, name: string): string =>
  IDENTIFIER.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;

/** RFC 8785 text of a JSON value (null, boolean, finite number, string, array, plain object); see the header. */
export function canonicalize(value: unknown): string {
  return write(value, '$', new Set());
}

/** UTF-8 of canonicalize(value) (RFC 8785 §3.2.4): the bytes to hash. */
export function canonicalBytes(value: unknown): Uint8Array {
  return UTF8.encode(canonicalize(value));
}

function quote(s: string, path: string, what: string): string {
  if (LONE_SURROGATE.test(s)) throw new CanonicalJsonError(path, `${what} holds a lone surrogate (RFC 8785 §3.2.2.2)`);
  return JSON.stringify(s);
}

/** The constructor name of a non-plain object, for messages. */
function kind(o: object): string {
  const ctor: unknown = (Object.getPrototypeOf(o) as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'exotic object';
}

/** `open` holds the arrays and objects being written around this one: meeting one again is a cycle. */
function write(v: unknown, path: string, open: Set<object>): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new CanonicalJsonError(path, `${v} is not a JSON number (RFC 8785 §3.2.2.3)`);
      return JSON.stringify(v);
    case 'string':
      return quote(v, path, 'string');
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(path, `${typeof v} is not a JSON value`);
  }
  if (open.has(v)) throw new CanonicalJsonError(path, 'cycle: the value contains itself');
  if (open.size >= MAX_JSON_DEPTH) throw new CanonicalJsonError(path, `nesting deeper than ${MAX_JSON_DEPTH} levels`);
  const proto: unknown = Object.getPrototypeOf(v);
  let text: string;
  open.add(v);
  if (Array.isArray(v) && proto === Array.prototype) {
    const items: string[] = [];
    for (let i = 0; i < v.length; i++) items.push(write(v[i], `${path}[${i}]`, open)); // a hole reads as undefined
    text = `[${items.join(',')}]`;
  } else if (proto === Object.prototype || proto === null) {
    if (Object.getOwnPropertySymbols(v).length > 0) throw new CanonicalJsonError(path, 'symbol-keyed member');
    const o = v as Record<string, unknown>;
    // Array.prototype.sort's default order compares UTF-16 code units: RFC 8785 §3.2.3.
    const names = Object.keys(o).sort();
    text = `{${names.map((k) => {
      const p = member(path, k);
      return `${quote(k, p, 'member name')}:${write(o[k], p, open)}`;
    }).join(',')}}`;
  } else {
    throw new CanonicalJsonError(path, `${kind(v)} is not a JSON value (only plain objects and arrays)`);
  }
  open.delete(v);
  return text;
}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const UNESCAPED = /[^"\\\u0000-\u001f]*/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Digits of an integer literal above 2^53 = 9007199254740992 (literals have no leading zeros). */
const beyond2p53 = (digits: string): boolean =>
  digits.length > 16 || (digits.length === 16 && digits > '9007199254740992');

/**
 * Strict JSON (RFC 8259) for input that will be canonicalized: also rejects duplicate member names
 * (after unescaping), lone surrogates (raw or escaped, as in "\ud800"), numbers that overflow a double,
 * and integer literals above 2^53 in magnitude (carry those as decimal strings). Numbers are JavaScript
 * numbers; objects are plain objects, where a "__proto__" name is an own member, as with JSON.parse.
 */
export function parseCanonicalInput(text: string): unknown {
  let i = 0;
  function fail(path: string, detail: string, at = i): never {
    throw new CanonicalJsonError(path, `${detail} at offset ${at}`);
  }
  /** The match of sticky `re` at i, consumed; '' when none. */
  const eat = (re: RegExp): string => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m === null) return '';
    i = re.lastIndex;
    return m[0];
  };
  const expect = (c: string, path: string): void => {
    eat(WHITESPACE);
    if (text.charAt(i) !== c) fail(path, `expected '${c}'`);
    i++;
  };
  const unexpected = (path: string): never =>
    fail(path, i < text.length ? `unexpected ${JSON.stringify(text.charAt(i))}` : 'unexpected end of input');

  let depth = 0;
  /** A container one level deeper, within MAX_JSON_DEPTH. */
  function nested<T>(path: string, read: (path: string) => T): T {
    if (++depth > MAX_JSON_DEPTH) fail(path, `nesting deeper than ${MAX_JSON_DEPTH} levels`);
    const v = read(path);
    depth--;
    return v;
  }

  function value(path: string): unknown {
    eat(WHITESPACE);
    switch (text.charAt(i)) {
      case '{': return nested(path, object);
      case '[': return nested(path, array);
      case '"': return string(path, 'string');
      case 't': return literal('true', true, path);
      case 'f': return literal('false', false, path);
      case 'n': return literal('null', null, path);
      default: return number(path);
    }
  }

  function literal<T>(word: string, v: T, path: string): T {
    if (!text.startsWith(word, i)) unexpected(path);
    i += word.length;
    return v;
  }

  function number(path: string): number {
    const at = i;
    const lit = eat(NUMBER) || unexpected(path);
    const n = Number(lit);
    if (!Number.isFinite(n)) fail(path, `${lit} overflows a double`, at);
    if (/^-?\d+$/.test(lit) && beyond2p53(lit.replace('-', '')))
      fail(path, `integer ${lit} is beyond 2^53, where doubles round; write it as a decimal string`, at);
    return n;
  }

  function string(path: string, what: string): string {
    const start = i++;
    let s = '';
    for (;;) {
      s += eat(UNESCAPED);
      const c = text.charAt(i);
      if (c === '"') break;
      if (c !== '\\') fail(path, c === '' ? 'unterminated string' : 'unescaped control character in string');
      const e = text.charAt(i + 1);
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!HEX4.test(hex)) fail(path, 'bad \\u escape');
        s += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        s += ESCAPES[e] ?? fail(path, `bad escape \\${e}`);
        i += 2;
      }
    }
    i++;
    if (LONE_SURROGATE.test(s)) fail(path, `${what} holds a lone surrogate (RFC 8785 §3.2.2.2)`, start);
    return s;
  }

  function array(path: string): unknown[] {
    const a: unknown[] = [];
    i++;
    eat(WHITESPACE);
    if (text.charAt(i) === ']') {
      i++;
      return a;
    }
    for (;;) {
      a.push(value(`${path}[${a.length}]`));
      eat(WHITESPACE);
      if (text.charAt(i) !== ',') break;
      i++;
    }
    expect(']', path);
    return a;
  }

  function object(path: string): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    i++;
    eat(WHITESPACE);
    if (text.charAt(i) === '}') {
      i++;
      return o;
    }
    for (;;) {
      eat(WHITESPACE);
      if (text.charAt(i) !== '"') unexpected(path);
      const at = i;
      const name = string(path, 'member name');
      const p = member(path, name);
      if (Object.hasOwn(o, name)) fail(p, 'duplicate member name (RFC 8785 §3.1: I-JSON)', at);
      expect(':', p);
      Object.defineProperty(o, name, { value: value(p), enumerable: true, writable: true, configurable: true });
      eat(WHITESPACE);
      if (text.charAt(i) !== ',') break;
      i++;
    }
    expect('}', path);
    return o;
  }

  const v = value('$');
  eat(WHITESPACE);
  if (i < text.length) unexpected('$');
  return v;
}

/** parseCanonicalInput of UTF-8 bytes; invalid UTF-8 throws TextDecoder's TypeError. */
export const parseCanonicalBytes = (bytes: Uint8Array): unknown => parseCanonicalInput(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
