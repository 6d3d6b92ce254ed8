/**
 * The run's event stream `bef_capsule_stream_v1` (seed 001 "WebSocket event schema"; README.md
 * "CapsuleBench"): one envelope {schema, v, run_id, seq, ts_ms, source, type, data,
 * prev_event_hash} per event, appended to events/events.jsonl as the run goes. Each line is the
 * event's RFC 8785 JSON, and prev_event_hash is the SHA-256 of the previous line's bytes (64 zeros
 * before the first), so the log is a hash chain. The chain head after `proof_artifact` is stored in
 * the capsule (benchmark.events_chain_head): the capsule hash then covers every event up to the
 * proof, and the events after it (capsule_sealed, signature_attached, pack_ready) only repeat what
 * the capsule and the pack state. Numbers in events are integers.
 *
 * @module
 */
import { z } from 'zod';
import { RunIdSchema } from '../capsule/capsule.js';
import { AnchorsSchema, HashHexSchema, StatementSchema, TraceSpecSchema } from '../capsule/spec.js';
import { AuthorshipSchema } from '../capsule/authorship.js';
import { issuesText } from '../capsule/checks.js';
import { sha256Hex } from '../hash/digest.js';
import { canonicalize } from '../json/canonical-json.js';

export const STREAM_SCHEMA = 'bef_capsule_stream_v1';
export const EVENTS_PATH = 'events/events.jsonl';
export const ZERO_EVENT_HASH = '0'.repeat(64);
/** Chunk roots per chunk_committed event. */
export const CHUNK_BATCH = 256;
/** Events a log may hold (a 2^22-row run of 1000 proofs writes about 13,000). */
export const MAX_EVENTS = 100_000;

const Count = z.number().int().min(0).max(2 ** 53);
const Name = z.string().min(1).max(128);
const Progress = z.strictObject({ done: Count, total: Count, unit: z.string().max(32) }).refine((p) => p.done <= p.total, 'done must not exceed total');
/** Which proof of the run: a warm-up or a measured run, i of n. */
const RunRef = z.strictObject({ kind: z.enum(['warmup', 'measured']), index: z.number().int().min(1), of: z.number().int().min(1) });
export type RunRef = z.output<typeof RunRef>;

export const PHASES = ['init', 'trace_generate', 'prove', 'verify_local', 'seal_capsule', 'pack', 'done'] as const;

/** The data of each event type; every object is closed. */
export const EVENT_DATA = {
  run_started: z.strictObject({
    client: z.strictObject({ runner_name: Name, runner_version: Name, backend_id: Name, backend_version: Name }),
    workload_id: Name,
    track_id: Name,
    log2_rows: z.number().int().min(0).max(64),
  }),
  phase: z.strictObject({ phase_id: z.enum(PHASES), phase_label: z.string().max(256), progress: Progress.optional() }),
  spec_locked: z.strictObject({
    trace_spec: TraceSpecSchema,
    trace_spec_hash_hex: HashHexSchema,
    policy_id: Name,
    policy_version: Name,
    policy_hash_hex: HashHexSchema,
    anchors: AnchorsSchema,
  }),
  chunk_committed: z.strictObject({
    /** Index of the first root in this batch. */
    chunk_index: Count,
    chunk_len: Count,
    chunk_bytes: Count,
    chunk_roots_hex: z.array(HashHexSchema).min(1).max(CHUNK_BATCH),
    num_chunks: Count,
  }),
  chunk_roots_digest: z.strictObject({ num_chunks: Count, chunk_roots_digest_hex: HashHexSchema, chunk_roots_format: z.literal('bin'), chunk_roots_bytes: Count }),
  row_root_finalized: z.strictObject({ row_root_hex: HashHexSchema, arity: Count, chunk_len: Count, num_chunks: Count }),
  statement_locked: z.strictObject({ statement: StatementSchema, statement_hash_hex: HashHexSchema }),
  prove_progress: z.strictObject({ run: RunRef, stage: Name, progress: Progress, metrics: z.strictObject({ rss_bytes: Count }) }),
  proof_artifact: z.strictObject({
    proof_id: z.string().regex(/^[a-z0-9_]{1,32}$/),
    format: z.literal('bin'),
    path: z.string().max(256),
    size_bytes: Count,
    sha256_payload_hash_hex: HashHexSchema,
    measurements_hash_hex: HashHexSchema,
    stats: z.strictObject({ prover_time_us: Count, verify_time_us: Count, peak_rss_bytes: Count }),
  }),
  capsule_sealed: z.strictObject({ capsule_path: z.string().max(256), capsule_hash_hex: HashHexSchema }),
  signature_attached: z.strictObject({ scheme: AuthorshipSchema.shape.scheme, pubkey_hex: AuthorshipSchema.shape.pubkey, signature_hex: AuthorshipSchema.shape.signature }),
  pack_ready: z.strictObject({ pack_path: z.string().max(4096), pack_sha256_hex: HashHexSchema, bytes: Count }),
  state_snapshot: z.strictObject({
    last_event_seq: Count,
    phase: z.enum(PHASES).nullable(),
    locked: z.strictObject({
      trace_spec_hash_hex: HashHexSchema.nullable(),
      policy_hash_hex: HashHexSchema.nullable(),
      row_root_hex: HashHexSchema.nullable(),
      statement_hash_hex: HashHexSchema.nullable(),
      capsule_hash_hex: HashHexSchema.nullable(),
    }),
    commitment_state: z.strictObject({ num_chunks: Count.nullable(), num_chunks_committed: Count, chunk_roots_digest_hex: HashHexSchema.nullable() }),
    runs_done: Count,
  }),
} as const;
export type EventType = keyof typeof EVENT_DATA;
export type EventData<T extends EventType> = z.output<(typeof EVENT_DATA)[T]>;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];

export const EnvelopeSchema = z.strictObject({
  schema: z.literal(STREAM_SCHEMA),
  v: z.literal(1),
  run_id: RunIdSchema,
  seq: z.number().int().min(1).max(2 ** 53),
  ts_ms: Count,
  source: z.literal('runner'),
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  data: z.unknown(),
  prev_event_hash: HashHexSchema,
});

export interface StreamEvent<T extends EventType = EventType> {
  schema: typeof STREAM_SCHEMA;
  v: 1;
  run_id: string;
  seq: number;
  ts_ms: number;
  source: 'runner';
  type: T;
  data: EventData<T>;
  prev_event_hash: string;
}

/** An event's line in events.jsonl (without the newline): its canonical JSON. */
export const eventLine = (e: StreamEvent): string => canonicalize(e);
/** The hash the next event names as prev_event_hash. */
export const lineHash = (line: string): string => sha256Hex(new TextEncoder().encode(line));

/**
 * What a state_snapshot reports, kept up to date event by event: the runner makes snapshots from it,
 * and the pack verifier replays a log through it to check the snapshots the log holds.
 */
export class RunState {
  #phase: (typeof PHASES)[number] | null = null;
  #locked: EventData<'state_snapshot'>['locked'] = {
    trace_spec_hash_hex: null, policy_hash_hex: null, row_root_hex: null, statement_hash_hex: null, capsule_hash_hex: null,
  };
  #numChunks: number | null = null;
  #committed = 0;
  #digest: string | null = null;
  #runsDone = 0;

  apply(e: StreamEvent): void {
    const d = e.data as Record<string, unknown>;
    if (e.type === 'phase') this.#phase = d['phase_id'] as (typeof PHASES)[number];
    else if (e.type === 'spec_locked') Object.assign(this.#locked, { trace_spec_hash_hex: d['trace_spec_hash_hex'], policy_hash_hex: d['policy_hash_hex'] });
    else if (e.type === 'chunk_committed') (this.#numChunks = d['num_chunks'] as number), (this.#committed += (d['chunk_roots_hex'] as unknown[]).length);
    else if (e.type === 'chunk_roots_digest') this.#digest = d['chunk_roots_digest_hex'] as string;
    else if (e.type === 'row_root_finalized') this.#locked.row_root_hex = d['row_root_hex'] as string;
    else if (e.type === 'statement_locked') this.#locked.statement_hash_hex = d['statement_hash_hex'] as string;
    else if (e.type === 'capsule_sealed') this.#locked.capsule_hash_hex = d['capsule_hash_hex'] as string;
    else if (e.type === 'prove_progress' && d['stage'] === 'done') this.#runsDone++;
  }

  /** The snapshot after event `lastSeq`. */
  snapshot(lastSeq: number): EventData<'state_snapshot'> {
    return {
      last_event_seq: lastSeq, phase: this.#phase, locked: { ...this.#locked },
      commitment_state: { num_chunks: this.#numChunks, num_chunks_committed: this.#committed, chunk_roots_digest_hex: this.#digest },
      runs_done: this.#runsDone,
    };
  }
}

/**
 * Writes a run's events: each emit() stamps the envelope, chains it to the previous line and hands
 * the line to `sink` at once (so a crash leaves every event so far). Data is checked against its
 * schema first: the runner never writes an event the verifier would refuse.
 */
export class EventLog {
  #seq = 0;
  #head = ZERO_EVENT_HASH;
  #ts = 0;
  readonly #state = new RunState();

  constructor(
    readonly runId: string,
    private readonly sink: (line: string) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** SHA-256 of the last line written (the chain head). */
  get head(): string {
    return this.#head;
  }

  emit<T extends EventType>(type: T, data: EventData<T>): StreamEvent<T> {
    const parsed = EVENT_DATA[type].safeParse(data);
    if (!parsed.success) throw new Error(`internal: event ${type} does not fit its schema: ${parsed.error.issues[0]?.message ?? ''}`);
    const e: StreamEvent<T> = {
      // A wall clock can step back (NTP); the log's times never do.
      schema: STREAM_SCHEMA, v: 1, run_id: this.runId, seq: ++this.#seq, ts_ms: (this.#ts = Math.max(this.#ts, Math.floor(this.clock()))), source: 'runner', type, data,
      prev_event_hash: this.#head,
    };
    const line = eventLine(e);
    this.#head = lineHash(line);
    this.#state.apply(e);
    this.sink(line);
    return e;
  }

  /** A state_snapshot of the run so far (seed 001: sent on connect, or when a viewer asks). */
  snapshot(): StreamEvent<'state_snapshot'> {
    return this.emit('state_snapshot', this.#state.snapshot(this.#seq));
  }
}

/** Why a log is not a well-formed chain, with the code the pack verifier gives it. */
export class EventLogError extends Error {
  constructor(readonly code: 'E160_EVENTS_MALFORMED' | 'E161_EVENTS_CHAIN_BROKEN', message: string) {
    super(message);
  }
}

/** An event as read back, with the hash of its line. */
export interface ReadEvent {
  event: StreamEvent;
  hash: string;
}

/**
 * Checks event lines one at a time, in order: one canonical JSON event per line, envelope and data
 * closed and typed, seq 1, 2, 3, … on one run_id, ts_ms never decreasing, and each prev_event_hash
 * the SHA-256 of the line before. The pack verifier reads a whole log with it (readEventLog); the
 * server checks a live stream with it as the lines arrive, resuming from what it stored.
 */
export class EventChain {
  #prev: string;
  #seq: number;
  #ts: number;
  #runId: string | undefined;

  constructor(from: { seq: number; head: string; tsMs: number; runId?: string } = { seq: 0, head: ZERO_EVENT_HASH, tsMs: 0 }) {
    this.#seq = from.seq;
    this.#prev = from.head;
    this.#ts = from.tsMs;
    this.#runId = from.runId;
  }

  /** The last seq accepted. */
  get seq(): number {
    return this.#seq;
  }

  /** Accepts the next line (without its newline) or throws EventLogError; `at` names it in messages. */
  next(line: string, at: string): ReadEvent {
    let json: unknown;
    try {
      json = JSON.parse(line);
      // Canonical lines only: one reading, one hash.
      if (canonicalize(json) !== line) throw new Error('not in RFC 8785 canonical form');
    } catch (e) {
      throw new EventLogError('E160_EVENTS_MALFORMED', `${at}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const env = EnvelopeSchema.safeParse(json);
    if (!env.success) throw new EventLogError('E160_EVENTS_MALFORMED', `${at}: ${issuesText(env.error.issues)}`);
    const data = EVENT_DATA[env.data.type].safeParse(env.data.data);
    if (!data.success) throw new EventLogError('E160_EVENTS_MALFORMED', `${at}: ${env.data.type} data: ${issuesText(data.error.issues)}`);
    const e = env.data as StreamEvent;
    if (e.seq !== this.#seq + 1) throw new EventLogError('E161_EVENTS_CHAIN_BROKEN', `${at}: seq ${e.seq}, expected ${this.#seq + 1}`);
    if (e.prev_event_hash !== this.#prev) throw new EventLogError('E161_EVENTS_CHAIN_BROKEN', `${at}: prev_event_hash ${e.prev_event_hash} is not the previous line's SHA-256 ${this.#prev}`);
    if (this.#runId !== undefined && e.run_id !== this.#runId) throw new EventLogError('E161_EVENTS_CHAIN_BROKEN', `${at}: run_id ${e.run_id} differs from the log's ${this.#runId}`);
    if (e.ts_ms < this.#ts) throw new EventLogError('E161_EVENTS_CHAIN_BROKEN', `${at}: ts_ms ${e.ts_ms} goes back in time (the line before has ${this.#ts})`);
    this.#runId = e.run_id;
    this.#ts = e.ts_ms;
    this.#seq = e.seq;
    this.#prev = lineHash(line);
    return { event: e, hash: this.#prev };
  }
}

/** Parses events.jsonl strictly: UTF-8, lines ending in "\n", each checked by EventChain. Throws EventLogError. */
export function readEventLog(bytes: Uint8Array): ReadEvent[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EventLogError('E160_EVENTS_MALFORMED', `${EVENTS_PATH} is not UTF-8 text`);
  }
  if (text === '') throw new EventLogError('E160_EVENTS_MALFORMED', `${EVENTS_PATH} is empty`);
  if (!text.endsWith('\n')) throw new EventLogError('E160_EVENTS_MALFORMED', `${EVENTS_PATH} does not end with a newline (a cut-off line?)`);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length > MAX_EVENTS) throw new EventLogError('E160_EVENTS_MALFORMED', `${EVENTS_PATH} holds ${lines.length} events, more than ${MAX_EVENTS}`);
  const chain = new EventChain();
  return lines.map((line, i) => chain.next(line, `${EVENTS_PATH} line ${i + 1}`));
}
