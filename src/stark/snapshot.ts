// A one-time copy of the verifier's input into plain data (./verifier.ts): a getter or a Proxy is
// read once, here, and every check sees the copy, so no object can show the transcript one value and
// the checks another. Typed arrays are copied through their internal slots (the TypedArray
// constructor given a real typed array reads no property: no `length`, no iterator), so a subclass's
// accessors cannot change the bytes, and a Proxy, which has no slots, is refused. Arrays are read
// element by element once, plain objects key by key once; anything else is refused.
import { MAX_ROW_VALUES } from './codec.js';

/** The proof nests 5 deep (proof.friOpenings[i].proof.siblings[j]); anything deeper is not a proof. */
const MAX_DEPTH = 8;

/** %TypedArray%.prototype[@@toStringTag]'s getter: the [[TypedArrayName]] slot, undefined for anything else (a Proxy too). */
const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get! as (this: unknown) => string | undefined;

/** A copy of a real Uint8Array; anything else (a Proxy of one too) is a TypeError naming `what`. */
export function snapshotBytes(x: unknown, what: string): Uint8Array {
  if (typedArrayName.call(x) !== 'Uint8Array') throw new TypeError(`${what} is not a Uint8Array`);
  return new Uint8Array(x as Uint8Array);
}

/**
 * A deep copy of `x` made of primitives, Uint8Arrays, BigUint64Arrays, arrays and plain objects, each
 * property read once; a TypeError (naming the path) for any other object, an array longer
 * than the proof format allows, or nesting deeper than a proof's.
 */
export function snapshot(x: unknown, path: string, depth = 0): unknown {
  if (typeof x !== 'object' || x === null) return x;
  const typed = typedArrayName.call(x);
  if (typed === 'Uint8Array') return new Uint8Array(x as Uint8Array);
  if (typed === 'BigUint64Array') return new BigUint64Array(x as BigUint64Array);
  if (typed !== undefined) throw new TypeError(`${path} is a ${typed}`);
  if (depth >= MAX_DEPTH) throw new TypeError(`${path} nests deeper than a proof`);
  if (Array.isArray(x)) {
    const n: unknown = x.length;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > MAX_ROW_VALUES) throw new TypeError(`${path} claims ${String(n)} items, more than a proof holds`);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = snapshot(x[i], `${path}[${i}]`, depth + 1);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) throw new TypeError(`${path} is not a plain object`);
  const out: Record<string, unknown> = {};
  // defineProperty: a "__proto__" key stays an own member, as it was.
  for (const key of Object.keys(x))
    Object.defineProperty(out, key, { value: snapshot((x as Record<string, unknown>)[key], `${path}.${key}`, depth + 1), enumerable: true, writable: true, configurable: true });
  return out;
}
