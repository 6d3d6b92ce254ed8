/**
 * What prover and verifier of capseal-stark-v1 do identically: the transcript preamble (everything
 * bound before the first commitment) and query sampling.
 *
 * @module
 */
import { airDigest, type Air } from './air.js';
import { distinctQueries, queryDomain, type ProofOptions } from './options.js';
import { PROTOCOL_ID, Transcript } from './transcript.js';

export const STATEMENT_HASH_BYTES = 32;

const u32 = (...xs: number[]): Uint8Array => {
  const out = new Uint8Array(4 * xs.length);
  const v = new DataView(out.buffer);
  xs.forEach((x, i) => v.setUint32(4 * i, x, true));
  return out;
};

export const encodeOptions = (o: ProofOptions): Uint8Array => u32(o.blowup, o.queries, o.grindingBits, o.foldingFactor);

/**
 * A transcript that has absorbed, in order: protocol id (at creation), proof options, the AIR digest
 * (id, parameters, shape, constraints, boundary values), the trace shape, the caller's 32-byte
 * statement hash, and the public inputs.
 */
export function startTranscript(air: Air, o: ProofOptions, statementHash: Uint8Array, publicInputs: Uint8Array): Transcript {
  if (!(statementHash instanceof Uint8Array) || statementHash.length !== STATEMENT_HASH_BYTES)
    throw new RangeError(`statement hash must be ${STATEMENT_HASH_BYTES} bytes`);
  const t = new Transcript(PROTOCOL_ID);
  t.absorb('proof-options', encodeOptions(o));
  t.absorb('air', airDigest(air));
  t.absorb('trace-shape', u32(air.logN, air.width));
  t.absorb('statement-hash', statementHash);
  t.absorb('public-inputs', publicInputs);
  return t;
}

/** The OOD point: an F_p2 element with c1 ≠ 0, hence outside F_p and so outside both domains. */
export function drawOodPoint(t: Transcript): readonly [bigint, bigint] {
  for (;;) {
    const z = t.challengeExt('ood-point');
    if (z[1] !== 0n) return z;
  }
}

/** Distinct FRI layer-0 group indices, sorted: draws until `distinctQueries` of them exist. */
export function drawQueries(t: Transcript, logN: number, o: ProofOptions): number[] {
  const want = distinctQueries(logN, o), range = queryDomain(logN, o);
  const seen = new Set<number>();
  while (seen.size < want) for (const g of t.challengeIndices('query', want - seen.size, range)) seen.add(g);
  return [...seen].sort((a, b) => a - b);
}

export const nonceBytes = (nonce: bigint): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, nonce, true);
  return out;
};
