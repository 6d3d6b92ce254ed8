/**
 * The AIRs of capseal-stark-v1, and their one registry by AIR id: each entry has the AIR's short
 * name (the CLI's and benchmarks' --air), its column names, the schema of its public inputs, the Air
 * they build, their bytes for the transcript, and a sample trace of any size. The CLI, the capsule
 * adapters and the benchmarks read this registry rather than listing AIRs themselves.
 *
 * @module
 */
import type { z } from 'zod';
import type { Column } from '../field/columns.js';
import type { Air } from '../stark/air.js';
import { AGENT_AIR_ID, AGENT_COLUMNS, agentAir, AgentPublicInputsSchema, agentTrace, encodeAgentPublicInputs, sampleActionLog } from './agent.js';
import { AGENT_AIR_V2_ID, AGENT_V2_COLUMNS, agentAirV2, agentTraceV2, encodeAgentV2PublicInputs } from './agent-v2.js';
import { encodeFibPublicInputs, FIB_AIR_ID, FIB_COLUMNS, fibAir, FibPublicInputsSchema, fibTrace } from './fib.js';
import { encodeGeomPublicInputs, GEOM_AIR_ID, GEOM_COLUMNS, geomAir, GeomPublicInputsSchema, geomTrace } from './geom.js';

export * from './fib.js';
export * from './public-inputs.js';
export * from './geom.js';
export * from './agent.js';
export * from './agent-v2.js';

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
}

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
} as const satisfies Record<string, AirEntry>);
export type AirId = keyof typeof AIRS;

/** The AIR ids by short name. */
export const AIR_BY_NAME: Readonly<Record<string, AirId>> = Object.freeze(
  Object.fromEntries((Object.keys(AIRS) as AirId[]).map((id) => [AIRS[id].name, id])) as Record<string, AirId>,
);
