/**
 * The price table (`capseal_price_table_v1`): US dollars per hour of a hardware class, versioned and
 * hashed so every cost the server shows names the table it came from. A run's class is the first
 * entry whose given fields all equal its hardware manifest's (CPU model, logical cores, GPU
 * description); cost per proof = price × median prove time.
 *
 * @module
 */
import { z } from 'zod';
import type { HardwareManifest } from '../capsulebench/manifests.js';
import { sha256Hex } from '../hash/digest.js';
import { parseCanonicalBytes } from '../json/canonical-json.js';
import { issuesText } from '../capsule/checks.js';

const Text = z.string().min(1).max(256);

export const PriceTableSchema = z.strictObject({
  schema: z.literal('capseal_price_table_v1'),
  version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/, 'must be 1–64 characters of A–Z a–z 0–9 . _ -'),
  currency: z.literal('USD'),
  classes: z
    .array(z.strictObject({
      hardware_class: Text,
      usd_per_hour: z.number().positive().max(1e6),
      cpu_model: Text.optional(),
      cpu_logical_cores: z.number().int().min(1).max(1 << 20).optional(),
      gpu_description: Text.optional(),
    }))
    .min(1)
    .max(1000),
});
export type PriceTable = z.output<typeof PriceTableSchema>;

export interface Prices {
  table: PriceTable;
  sha256: string;
}

/** Parses a price table file; throws with a one-line reason. */
export function parsePrices(bytes: Uint8Array): Prices {
  let json: unknown;
  try {
    json = parseCanonicalBytes(bytes);
  } catch (e) {
    throw new Error(`the price table is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = PriceTableSchema.safeParse(json);
  if (!r.success) throw new Error(`the price table is not a capseal_price_table_v1: ${issuesText(r.error.issues)}`);
  return { table: r.data, sha256: sha256Hex(bytes) };
}

export interface Cost {
  hardware_class: string;
  usd_per_hour: number;
  usd_per_proof: number;
}

export function costOf(prices: Prices | undefined, hardware: HardwareManifest, proveMedianUs: number): Cost | null {
  const c = prices?.table.classes.find((x) =>
    (x.cpu_model === undefined || x.cpu_model === hardware.cpu.model) &&
    (x.cpu_logical_cores === undefined || x.cpu_logical_cores === hardware.cpu.logical_cores) &&
    (x.gpu_description === undefined || x.gpu_description === hardware.gpu?.description));
  return c ? { hardware_class: c.hardware_class, usd_per_hour: c.usd_per_hour, usd_per_proof: (c.usd_per_hour * proveMedianUs) / 3.6e9 } : null;
}
