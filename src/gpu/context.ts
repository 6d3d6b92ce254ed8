/**
 * The GPU runtime (docs/architecture.md "Layers"): one adapter and device with the adapter's
 * real limits, the pipeline cache, buffers, uniform blocks, error scopes, device-loss tracking and
 * timestamp queries. Platform code (./node.ts, ./browser.ts) only supplies the GPU object and the
 * shader library; everything else is shared.
 *
 * @module
 */
/// <reference types="@webgpu/types" />
import { GpuDeviceLostError, GpuLimitError, GpuOperationError, GpuUnavailableError } from './errors.js';
import { composeShader, type ShaderConstant, type ShaderFile, type ShaderLibrary } from './shaders.js';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export interface GpuContextOptions {
  /**
   * Caps the bytes bound to one storage binding (default: the device's limit). Lower caps force
   * matrices to be split across buffers, which the tests use to exercise splitting.
   */
  maxBindingBytes?: number;
  /** Told once when the device is lost. */
  onLost?: (reason: string) => void;
}

/** Limits this backend depends on, requested at the adapter's maximum. */
const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
] as const;
export type LimitName = (typeof WANTED_LIMITS)[number];

/**
 * Vulkan drivers refuse single allocations at or just under the maxBufferSize that WebGPU reports
 * (NVIDIA's maxMemoryAllocationSize is 2^32 − 2^21; SwiftShader fails at exactly its 2^30), and
 * WebGPU does not expose that limit: stay 2 MiB below the reported size, and at most 2^32 − 2^21.
 */
const ALLOCATION_HEADROOM = 2 ** 21;
const MAX_ALLOCATION = 2 ** 32 - 2 ** 21;

const STORAGE_USAGE = 0x80 | 0x4 | 0x8; // STORAGE | COPY_SRC | COPY_DST
const UNIFORM_USAGE = 0x40 | 0x8; // UNIFORM | COPY_DST
const READBACK_USAGE = 0x1 | 0x8; // MAP_READ | COPY_DST
const MAP_READ = 0x1;

export function describeAdapter(info: GPUAdapterInfo | undefined): AdapterSummary {
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
}

export const adapterName = (a: AdapterSummary): string =>
  [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || 'unnamed adapter';

export class GpuContext {
  readonly limits: Readonly<Record<LimitName, number>>;
  /** Largest byte size of one storage binding (and of one buffer) this context uses. */
  readonly maxBindingBytes: number;
  readonly timestamps: boolean;
  #lostReason: string | undefined;
  #destroyed = false;
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  /** Pipelines compiled and the milliseconds spent compiling them (shader compile time, reported apart from proving). */
  readonly compiled = { pipelines: 0, ms: 0 };
  #placeholder: GPUBuffer | undefined;
  /** Verdicts of the out-of-memory scopes of allocations not yet checked (see #createBuffer). */
  #allocations: Array<Promise<string | undefined>> = [];

  private constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
    readonly shaders: ShaderLibrary,
    opts: GpuContextOptions,
  ) {
    const lim = device.limits;
    this.limits = Object.fromEntries(WANTED_LIMITS.map((k) => [k, Number(lim[k])])) as Record<LimitName, number>;
    const deviceMax = Math.min(this.limits.maxStorageBufferBindingSize, this.limits.maxBufferSize - ALLOCATION_HEADROOM, MAX_ALLOCATION);
    // Rounded down to 256 bytes by arithmetic: real limits reach 2^32 − 4, beyond int32 bit operations.
    this.maxBindingBytes = Math.floor(Math.min(deviceMax, opts.maxBindingBytes ?? deviceMax) / 256) * 256;
    if (this.maxBindingBytes < 256) throw new RangeError('maxBindingBytes must be at least 256');
    this.timestamps = device.features.has('timestamp-query');
    void device.lost.then((info) => {
      this.#lostReason = `${info.reason}: ${info.message || 'no message'}`;
      if (!this.#destroyed) opts.onLost?.(this.#lostReason);
    });
  }

  /** Acquires an adapter and a device with the adapter's limits; GpuUnavailableError if none. */
  static async create(gpu: GPU | undefined, shaders: ShaderLibrary, opts: GpuContextOptions = {}): Promise<GpuContext> {
    if (!gpu) throw new GpuUnavailableError('this runtime has no WebGPU implementation');
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new GpuUnavailableError('no WebGPU adapter is available');
    const requiredLimits: Record<string, number> = {};
    for (const k of WANTED_LIMITS) requiredLimits[k] = Number(adapter.limits[k]);
    const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'capseal' });
    } catch (e) {
      throw new GpuUnavailableError(`the adapter refused a device: ${e instanceof Error ? e.message : String(e)}`);
    }
    return new GpuContext(device, describeAdapter(adapter.info), shaders, opts);
  }

  get lost(): boolean {
    return this.#lostReason !== undefined;
  }

  /** Throws if the device can no longer be used. */
  assertAlive(): void {
    if (this.#destroyed) throw new GpuDeviceLostError('the GPU backend was destroyed');
    if (this.#lostReason !== undefined) throw new GpuDeviceLostError(`the GPU device was lost (${this.#lostReason})`);
  }

  /**
   * The compute pipeline for `entry` of the composed module, compiled once per final source.
   * Compilation errors (a shader bug) become GpuOperationError with the compiler's messages.
   */
  async pipeline(
    files: readonly ShaderFile[], constants: Readonly<Record<string, ShaderConstant>>, entry: string, generated = '',
  ): Promise<GPUComputePipeline> {
    this.assertAlive();
    const source = composeShader(this.shaders, files, constants, generated);
    const key = `${entry}\n${source}`;
    const cached = this.#pipelines.get(key);
    if (cached) return cached;
    const t0 = performance.now();
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code: source, label: files.join('+') });
    const p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: entry }, label: entry });
    const error = await this.device.popErrorScope();
    if (error) {
      const info = await module.getCompilationInfo();
      const lines = info.messages.map((m) => `${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`);
      throw new GpuOperationError(`pipeline ${entry} (${files.join(' + ')}): ${error.message}${lines.length ? `\n${lines.join('\n')}` : ''}`);
    }
    this.#pipelines.set(key, p);
    this.compiled.pipelines++;
    this.compiled.ms += performance.now() - t0;
    return p;
  }

  /** A storage buffer (also copy source and destination) of `bytes`, zero-filled. */
  storage(bytes: number, label: string): GPUBuffer {
    this.assertAlive();
    if (bytes > this.maxBindingBytes) throw new GpuLimitError(`${label}: ${bytes} bytes exceed one binding (${this.maxBindingBytes})`);
    return this.#createBuffer({ size: Math.max(16, align(bytes, 16)), usage: STORAGE_USAGE, label });
  }

  /**
   * createBuffer in its own out-of-memory scope. A buffer the device has no memory for is created
   * invalid, and would only surface as a validation error where it is used; the scope's verdict is
   * checked before the next submission or readback instead (#checkAllocations), so running out of
   * memory is a GpuLimitError, which callers answer like any other limit (the scheduler: the CPU).
   */
  #createBuffer(desc: GPUBufferDescriptor): GPUBuffer {
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer(desc);
    this.#allocations.push(this.device.popErrorScope().then((e) => (e ? `${desc.label || 'a buffer'} (${desc.size} bytes): ${e.message}` : undefined)));
    return buffer;
  }

  /** Throws GpuLimitError if an allocation since the last check ran out of device memory. */
  async #checkAllocations(): Promise<void> {
    const failed = (await Promise.all(this.#allocations.splice(0))).find((m) => m !== undefined);
    if (failed !== undefined) throw new GpuLimitError(`out of GPU memory allocating ${failed}`);
  }

  /** A storage buffer holding `data`. */
  upload(data: ArrayBufferView, label: string): GPUBuffer {
    const buf = this.storage(data.byteLength, label);
    this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  }

  /** A 16-byte read-write buffer bound where a pipeline's binding is unused by the chosen mode. */
  get placeholder(): GPUBuffer {
    this.#placeholder ??= this.storage(16, 'placeholder');
    return this.#placeholder;
  }

  /**
   * Uniform blocks for a sequence of dispatches, in one buffer at the device's offset alignment
   * (queue writes land before the whole submission, so each dispatch needs its own block).
   */
  uniforms(blocks: readonly Uint32Array[]): { buffer: GPUBuffer; entry(i: number): GPUBufferBinding } {
    const stride = align(Math.max(16, ...blocks.map((b) => b.byteLength)), this.device.limits.minUniformBufferOffsetAlignment);
    const data = new Uint32Array((stride / 4) * Math.max(1, blocks.length));
    blocks.forEach((b, i) => data.set(b, (i * stride) / 4));
    const buffer = this.#createBuffer({ size: data.byteLength, usage: UNIFORM_USAGE, label: 'params' });
    this.device.queue.writeBuffer(buffer, 0, data);
    return { buffer, entry: (i) => ({ buffer, offset: i * stride, size: align(blocks[i]!.byteLength, 16) }) };
  }

  bindGroup(pipeline: GPUComputePipeline, resources: ReadonlyArray<GPUBuffer | GPUBufferBinding>): GPUBindGroup {
    return this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: resources.map((r, binding) => ({ binding, resource: 'buffer' in r ? r : { buffer: r } })),
    });
  }

  /**
   * Encodes one compute pass (dispatches in a pass see each other's writes in order), submits it
   * and waits for it. Returns the kernel time in ms from timestamp queries when the adapter has them.
   * Validation and out-of-memory errors become GpuOperationError; a lost device GpuDeviceLostError.
   */
  async runPass(label: string, encode: (pass: GPUComputePassEncoder) => void): Promise<number | undefined> {
    const d = this.device;
    this.assertAlive();
    const query = this.timestamps ? d.createQuerySet({ type: 'timestamp', count: 2 }) : undefined;
    const resolve = query ? this.#createBuffer({ size: 16, usage: 0x200 | 0x4, label: 'timestamps' }) : undefined; // QUERY_RESOLVE | COPY_SRC
    try {
      await this.#submitScoped(label, () => {
        const enc = d.createCommandEncoder({ label });
        const pass = enc.beginComputePass(
          query ? { label, timestampWrites: { querySet: query, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : { label },
        );
        encode(pass);
        pass.end();
        if (query && resolve) enc.resolveQuerySet(query, 0, 2, resolve, 0);
        d.queue.submit([enc.finish()]);
      });
      await d.queue.onSubmittedWorkDone();
      this.assertAlive();
      if (!query || !resolve) return undefined;
      const stamps = new BigUint64Array(await this.read(resolve, 0, 16));
      // Some adapters report 0 for both stamps (timestamps quantized or disabled): no figure then.
      return stamps[1]! > stamps[0]! ? Number(stamps[1]! - stamps[0]!) / 1e6 : undefined;
    } finally {
      query?.destroy();
      resolve?.destroy();
    }
  }

  /** Encodes buffer copies, submits and waits, inside the same error scopes as runPass. */
  async runCopies(label: string, encode: (enc: GPUCommandEncoder) => void): Promise<void> {
    await this.#submitScoped(label, () => {
      const enc = this.device.createCommandEncoder({ label });
      encode(enc);
      this.device.queue.submit([enc.finish()]);
    });
    await this.device.queue.onSubmittedWorkDone();
    this.assertAlive();
  }

  /**
   * Runs `submit` inside validation and out-of-memory error scopes, after checking the allocations it
   * uses; a caught error becomes GpuOperationError, or GpuLimitError where memory ran out.
   */
  async #submitScoped(label: string, submit: () => void): Promise<void> {
    this.assertAlive();
    await this.#checkAllocations();
    const d = this.device;
    d.pushErrorScope('out-of-memory');
    d.pushErrorScope('validation');
    submit();
    // Both scopes popped before any await: concurrent operations must not pop each other's scopes.
    const [validation, oom] = await Promise.all([d.popErrorScope(), d.popErrorScope()]);
    if (oom) throw new GpuLimitError(`${label}: out of GPU memory: ${oom.message}`);
    if (validation) {
      this.assertAlive();
      // An invalid buffer made while encoding (its scope nested in these) is a memory shortage, not a bug.
      await this.#checkAllocations();
      throw new GpuOperationError(`${label}: ${validation.message}`);
    }
  }

  /** Copies `bytes` from `buffer` at `offset` back to the host. */
  async read(buffer: GPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
    this.assertAlive();
    const staging = this.#createBuffer({ size: align(bytes, 4), usage: READBACK_USAGE, label: 'readback' });
    try {
      await this.#checkAllocations();
      const enc = this.device.createCommandEncoder({ label: 'readback' });
      enc.copyBufferToBuffer(buffer, offset, staging, 0, align(bytes, 4));
      this.device.queue.submit([enc.finish()]);
      try {
        await staging.mapAsync(MAP_READ);
      } catch (e) {
        this.assertAlive();
        throw new GpuOperationError(`readback failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      const out = staging.getMappedRange(0, align(bytes, 4)).slice(0, bytes);
      staging.unmap();
      return out;
    } finally {
      staging.destroy();
    }
  }

  /** Destroys the device; dawn.node keeps the process alive while a device exists. Idempotent. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#pipelines.clear();
    this.device.destroy();
  }
}

export const align = (x: number, a: number): number => Math.ceil(x / a) * a;
