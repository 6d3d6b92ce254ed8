/**
 * A one-time copy of the verifier's input into plain data (./verifier.ts): a getter or a Proxy is
 * read once, here, and every check sees the copy, so no object can show the transcript one value and
 * the checks another. Typed arrays are copied through their internal slots (the TypedArray
 * constructor given a real typed array reads no property: no `length`, no iterator), so a subclass's
 * accessors cannot change the bytes, and a Proxy, which has no slots, is refused. Arrays are read
 * element by element once, plain objects key by key once; anything else is refused.
 *
 * @module
 */
import { MAX_ROW_VALUES } from './codec.js';

/** The proof nests 5 deep (proof.friOpenings[i].proof.siblings[j]); anything deeper is not a proof. */
const MAX_DEPTH = 8;
/**
 * What one snapshot copies at most, counting every visit (an object reachable twice is copied twice):
 * array items and object members, and typed-array bytes. An honest proof holds a few thousand items
 * and well under 1 MiB at any size this prover makes; the caps keep a hostile object graph (shared
 * references fanning out, deep nests of long arrays) to bounded time and memory.
 */
export const SNAPSHOT_MAX_ITEMS = 2 ** 20;
export const SNAPSHOT_MAX_BYTES = 2 ** 26;

interface Budget {
  items: number;
  bytes: number;
}

/** %TypedArray%.prototype[@@toStringTag]'s getter: the [[TypedArrayName]] slot, undefined for anything else (a Proxy too). */
const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get! as (this: unknown) => string | undefined;

/** %TypedArray%.prototype.byteLength's getter: reads the slot, so a subclass cannot lie about it. */
const typedByteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength')!.get! as (this: unknown) => number;

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
export function snapshot(x: unknown, path: string): unknown {
  try {
    return copy(x, 0, { items: 0, bytes: 0 });
  } catch (e) {
    if (e instanceof Refusal) throw new TypeError(`${path}${e.where.reverse().join('')}${e.message}`);
    throw e;
  }
}

/**
 * Why a part of the input is refused; `where` collects the path from that part up as the refusal
 * travels out, so an honest proof's thousands of items cost no path strings.
 */
class Refusal extends Error {
  readonly where: string[] = [];
}

function spend(budget: Budget, items: number, bytes: number): void {
  budget.items += items;
  budget.bytes += bytes;
  if (budget.items > SNAPSHOT_MAX_ITEMS || budget.bytes > SNAPSHOT_MAX_BYTES)
    throw new Refusal(`: the input holds more than a proof can (over ${SNAPSHOT_MAX_ITEMS} items or ${SNAPSHOT_MAX_BYTES} bytes)`);
}

/** copy() of one member, adding its step (`[i]` or `.key`) to the path of a refusal. */
function copyMember(x: unknown, step: string | number, depth: number, budget: Budget): unknown {
  try {
    return copy(x, depth, budget);
  } catch (e) {
    if (e instanceof Refusal) e.where.push(typeof step === 'number' ? `[${step}]` : `.${step}`);
    throw e;
  }
}

function copy(x: unknown, depth: number, budget: Budget): unknown {
  if (typeof x !== 'object' || x === null) return x;
  const typed = typedArrayName.call(x);
  if (typed === 'Uint8Array' || typed === 'BigUint64Array') {
    // The byte length through the slot-reading getter, before anything is copied.
    spend(budget, 1, typedByteLength.call(x));
    return typed === 'Uint8Array' ? new Uint8Array(x as Uint8Array) : new BigUint64Array(x as BigUint64Array);
  }
  if (typed !== undefined) throw new Refusal(` is a ${typed}`);
  if (depth >= MAX_DEPTH) throw new Refusal(' nests deeper than a proof');
  if (Array.isArray(x)) {
    const n: unknown = x.length;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > MAX_ROW_VALUES) throw new Refusal(` claims ${String(n)} items, more than a proof holds`);
    spend(budget, n, 0);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = copyMember(x[i], i, depth + 1, budget);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) throw new Refusal(' is not a plain object');
  const keys = Object.keys(x);
  spend(budget, keys.length, 0);
  const out: Record<string, unknown> = {};
  // defineProperty: a "__proto__" key stays an own member, as it was.
  for (const key of keys)
    Object.defineProperty(out, key, { value: copyMember((x as Record<string, unknown>)[key], key, depth + 1, budget), enumerable: true, writable: true, configurable: true });
  return out;
}
