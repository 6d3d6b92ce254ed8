/**
 * The AIRs of capseal-stark-v1, and their one registry by AIR id: each entry has the AIR's short
 * name (the CLI's and benchmarks' --air), its column names, the schema of its public inputs, the Air
 * they build, their bytes for the transcript, and a sample trace of any size. The CLI, the capsule
 * adapters and the benchmarks read this registry rather than listing AIRs themselves.
 *
 * The benchmark workloads' AIRs are registered too: keccak_chain_v1 (`keccak_chain`, ./keccak-chain.ts),
 * keccak_merkle_v1 (`keccak_merkle`, ./keccak-merkle.ts) and mem_stream_v1 (`mem_stream`, ./mem-stream.ts).
 *
 * Keccak: keccak_256_v1 (short name `keccak`, ./keccak-256.ts), the Keccak-256 sponge, is registered;
 * its sample fills 2^logN rows with floor(2^logN / 24) message blocks and needs logN ≥ 5. The
 * permutation-level keccak_f_v1 (./keccak.ts) is not: it binds every permutation's input and output
 * by boundaries (200 on two rows a permutation), which does not scale to a trace-filling sample; it
 * serves test vectors and small instances.
 *
 * @module
 */
import type { z } from 'zod';
import type { Column } from '../field/columns.js';
import type { Air } from '../stark/air.js';
import type { ProofOptions } from '../stark/options.js';
import { AGENT_AIR_ID, AGENT_COLUMNS, agentAir, AgentPublicInputsSchema, agentTrace, encodeAgentPublicInputs, sampleActionLog } from './agent.js';
import { AGENT_AIR_V2_ID, AGENT_V2_COLUMNS, agentAirV2, agentTraceV2, encodeAgentV2PublicInputs } from './agent-v2.js';
import { encodeFibPublicInputs, FIB_AIR_ID, FIB_COLUMNS, fibAir, FibPublicInputsSchema, fibTrace } from './fib.js';
import { encodeGeomPublicInputs, GEOM_AIR_ID, GEOM_COLUMNS, geomAir, GeomPublicInputsSchema, geomTrace } from './geom.js';
import { encodeKeccak256PublicInputs, KECCAK_256_AIR_ID, KECCAK_256_COLUMNS, keccak256Air, Keccak256PublicInputsSchema, keccak256Sample, KECCAK_256_SAMPLE_MIN_LOG_N } from './keccak-256.js';
import { encodeKeccakChainPublicInputs, KECCAK_CHAIN_AIR_ID, KECCAK_CHAIN_COLUMNS, keccakChainAir, KeccakChainPublicInputsSchema, keccakChainSample, KECCAK_CHAIN_MIN_LOG_N } from './keccak-chain.js';
import { encodeKeccakMerklePublicInputs, KECCAK_MERKLE_AIR_ID, KECCAK_MERKLE_COLUMNS, keccakMerkleAir, KeccakMerklePublicInputsSchema, keccakMerkleSample, KECCAK_MERKLE_MIN_LOG_N } from './keccak-merkle.js';
import { encodeMemStreamPublicInputs, MEM_STREAM_AIR_ID, MEM_STREAM_COLUMNS, memStreamAir, MemStreamPublicInputsSchema, memStreamSample, MEM_STREAM_MIN_LOG_N } from './mem-stream.js';

export * from './fib.js';
export * from './public-inputs.js';
export * from './geom.js';
export * from './agent.js';
export * from './agent-v2.js';
export * from './keccak-256.js';
export * from './keccak-chain.js';
export * from './keccak-merkle.js';
export * from './mem-stream.js';
export {
  encodeKeccakFPublicInputs, KECCAK_F_AIR_ID, KECCAK_F_COLUMNS, KECCAK_F_WIDTH, keccakF, keccakFAir, KeccakFPublicInputsSchema, keccakFTrace, keccakLogN,
  type KeccakFPublicInputs,
} from './keccak.js';

export interface AirEntry {
  /** Its short name: the CLI's and the benchmarks' --air. */
  readonly name: string;
  /** Column names in trace order (the record schema a capsule hashes). */
  readonly columns: readonly string[];
  /** Builds the AIR; throws a RangeError on invalid public inputs. */
  readonly air: (publicInputs: unknown) => Air;
  readonly schema: z.ZodType;
  /** Canonical public-input bytes; throws a RangeError on invalid public inputs. */
  readonly encode: (publicInputs: unknown) => Uint8Array;
  /** A deterministic trace of 2^logN rows and its public inputs (benchmarks, self-checks). */
  readonly sample: (logN: number) => { trace: Column[]; publicInputs: unknown };
  /**
   * The proof options its benchmarks use, where not DEFAULT_OPTIONS: a wide AIR (Keccak) takes blowup 4
   * and more queries for the same 100 bits, halving the LDE it holds.
   */
  readonly options?: ProofOptions;
  /** The smallest logN its sample takes, where above MIN_LOG_N (one Keccak permutation, one block a round, a byte table). */
  readonly minLogN?: number;
}

/** Blowup 4 with 42 queries and 16 grinding bits: 2·42 + 16 = 100 bits, as DEFAULT_OPTIONS, at half its LDE. */
export const WIDE_AIR_OPTIONS: ProofOptions = { blowup: 4, queries: 42, grindingBits: 16, foldingFactor: 4 };

export const AIRS = Object.freeze({
  [GEOM_AIR_ID]: { name: 'geom', columns: GEOM_COLUMNS, air: geomAir, schema: GeomPublicInputsSchema, encode: encodeGeomPublicInputs, sample: (logN: number) => geomTrace(logN) },
  [FIB_AIR_ID]: { name: 'fib', columns: FIB_COLUMNS, air: fibAir, schema: FibPublicInputsSchema, encode: encodeFibPublicInputs, sample: fibTrace },
  [AGENT_AIR_V2_ID]: {
    name: 'agent', columns: AGENT_V2_COLUMNS, air: agentAirV2, schema: AgentPublicInputsSchema, encode: encodeAgentV2PublicInputs,
    sample: (logN: number) => agentTraceV2(sampleActionLog(2 ** logN)),
  },
  [AGENT_AIR_ID]: {
    name: 'agent_v1', columns: AGENT_COLUMNS, air: agentAir, schema: AgentPublicInputsSchema, encode: encodeAgentPublicInputs,
    sample: (logN: number) => agentTrace(sampleActionLog(2 ** logN)),
  },
  [KECCAK_256_AIR_ID]: {
    name: 'keccak', columns: KECCAK_256_COLUMNS, air: keccak256Air, schema: Keccak256PublicInputsSchema, encode: encodeKeccak256PublicInputs,
    sample: keccak256Sample,
    options: WIDE_AIR_OPTIONS,
    minLogN: KECCAK_256_SAMPLE_MIN_LOG_N,
  },
  [KECCAK_CHAIN_AIR_ID]: {
    name: 'keccak_chain', columns: KECCAK_CHAIN_COLUMNS, air: keccakChainAir, schema: KeccakChainPublicInputsSchema, encode: encodeKeccakChainPublicInputs,
    sample: keccakChainSample,
    options: WIDE_AIR_OPTIONS,
    minLogN: KECCAK_CHAIN_MIN_LOG_N,
  },
  [KECCAK_MERKLE_AIR_ID]: {
    name: 'keccak_merkle', columns: KECCAK_MERKLE_COLUMNS, air: keccakMerkleAir, schema: KeccakMerklePublicInputsSchema, encode: encodeKeccakMerklePublicInputs,
    sample: keccakMerkleSample,
    options: WIDE_AIR_OPTIONS,
    minLogN: KECCAK_MERKLE_MIN_LOG_N,
  },
  [MEM_STREAM_AIR_ID]: {
    name: 'mem_stream', columns: MEM_STREAM_COLUMNS, air: memStreamAir, schema: MemStreamPublicInputsSchema, encode: encodeMemStreamPublicInputs, sample: memStreamSample,
    minLogN: MEM_STREAM_MIN_LOG_N,
  },
} as const satisfies Record<string, AirEntry>);
export type AirId = keyof typeof AIRS;

/** The AIR ids by short name. */
export const AIR_BY_NAME: Readonly<Record<string, AirId>> = Object.freeze(
  Object.fromEntries((Object.keys(AIRS) as AirId[]).map((id) => [AIRS[id].name, id])) as Record<string, AirId>,
);
