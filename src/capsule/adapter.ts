/**
 * The Trace Adapter API (seed 000, "Trace Adapter API"): all a computation supplies to be proved and
 * sealed in a capsule. The framework does the rest: trace spec, statement, proof, row archive,
 * policy binding, capsule hash and signature. GEOM, FIB, AGENT, KECCAK (Keccak-256 of a message) and
 * the three benchmark AIRs (KECCAK_CHAIN, KECCAK_MERKLE, MEM_STREAM) below are the built-in adapters;
 * README.md ("Write a trace adapter") walks through a new one.
 *
 * @module
 */
import { z } from 'zod';
import {
  AGENT_AIR_ID, AGENT_AIR_V2_ID, AgentActionLogSchema, AIRS, agentTrace, agentTraceV2, FIB_AIR_ID, fibTrace,
  FieldElementSchema, GEOM_AIR_ID, geomTrace, HexBytesSchema, KECCAK_256_AIR_ID, KECCAK_CHAIN_AIR_ID, KECCAK_MERKLE_AIR_ID,
  keccak256Trace, keccakChainTrace, KeccakChainInputSchema, keccakMerkleTrace, KeccakMerkleStatementSchema, MEM_STREAM_AIR_ID, MEM_STREAM_MAX_SCALAR,
  memStreamTrace, StepsSchema, type AirId, type Matrix2,
} from '../airs/index.js';
import type { Column } from '../field/columns.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { jcsArrayHash, type Anchors } from './spec.js';

export interface TraceAdapter<Input = unknown> {
  /** TraceSpec `trace_format_id`, e.g. GEOM_AIR_V1; lower-cased without a trailing _AIR_V<n> it names the proof files. */
  readonly traceFormatId: string;
  /** The AIR that proves the trace: a key of AIRS (src/airs). */
  readonly airId: AirId;
  /** Column names in trace order: the record schema that `record_schema_ref` hashes. */
  readonly columns: readonly string[];
  /** Validates the `--input` JSON. */
  readonly input: z.ZodType<Input>;
  /** The input for `--steps N`; absent when the adapter only takes `--input`. */
  readonly fromSteps?: (steps: number) => Input;
  /** The trace (columns in natural row order) and the AIR's public inputs. */
  readonly buildTrace: (input: Input) => { trace: Column[]; publicInputs: Record<string, unknown> };
  /** Anchors derived from the input (the caller's --anchor pairs are added to them). */
  readonly anchors?: (input: Input) => Anchors;
}

/** The short name of a trace format, which names its proof files: GEOM_AIR_V1 → geom. */
export const proofName = (traceFormatId: string): string => traceFormatId.replace(/_AIR_V\d+$/, '').toLowerCase();

const Matrix = z.tuple([z.tuple([FieldElementSchema, FieldElementSchema]), z.tuple([FieldElementSchema, FieldElementSchema])]);
const GeomInput = z.strictObject({ steps: StepsSchema, initial: Matrix.optional() });

export const GEOM_ADAPTER: TraceAdapter<z.output<typeof GeomInput>> = {
  traceFormatId: 'GEOM_AIR_V1',
  airId: GEOM_AIR_ID,
  columns: AIRS[GEOM_AIR_ID].columns,
  input: GeomInput,
  fromSteps: (steps) => ({ steps }),
  buildTrace: ({ steps, initial }) =>
    geomTrace(Math.log2(steps), initial ? (initial.map((r) => r.map(BigInt)) as unknown as Matrix2) : undefined),
};

const FibInput = z.strictObject({ steps: StepsSchema });

export const FIB_ADAPTER: TraceAdapter<z.output<typeof FibInput>> = {
  traceFormatId: 'FIB_AIR_V1',
  airId: FIB_AIR_ID,
  columns: AIRS[FIB_AIR_ID].columns,
  input: FibInput,
  fromSteps: (steps) => ({ steps }),
  buildTrace: ({ steps }) => fibTrace(Math.log2(steps)),
};

type AgentLog = z.output<typeof AgentActionLogSchema>;
const actionLogHash = (actions: AgentLog): Anchors => ({ action_log_hash: jcsArrayHash(actions) });

/** An action log proved with one of the agent AIRs; the action log's hash is an anchor. */
const agentAdapter = (traceFormatId: string, airId: AirId, buildTrace: (actions: AgentLog) => ReturnType<TraceAdapter['buildTrace']>): TraceAdapter<AgentLog> => ({
  traceFormatId, airId, columns: AIRS[airId].columns, input: AgentActionLogSchema, buildTrace, anchors: actionLogHash,
});

/** An action log proved with AGENT_AIR_V2 (count and whole receipts bound): what `capseal prove --air agent` makes. */
export const AGENT_ADAPTER = agentAdapter('AGENT_AIR_V2', AGENT_AIR_V2_ID, agentTraceV2);

/**
 * The same log proved with AGENT_AIR_V1: earlier agent capsules, and CapsuleBench's agent_log_v1
 * workload, whose registry (pinned by Benchmark Policy v1's hash) names agent_air_v1.
 */
export const AGENT_V1_ADAPTER = agentAdapter('AGENT_AIR_V1', AGENT_AIR_ID, agentTrace);

const Count = (min: number, max: number) => z.number().int().min(min).max(max);
const U32 = Count(0, 2 ** 32 - 1);

/** Keccak-256 of a message (hex), over the fewest rows that hold its blocks or `steps`. */
const Keccak256Input = z.strictObject({ message: HexBytesSchema, steps: StepsSchema.optional() });
export const KECCAK_256_ADAPTER: TraceAdapter<z.output<typeof Keccak256Input>> = {
  traceFormatId: 'KECCAK_256_V1',
  airId: KECCAK_256_AIR_ID,
  columns: AIRS[KECCAK_256_AIR_ID].columns,
  input: Keccak256Input,
  buildTrace: ({ message, steps }) => {
    const { trace, publicInputs } = keccak256Trace(hexToBytes(message), steps === undefined ? undefined : Math.log2(steps));
    return { trace, publicInputs };
  },
};

/** The keccak_stream_v1 workload's chain of Keccak-256 hashes (src/airs/keccak-chain.ts). */
export const KECCAK_CHAIN_ADAPTER: TraceAdapter<z.output<typeof KeccakChainInputSchema>> = {
  traceFormatId: 'KECCAK_CHAIN_V1', airId: KECCAK_CHAIN_AIR_ID, columns: AIRS[KECCAK_CHAIN_AIR_ID].columns, input: KeccakChainInputSchema, buildTrace: keccakChainTrace,
};

/** The merkle_build_open_v1 workload's Keccak Merkle tree and openings (src/airs/keccak-merkle.ts). */
export const KECCAK_MERKLE_ADAPTER: TraceAdapter<z.output<typeof KeccakMerkleStatementSchema>> = {
  traceFormatId: 'KECCAK_MERKLE_V1', airId: KECCAK_MERKLE_AIR_ID, columns: AIRS[KECCAK_MERKLE_AIR_ID].columns, input: KeccakMerkleStatementSchema, buildTrace: keccakMerkleTrace,
};

const MemStreamInput = z
  .strictObject({ steps: StepsSchema, scalar: Count(0, MEM_STREAM_MAX_SCALAR), b: z.array(U32), c: z.array(U32), t: z.array(U32) })
  .refine((x) => x.b.length === x.steps && x.c.length === x.steps && x.t.length === x.steps, { error: 'b, c and t must each hold steps values' });
/** The mem_stream_branch_v1 workload's triad and thresholding (src/airs/mem-stream.ts). */
export const MEM_STREAM_ADAPTER: TraceAdapter<z.output<typeof MemStreamInput>> = {
  traceFormatId: 'MEM_STREAM_V1', airId: MEM_STREAM_AIR_ID, columns: AIRS[MEM_STREAM_AIR_ID].columns, input: MemStreamInput,
  buildTrace: ({ scalar, b, c, t }) => memStreamTrace({ scalar, b: Uint32Array.from(b), c: Uint32Array.from(c), t: Uint32Array.from(t) }),
};

/** An adapter of any input type (the input type is invariant: read by `input`, taken by `buildTrace`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTraceAdapter = TraceAdapter<any>;

/** The built-in adapters by `capseal prove --air` name: their AIR's short name in the registry (AIRS). */
export const ADAPTERS: Readonly<Record<string, AnyTraceAdapter>> = Object.freeze(
  Object.fromEntries(
    [GEOM_ADAPTER, FIB_ADAPTER, AGENT_ADAPTER, KECCAK_256_ADAPTER, KECCAK_CHAIN_ADAPTER, KECCAK_MERKLE_ADAPTER, MEM_STREAM_ADAPTER].map((a) => [AIRS[a.airId].name, a]),
  ),
);

/** The adapter of a trace format id, for the verifier: the built-in ones and AGENT_V1_ADAPTER, which `capseal prove` no longer makes. */
export const adapterForFormat = (traceFormatId: string): AnyTraceAdapter | undefined =>
  [...Object.values(ADAPTERS), AGENT_V1_ADAPTER].find((a) => a.traceFormatId === traceFormatId);
