/**
 * The manifests a CapsuleBench run collects before proving (seed 000 "Required anchors", "Companion
 * anchor formats"; README.md "CapsuleBench"): the hardware, the OS, the toolchain (with build_hash,
 * the SHA-256 of the exact code that ran) and the knobs (every setting that shapes the run). Each is
 * a file of the pack whose SHA-256 is a statement anchor, so the STARK transcript binds it. Declared,
 * not proven: a runner can lie about its hardware, but not change the manifest after proving.
 * The seed's docker_image_digest does not fit a runner that is an npm package: build_hash replaces it.
 *
 * @module
 */
import { z } from 'zod';
import type { GpuBackend } from '../backend/gpu/gpu-backend.js';
import { HashHexSchema } from '../capsule/spec.js';
import { adapterName } from '../gpu/context.js';
import { TRACK_BACKENDS } from './policy.js';

export const MANIFEST_DIR = 'manifests';

const Text = z.string().max(1024);
const Count = z.number().int().min(0).max(2 ** 53);

/** A GPU adapter as WebGPU describes it, with the limits the prover requested. */
export const GpuAdapterSchema = z.strictObject({
  vendor: Text,
  architecture: Text,
  device: Text,
  description: Text,
  limits: z.record(z.string().max(64), Count),
  timestamp_queries: z.boolean(),
});
export type GpuAdapter = z.output<typeof GpuAdapterSchema>;

export const HardwareManifestSchema = z.strictObject({
  schema: z.literal('capsulebench_hardware_manifest_v1'),
  cpu: z.strictObject({ model: Text, logical_cores: Count, available_parallelism: Count, arch: Text }),
  memory: z.strictObject({ total_bytes: Count }),
  /** The adapter the run used (optimized_declared); null when no GPU took part. */
  gpu: GpuAdapterSchema.nullable(),
});
export type HardwareManifest = z.output<typeof HardwareManifestSchema>;

export const OsFingerprintSchema = z.strictObject({
  schema: z.literal('capsulebench_os_fingerprint_v1'),
  platform: Text,
  kernel: z.strictObject({ release: Text, version: Text }),
  /** /etc/os-release where there is one. */
  distribution: z.strictObject({ id: Text, version_id: Text, pretty_name: Text }).nullable(),
  libc: z.strictObject({ family: Text, version: Text }).nullable(),
});
export type OsFingerprint = z.output<typeof OsFingerprintSchema>;

/** `git_commit`: the checkout's commit (with -dirty when files differ from it), or "none" outside a checkout. */
export const GitCommitSchema = z.string().regex(/^([0-9a-f]{40}(-dirty)?|none)$/, 'must be a 40-hex commit, optionally -dirty, or "none"');

export const ToolchainManifestSchema = z.strictObject({
  schema: z.literal('capsulebench_toolchain_manifest_v1'),
  runtime: z.strictObject({ name: Text, version: Text, engine: Text }),
  capseal: z.strictObject({ version: Text, runner_repo: Text, git_commit: GitCommitSchema }),
  /** Installed versions of the prover's dependencies. */
  dependencies: z.record(z.string().max(214), Text),
  /** build_hash = SHA-256(JCS(files)): every file of code that ran, by path, with its SHA-256. */
  build: z.strictObject({
    build_hash: HashHexSchema,
    files: z.array(z.strictObject({ path: z.string().max(256), sha256: HashHexSchema })).min(1).max(10_000),
  }),
});
export type ToolchainManifest = z.output<typeof ToolchainManifestSchema>;

export const KnobsManifestSchema = z.strictObject({
  schema: z.literal('capsulebench_knobs_manifest_v1'),
  track_id: z.string().max(64),
  backend: z.enum(TRACK_BACKENDS),
  /** What the prover reported it ran on (the capsule's backend description). */
  backend_description: Text,
  cpu_threads: z.number().int().min(1).max(4096),
  /** The GPU side: adapter, the binding cap in force, and (auto) the per-operation thresholds, null = never. */
  gpu: z
    .strictObject({
      adapter: Text,
      max_binding_bytes: Count,
      thresholds: z.record(z.string().max(32), Count.nullable()).nullable(),
    })
    .nullable(),
  proof_options: z.strictObject({ blowup: Count, queries: Count, grinding_bits: Count, folding_factor: Count }),
  chunk_len: Count,
  warmup_runs: Count,
  measured_runs: Count,
  verify_warmup_runs: Count,
  verify_runs: Count,
  /** Environment variables that change where or how the run computes. */
  environment: z.record(z.string().max(64), z.string().max(4096).nullable()),
});
export type KnobsManifest = z.output<typeof KnobsManifestSchema>;

/** The manifests by file name (below MANIFEST_DIR) with their schema and anchor. */
export const MANIFESTS = {
  hardware: { file: 'hardware_manifest.json', anchor: 'hardware_manifest_hash', schema: HardwareManifestSchema },
  os: { file: 'os_fingerprint.json', anchor: 'os_fingerprint_hash', schema: OsFingerprintSchema },
  toolchain: { file: 'toolchain_manifest.json', anchor: 'toolchain_hash', schema: ToolchainManifestSchema },
  knobs: { file: 'knobs_manifest.json', anchor: 'knobs_manifest_hash', schema: KnobsManifestSchema },
} as const;
export type ManifestKind = keyof typeof MANIFESTS;

export interface Manifests {
  hardware: HardwareManifest;
  os: OsFingerprint;
  toolchain: ToolchainManifest;
  knobs: KnobsManifest;
}

export const manifestPath = (kind: ManifestKind): string => `${MANIFEST_DIR}/${MANIFESTS[kind].file}`;

/** The adapter a run used, as the hardware manifest declares it. */
export const gpuAdapterManifest = (gpu: GpuBackend): GpuAdapter => ({ ...gpu.adapter, limits: { ...gpu.ctx.limits }, timestamp_queries: gpu.ctx.timestamps });

/** The knobs' GPU side: the adapter, the binding cap in force and the scheduler's thresholds (auto) or null. */
export const gpuKnobs = (gpu: GpuBackend, thresholds: Record<string, number | null> | null): NonNullable<KnobsManifest['gpu']> =>
  ({ adapter: adapterName(gpu.adapter), max_binding_bytes: gpu.ctx.maxBindingBytes, thresholds });
