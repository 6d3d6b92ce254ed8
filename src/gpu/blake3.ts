/**
 * BLAKE3 Merkle leaves and trees on the GPU (shaders/blake3.wgsl): the same digests as
 * src/hash/leaves.ts (wasm) and src/merkle/tree.ts (noble), byte for byte.
 *
 * Leaves: one invocation per row; all of the matrix's segments are bound at once, so a row is
 * hashed in one pass however its columns are split. Tree: every level in one compute pass, one
 * dispatch per level; the levels above the leaves share one buffer and are read back together.
 *
 * @module
 */
import { DIGEST_BYTES } from '../hash/digest.js';
import { batchSiblingNodes, type MultiProof } from '../merkle/proof.js';
import { treeFromLayers, type MerkleTree } from '../merkle/tree.js';
import type { GpuContext } from './context.js';
import { GpuLimitError } from './errors.js';
import { segmentsOf, type GpuMatrix } from './matrix.js';
import { WORKGROUP_SIZE } from './dispatch.js';
import { uniformStruct } from './uniforms.js';

/** Segment buffers hash_rows binds (bindings 0..5): with the digests, 7 of the 8 storage buffers WebGPU guarantees. */
export const SEGMENT_BINDINGS = 6;

/** Elements (8 bytes) in one 1024-byte BLAKE3 chunk. */
const CHUNK_ELEMENTS = 128;

/** hash_rows: the matrix and where each of its segments ends. */
const RowParams = uniformStruct('RowParams', {
  height: 'u32',
  width: 'u32',
  /** end(0) .. end(3) and end(4), end(5); end(5) = width. */
  ends_lo: 'vec4<u32>',
  ends_hi: 'vec4<u32>',
});

/** merkle_layer: one level of the tree. */
const LayerParams = uniformStruct('LayerParams', {
  /** Parents in this layer. */
  count: 'u32',
  /** 1: the children are `leaves` from digest 0; 0: they are `nodes` from digest `src`. */
  from_leaves: 'u32',
  src: 'u32',
  /** The first parent's digest index in `nodes`. */
  dst: 'u32',
});

/** Both structs: shaders/blake3.wgsl declares the bindings of both entry points in one module. */
const STRUCTS = RowParams.wgsl + LayerParams.wgsl;

/** Workgroups for `count` invocations; the kernels grid-stride over whatever the dimension limit cuts off. */
function workgroups(ctx: GpuContext, count: number): number {
  return Math.max(1, Math.min(Math.ceil(count / WORKGROUP_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension));
}

/**
 * Shader constants. CV_STACK_DEPTH is the most chunk subtrees a row of `width` elements leaves
 * pending, bit_length(chunks - 1): it sizes the per-invocation CV stack, and 0 (rows of one chunk,
 * and merkle_layer) compiles the tree walk and its private array out altogether. That matters:
 * on SwiftShader the mere presence of the walk made one-chunk rows about 9× slower.
 */
function constants(width: number): Record<string, number> {
  return { WORKGROUP_SIZE, CV_STACK_DEPTH: 32 - Math.clz32(Math.ceil(width / CHUNK_ELEMENTS) - 1) };
}

/**
 * Leaf digests of `m`: row r → BLAKE3 of its elements in column order, 8 bytes little-endian each,
 * 32 bytes at offset 32·r of the returned buffer (the caller destroys it). The digests must fit one
 * binding: a matrix whose height·32 bytes do not is rejected with a RangeError rather than split
 * (merkleTreeGpu needs the leaves in one buffer anyway).
 */
export async function hashRowsGpu(ctx: GpuContext, m: GpuMatrix): Promise<{ digests: GPUBuffer; kernelMs: number | undefined }> {
  const segments = segmentsOf(m);
  const { height, width } = m;
  if (!Number.isSafeInteger(height) || height < 1) throw new RangeError(`hashRowsGpu: height must be a positive integer, got ${height}`);
  if (!Number.isSafeInteger(width) || width < 1) throw new RangeError(`hashRowsGpu: width must be a positive integer, got ${width}`);
  if (segments.length > SEGMENT_BINDINGS)
    throw new GpuLimitError(
      `hashRowsGpu: the ${height} × ${width} matrix is split into ${segments.length} segments, but the row kernel binds at most ${SEGMENT_BINDINGS} ` +
        `(at most ${SEGMENT_BINDINGS} · ${ctx.maxBindingBytes} bytes of columns)`,
    );
  const digestBytes = height * DIGEST_BYTES;
  if (digestBytes > ctx.maxBindingBytes)
    throw new GpuLimitError(`hashRowsGpu: ${height} row digests take ${digestBytes} bytes, more than one GPU binding (${ctx.maxBindingBytes} bytes)`);

  // ends[s] = one past the last column of segment s; unused slots repeat the width and are never chosen.
  const ends = new Array<number>(8).fill(width);
  let next = 0;
  segments.forEach((s, i) => {
    if (s.firstColumn !== next || s.columns < 1) throw new Error(`hashRowsGpu: segment ${i} holds columns from ${s.firstColumn} (${s.columns}), expected from ${next}`);
    next += s.columns;
    ends[i] = next;
  });
  if (next !== width) throw new Error(`hashRowsGpu: the segments hold ${next} columns, the matrix has ${width}`);

  const params = ctx.uniforms([RowParams.pack({ height, width, ends_lo: ends.slice(0, 4), ends_hi: ends.slice(4) })]);
  const digests = ctx.storage(digestBytes, 'row digests');
  try {
    const pipeline = await ctx.pipeline(['blake3'], constants(width), 'hash_rows', STRUCTS);
    const slots = Array.from({ length: SEGMENT_BINDINGS }, (_, i) => segments[i]?.buffer ?? ctx.placeholder);
    const group = ctx.bindGroup(pipeline, [...slots, digests, params.entry(0)]);
    const kernelMs = await ctx.runPass('blake3 rows', (pass) => {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(workgroups(ctx, height));
    });
    return { digests, kernelMs };
  } catch (e) {
    digests.destroy();
    throw e;
  } finally {
    params.buffer.destroy();
  }
}

/** A Merkle tree kept on the device: its root, and batch openings that fetch only the siblings they send. */
export interface ResidentTree {
  readonly depth: number;
  readonly root: Uint8Array;
  open(indices: readonly number[]): Promise<MultiProof>;
  /** Every node of `level` (0 = leaves), read back. */
  layer(level: number): Promise<Uint8Array>;
  destroy(): void;
}

interface Layers {
  depth: number;
  /** Levels 1 … depth; level l ≥ 1 starts at node first(l). */
  nodes: GPUBuffer;
  first(level: number): number;
  kernelMs: number | undefined;
}

/** Every layer above `leaves` (a power of two ≥ 1 of them) in one compute pass, one dispatch per level, in one buffer. */
async function buildLayers(ctx: GpuContext, leaves: GPUBuffer, leafCount: number): Promise<Layers> {
  const depth = Math.round(Math.log2(leafCount));
  if (!Number.isSafeInteger(leafCount) || leafCount < 1 || 2 ** depth !== leafCount)
    throw new RangeError(`merkleTreeGpu: leaf count must be a power of two ≥ 1, got ${leafCount}`);
  const leafBytes = leafCount * DIGEST_BYTES;
  if (leafBytes > leaves.size) throw new RangeError(`merkleTreeGpu: ${leafCount} leaves need ${leafBytes} bytes, the buffer has ${leaves.size}`);
  if (leafBytes > ctx.maxBindingBytes)
    throw new GpuLimitError(`merkleTreeGpu: ${leafCount} leaves take ${leafBytes} bytes, more than one GPU binding (${ctx.maxBindingBytes} bytes)`);
  // The shifts are safe: leafCount·32 bytes fit one binding, so leafCount < 2^27.
  const first = (level: number): number => leafCount - (leafCount >> (level - 1));
  const levels = Array.from({ length: depth }, (_, i) => i + 1);
  const nodes = ctx.storage(Math.max(1, leafCount - 1) * DIGEST_BYTES, 'merkle nodes');
  if (depth === 0) return { depth, nodes, first, kernelMs: undefined };
  const params = ctx.uniforms(levels.map((l) =>
    LayerParams.pack({ count: leafCount >> l, from_leaves: l === 1 ? 1 : 0, src: l === 1 ? 0 : first(l - 1), dst: first(l) })));
  try {
    const pipeline = await ctx.pipeline(['blake3'], constants(1), 'merkle_layer', STRUCTS);
    const leafBinding = { buffer: leaves, offset: 0, size: leafBytes };
    const groups = levels.map((_, i) => ctx.bindGroup(pipeline, [leafBinding, nodes, params.entry(i)]));
    const kernelMs = await ctx.runPass('blake3 merkle', (pass) => {
      pass.setPipeline(pipeline);
      levels.forEach((l, i) => {
        pass.setBindGroup(0, groups[i]!);
        pass.dispatchWorkgroups(workgroups(ctx, leafCount >> l));
      });
    });
    return { depth, nodes, first, kernelMs };
  } catch (e) {
    nodes.destroy();
    throw e;
  } finally {
    params.buffer.destroy();
  }
}

/** The tree over `leaves` with every layer read back (the Backend's merkleTree). The leaves stay the caller's. */
export async function merkleTreeGpu(ctx: GpuContext, leaves: GPUBuffer, leafCount: number): Promise<{ tree: MerkleTree; kernelMs: number | undefined }> {
  const { depth, nodes, first, kernelMs } = await buildLayers(ctx, leaves, leafCount);
  try {
    const leafLayer = new Uint8Array(await ctx.read(leaves, 0, leafCount * DIGEST_BYTES));
    if (depth === 0) return { tree: treeFromLayers([leafLayer]), kernelMs };
    const upper = await ctx.read(nodes, 0, (leafCount - 1) * DIGEST_BYTES);
    const levels = Array.from({ length: depth }, (_, i) => i + 1);
    return { tree: treeFromLayers([leafLayer, ...levels.map((l) => new Uint8Array(upper, first(l) * DIGEST_BYTES, (leafCount >> l) * DIGEST_BYTES))]), kernelMs };
  } finally {
    nodes.destroy();
  }
}

/** The tree over `leaves`, kept on the device (takes ownership of `leaves`): root and batch openings only. */
export async function merkleCommitGpu(ctx: GpuContext, leaves: GPUBuffer, leafCount: number): Promise<{ tree: ResidentTree; kernelMs: number | undefined }> {
  let layers: Layers;
  try {
    layers = await buildLayers(ctx, leaves, leafCount);
  } catch (e) {
    leaves.destroy();
    throw e;
  }
  const { depth, nodes, first, kernelMs } = layers;
  const where = (level: number, index: number): [GPUBuffer, number] =>
    level === 0 ? [leaves, index * DIGEST_BYTES] : [nodes, (first(level) + index) * DIGEST_BYTES];
  const fetch = async (at: ReadonlyArray<readonly [number, number]>): Promise<Uint8Array[]> => {
    if (at.length === 0) return [];
    const out = ctx.storage(at.length * DIGEST_BYTES, 'merkle siblings');
    try {
      await ctx.runCopies('merkle siblings', (enc) =>
        at.forEach(([level, index], i) => {
          const [buffer, offset] = where(level, index);
          enc.copyBufferToBuffer(buffer, offset, out, i * DIGEST_BYTES, DIGEST_BYTES);
        }));
      const bytes = new Uint8Array(await ctx.read(out, 0, at.length * DIGEST_BYTES));
      return at.map((_, i) => bytes.slice(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES));
    } finally {
      out.destroy();
    }
  };
  const destroy = () => {
    nodes.destroy();
    leaves.destroy();
  };
  try {
    const [root] = await fetch([[depth, 0]]);
    const layer = async (level: number): Promise<Uint8Array> => {
      if (!Number.isInteger(level) || level < 0 || level > depth) throw new RangeError(`level must be an integer in [0, ${depth}], got ${level}`);
      const [buffer, offset] = where(level, 0);
      return new Uint8Array(await ctx.read(buffer, offset, (leafCount >> level) * DIGEST_BYTES));
    };
    return { kernelMs, tree: { depth, root: root!, open: async (indices) => ({ depth, siblings: await fetch(batchSiblingNodes(depth, indices)) }), layer, destroy } };
  } catch (e) {
    destroy();
    throw e;
  }
}
