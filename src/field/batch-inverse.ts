/**
 * Montgomery's batch-inversion trick, generic over the field: n inverses for one inversion and
 * 3(n−1) multiplications. Zero has no inverse: the index of the first zero is reported.
 *
 * @module
 */

export interface InvertibleField<T> {
  one: T;
  mul(a: T, b: T): T;
  inv(a: T): T;
  isZero(a: T): boolean;
}

export function batchInverseIn<T>(field: InvertibleField<T>, xs: readonly T[]): T[] {
  const prefix: T[] = new Array(xs.length);
  let acc = field.one;
  xs.forEach((x, i) => {
    if (field.isZero(x)) throw new RangeError(`batchInverse: element ${i} is zero`);
    prefix[i] = acc;
    acc = field.mul(acc, x);
  });
  let invAcc = field.inv(acc);
  const out: T[] = new Array(xs.length);
  for (let i = xs.length - 1; i >= 0; i--) {
    out[i] = field.mul(invAcc, prefix[i]!);
    invAcc = field.mul(invAcc, xs[i]!);
  }
  return out;
}
