// The AIRs of capseal-stark-v1, and a registry by AIR id: each entry builds the Air from public
// inputs, validates them (schema), and encodes them into the bytes the transcript absorbs.
import type { z } from 'zod';
import type { Air } from '../stark/air.js';
import { AGENT_AIR_ID, agentAir, AgentPublicInputsSchema, encodeAgentPublicInputs } from './agent.js';
import { AGENT_AIR_V2_ID, agentAirV2, encodeAgentV2PublicInputs } from './agent-v2.js';
import { encodeFibPublicInputs, FIB_AIR_ID, fibAir, FibPublicInputsSchema } from './fib.js';
import { encodeGeomPublicInputs, GEOM_AIR_ID, geomAir, GeomPublicInputsSchema } from './geom.js';

export * from './fib.js';
export * from './public-inputs.js';
export * from './geom.js';
export * from './agent.js';
export * from './agent-v2.js';

export interface AirEntry {
  /** Builds the AIR; throws a RangeError on invalid public inputs. */
  readonly air: (publicInputs: unknown) => Air;
  readonly schema: z.ZodType;
  /** Canonical public-input bytes; throws a RangeError on invalid public inputs. */
  readonly encode: (publicInputs: unknown) => Uint8Array;
}

export const AIRS = Object.freeze({
  [FIB_AIR_ID]: { air: fibAir, schema: FibPublicInputsSchema, encode: encodeFibPublicInputs },
  [GEOM_AIR_ID]: { air: geomAir, schema: GeomPublicInputsSchema, encode: encodeGeomPublicInputs },
  [AGENT_AIR_ID]: { air: agentAir, schema: AgentPublicInputsSchema, encode: encodeAgentPublicInputs },
  [AGENT_AIR_V2_ID]: { air: agentAirV2, schema: AgentPublicInputsSchema, encode: encodeAgentV2PublicInputs },
} as const satisfies Record<string, AirEntry>);
export type AirId = keyof typeof AIRS;
