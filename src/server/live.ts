/**
 * The live run stream (seed 001 "WebSocket event schema", "Server-side behavior"; README.md "Leaderboard server").
 *   ingest  /api/live/<run_id>/ingest with the token from POST /api/live, as "Authorization: Bearer
 *           <token>" or, where a client cannot set headers (a browser), as the subprotocols
 *           "capseal.live.v1, capseal.token.<token>" (the server answers capseal.live.v1): the
 *           runner's event lines. On connect the server says where it stands — a resume_request
 *           with from_seq = the last seq it stored — and the runner sends every line after it. Each
 *           line is checked as the pack verifier checks events.jsonl (canonical, typed, seq + 1, the
 *           hash chain, time never back) before it is stored; a repeat of a stored seq is ignored.
 *           One run's lines are handled in order, whichever connection brings them. Per run: bytes
 *           per line, lines per second (a token bucket), lines and bytes in all; a breach closes the
 *           connection with 1008/1009 and a reason, and is recorded once. A run on the board takes
 *           no more lines.
 *   watch   /api/live/<run_id>?from_seq=N: a state_snapshot the server makes from the stored lines,
 *           then every stored line after N, then live ones, in order, without gaps or repeats; then
 *           server_verified once the run is on the board (submission_rejected for each submission
 *           claiming the run that was rejected: a claim is not the run). A viewer that does not read
 *           is closed (1013: reconnect with from_seq).
 * Server messages use the stream's envelope with source "server" and no prev_event_hash (they are
 * not part of the run's chain). Live lines reach the viewers of this process; viewers of another
 * serve process on the same PostgreSQL get them when they (re)connect.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { RunIdSchema } from '../capsule/capsule.js';
import { EventChain, EventLogError, RunState, STREAM_SCHEMA, type StreamEvent } from '../capsulebench/events.js';
import { LIVE_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../capsulebench/live-stream.js';
import { sha256Hex } from '../hash/digest.js';
import type { Db } from './db.js';
import { errorBody } from './http-error.js';
import type { Limits } from './limits.js';
import * as store from './store.js';

const PATH = /^\/api\/live\/([A-Za-z0-9_]{1,64})(\/ingest)?$/;
/** Stored lines read per query when a viewer catches up. */
const PAGE = 500;
/** Bytes a viewer may leave unread before it is closed. */
const MAX_VIEWER_BUFFER = 16 * 2 ** 20;

/** A message from the server (not part of the run's chain). */
function serverMessage(runId: string, seq: number, type: string, data: unknown): string {
  return JSON.stringify({ schema: STREAM_SCHEMA, v: 1, run_id: runId, seq, ts_ms: Date.now(), source: 'server', type, data });
}

/** A close reason: at most 123 bytes of UTF-8 (RFC 6455 §5.5), cut on a character boundary. */
function closeReason(why: string): string {
  let out = '';
  for (const ch of why) {
    if (Buffer.byteLength(out + ch) > 123) break;
    out += ch;
  }
  return out;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict', 503: 'Service Unavailable' };
const CODE: Record<number, string> = { 400: 'bad_request', 401: 'unauthorized', 404: 'not_found', 409: 'conflict', 503: 'busy' };

/** The token an ingest connection offers as its second subprotocol, right after LIVE_PROTOCOL. */
function protocolToken(req: IncomingMessage): string | undefined {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  if (offered.length !== 2 || offered[0] !== LIVE_PROTOCOL) return undefined;
  const token = offered[1]!.startsWith(TOKEN_PROTOCOL_PREFIX) ? offered[1]!.slice(TOKEN_PROTOCOL_PREFIX.length) : undefined;
  return token && /^[0-9a-f]{64}$/.test(token) ? token : undefined;
}

/** Answers an upgrade request with an HTTP error, as the API would. */
function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify(errorBody(status, CODE[status]!, message));
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${status === 503 ? 'retry-after: 5\r\n' : ''}connection: close\r\n\r\n${body}`);
}

interface Viewer {
  ws: WebSocket;
  /** The last seq this viewer was sent. */
  sent: number;
  /** Lines that arrived while its backlog was being read. */
  pending: { seq: number; line: string }[] | null;
  /** Whether it was sent server_verified; the rejected submissions it was told of. */
  told: boolean;
  rejectionsTold: Set<string>;
}

interface Ingest {
  chain: EventChain;
  work: Promise<void>;
  /** Bytes of lines received and not yet handled. */
  queuedBytes: number;
  /** Bytes stored so far (-1: not read from the database yet). */
  bytes: number;
}

interface Channel {
  viewers: Set<Viewer>;
  runner: WebSocket | null;
  /** The run's ingest state, shared by its connections: lines are taken in order, the rate is per run. */
  ingest: Ingest | null;
  /** What a snapshot reports, after line `stateSeq`: kept while the run is watched, so a viewer's connect reads only what is new. */
  state: RunState;
  stateSeq: number;
}

const send = (v: Viewer, text: string): void => {
  if (v.ws.bufferedAmount > MAX_VIEWER_BUFFER) v.ws.close(1013, 'too far behind: reconnect with from_seq');
  else v.ws.send(text);
};

export class LiveHub {
  readonly #wss: WebSocketServer;
  readonly #channels = new Map<string, Channel>();
  readonly #poll: NodeJS.Timeout;
  #pushing = false;
  /** Each run's token bucket, kept across its connections (a reconnect does not refill it). */
  readonly #rates = new Map<string, { tokens: number; at: number }>();

  constructor(readonly db: Db, readonly limits: Limits['live']) {
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxEventBytes, handleProtocols: (offered) => (offered.has(LIVE_PROTOCOL) ? LIVE_PROTOCOL : false) });
    // Verdicts are recorded by workers anywhere: watched runs look for theirs in the database.
    this.#poll = setInterval(() => void this.#pushVerdicts().catch(() => {}), 1000);
    this.#poll.unref();
  }

  #channel(runId: string): Channel {
    let ch = this.#channels.get(runId);
    if (!ch) this.#channels.set(runId, (ch = { viewers: new Set(), runner: null, ingest: null, state: new RunState(), stateSeq: 0 }));
    return ch;
  }

  #drop(runId: string): void {
    const ch = this.#channels.get(runId);
    if (ch && !ch.runner && ch.viewers.size === 0) this.#channels.delete(runId);
  }

  /** The HTTP server's 'upgrade' handler. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const m = PATH.exec(url.pathname);
      if (!m || !RunIdSchema.safeParse(m[1]).success) return refuse(socket, 404, 'no live stream at this path: use /api/live/<run_id> or /api/live/<run_id>/ingest');
      const runId = m[1]!;
      const live = await store.liveRun(this.db, runId);
      if (!live) return refuse(socket, 404, `run ${runId} is not registered for a live stream (POST /api/live)`);
      if (m[2]) {
        const token = /^Bearer ([0-9a-f]{64})$/.exec(req.headers.authorization ?? '')?.[1] ?? protocolToken(req);
        const given = token ? Buffer.from(sha256Hex(new TextEncoder().encode(token)), 'hex') : Buffer.alloc(32);
        if (!token || !timingSafeEqual(given, Buffer.from(live.token_sha256, 'hex'))) return refuse(socket, 401, 'a live stream is sent with the Bearer token POST /api/live returned');
        if ((await store.liveVerdicts(this.db, runId)).accepted) return refuse(socket, 409, `run ${runId} is on the board: its stream is closed`);
        this.#wss.handleUpgrade(req, socket, head, (ws) => this.#ingest(ws, live));
      } else {
        const from = url.searchParams.get('from_seq') ?? '0';
        if (!/^[0-9]{1,9}$/.test(from)) return refuse(socket, 400, 'from_seq must be a whole number');
        const ch = this.#channel(runId);
        if (ch.viewers.size >= this.limits.maxViewers) {
          this.#drop(runId);
          return refuse(socket, 503, `run ${runId} has ${ch.viewers.size} viewers, the most it takes`);
        }
        this.#wss.handleUpgrade(req, socket, head, (ws) => this.#watch(ws, runId, Number(from)));
      }
    })().catch((e: unknown) => {
      process.stderr.write(`capseal serve: live: ${e instanceof Error ? e.message : String(e)}\n`);
      socket.destroy();
    });
  }

  #ingest(ws: WebSocket, live: store.LiveRun): void {
    const runId = live.run_id, lim = this.limits;
    const ch = this.#channel(runId);
    ch.runner?.close(4000, 'another connection of this run took over');
    ch.runner = ws;
    const st = (ch.ingest ??= {
      chain: new EventChain({ seq: live.last_seq, head: live.head, tsMs: live.last_ts_ms, runId }),
      work: Promise.resolve(), queuedBytes: 0, bytes: -1,
    });
    let rate = this.#rates.get(runId);
    if (!rate) this.#rates.set(runId, (rate = { tokens: lim.maxEventsPerSecond * 5, at: Date.now() }));
    const bucket = rate;
    let queued = 0, breached = false;
    const breach = (code: number, why: string) => {
      if (breached) return;
      breached = true;
      void store.recordIntakeRejection(this.db, 'live', code, `${runId}: ${why}`).catch(() => {});
      ws.close(code, closeReason(why));
    };
    ws.on('message', (data, isBinary) => {
      if (breached) return;
      const now = Date.now();
      bucket.tokens = Math.min(lim.maxEventsPerSecond * 5, bucket.tokens + ((now - bucket.at) / 1000) * lim.maxEventsPerSecond);
      bucket.at = now;
      if (--bucket.tokens < 0) return breach(1008, `more than ${lim.maxEventsPerSecond} events per second`);
      if (isBinary) return breach(1003, 'events are text frames');
      const line = data.toString();
      const size = Buffer.byteLength(line);
      // Lines waiting to be handled count too: a burst cannot pile up past the run's limit.
      if (Math.max(st.bytes, 0) + st.queuedBytes + size > lim.maxStreamBytes) return breach(1008, `more than ${lim.maxStreamBytes} bytes of events in one run`);
      st.queuedBytes += size;
      queued++;
      st.work = st.work.then(async () => {
        if (breached || ws.readyState !== ws.OPEN) return;
        let seq: unknown;
        try {
          seq = (JSON.parse(line) as { seq?: unknown }).seq;
        } catch {
          // chain.next says why
        }
        if (typeof seq === 'number' && seq <= st.chain.seq) return; // already stored (a resend after reconnecting)
        if (st.chain.seq >= lim.maxEvents) return breach(1008, `more than ${lim.maxEvents} events in one run`);
        if (st.bytes < 0) st.bytes = await store.liveBytes(this.db, runId);
        if (st.bytes + size > lim.maxStreamBytes) return breach(1008, `more than ${lim.maxStreamBytes} bytes of events in one run`);
        let e;
        try {
          e = st.chain.next(line, `event ${st.chain.seq + 1}`);
        } catch (err) {
          return breach(1008, err instanceof EventLogError ? `${err.code}: ${err.message}` : String(err));
        }
        st.bytes += size;
        if (!(await store.appendLive(this.db, runId, e.event.seq, line, e.hash, e.event.ts_ms))) {
          // Another process took this seq: the same line is a resend; a different one is a fork.
          if ((await store.liveLine(this.db, runId, e.event.seq)) !== line) return breach(1008, `a different event is stored at seq ${e.event.seq}`);
          return;
        }
        this.#broadcast(runId, e.event.seq, line);
      }).catch((e: unknown) => {
        // A failure here (the database, a bug) ends this connection, never the process; the run's
        // state is read again from what is stored, since the chain may have moved past it.
        process.stderr.write(`capseal serve: live ${runId}: ${e instanceof Error ? e.message : String(e)}\n`);
        if (ch.ingest === st) ch.ingest = null;
        ws.terminate();
      }).finally(() => {
        st.queuedBytes -= size;
        // Acknowledged whenever the server has caught up: the runner knows what is stored.
        if (--queued === 0 && ws.readyState === ws.OPEN) ws.send(serverMessage(runId, st.chain.seq, 'server_received', { last_seq: st.chain.seq }));
      });
    });
    ws.on('close', () => {
      if (ch.runner !== ws) return;
      ch.runner = null;
      // The state goes once every line in hand is stored; a later connection starts from the database.
      void st.work.then(() => {
        if (!ch.runner) ch.ingest = null;
        this.#drop(runId);
      });
    });
    // ws itself closes a frame over maxPayload with 1009: recorded as every breach is.
    ws.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') breach(1009, `a line over ${lim.maxEventBytes} bytes`);
    });
    // After the lines already in hand, so from_seq is what is stored.
    void st.work.then(() => {
      if (ws.readyState === ws.OPEN) ws.send(serverMessage(runId, st.chain.seq, 'resume_request', { from_seq: st.chain.seq, want_snapshot: false }));
    });
  }

  #broadcast(runId: string, seq: number, line: string): void {
    const ch = this.#channels.get(runId);
    if (ch) this.#advance(ch, seq, line);
    for (const v of ch?.viewers ?? []) {
      if (v.pending) v.pending.push({ seq, line });
      else if (seq === v.sent + 1) {
        send(v, line);
        v.sent = seq;
      } else if (seq > v.sent + 1) v.ws.close(1013, `missed events after ${v.sent}: reconnect with from_seq=${v.sent}`); // stored by another process
    }
  }

  #watch(ws: WebSocket, runId: string, from: number): void {
    const ch = this.#channel(runId);
    const v: Viewer = { ws, sent: from, pending: [], told: false, rejectionsTold: new Set() };
    ch.viewers.add(v);
    ws.on('close', () => {
      ch.viewers.delete(v);
      this.#drop(runId);
    });
    ws.on('error', () => {});
    ws.on('message', () => {}); // viewers only listen
    void this.#catchUp(v, runId).catch((e: unknown) => {
      process.stderr.write(`capseal serve: live ${runId}: ${e instanceof Error ? e.message : String(e)}\n`);
      ws.close(1011, 'the server could not read the stream');
    });
  }

  /** Applies line `seq` to the channel's state if it is the next one. */
  #advance(ch: Channel, seq: number, line: string): void {
    if (seq !== ch.stateSeq + 1) return;
    ch.state.apply(JSON.parse(line) as StreamEvent);
    ch.stateSeq = seq;
  }

  /** The snapshot (the state after every stored line), then the stored lines after `v.sent`, page by page, then what came meanwhile. */
  async #catchUp(v: Viewer, runId: string): Promise<void> {
    const ch = this.#channel(runId);
    for (let page; (page = await store.liveLines(this.db, runId, ch.stateSeq, PAGE)).length; )
      for (const { seq, line } of page) this.#advance(ch, seq, line);
    send(v, serverMessage(runId, ch.stateSeq, 'state_snapshot', ch.state.snapshot(ch.stateSeq)));
    for (let page; v.ws.readyState === v.ws.OPEN && (page = await store.liveLines(this.db, runId, v.sent, PAGE)).length; )
      for (const { seq, line } of page) (send(v, line), (v.sent = seq));
    for (const { seq, line } of v.pending!) if (seq > v.sent) (send(v, line), (v.sent = seq));
    v.pending = null;
  }

  async #pushVerdicts(): Promise<void> {
    if (this.#pushing) return; // the last pass is still going
    this.#pushing = true;
    try {
      await this.#pushVerdictsOnce();
    } finally {
      this.#pushing = false;
    }
  }

  async #pushVerdictsOnce(): Promise<void> {
    for (const [runId, ch] of this.#channels) {
      const waiting = [...ch.viewers].filter((v) => !v.told && !v.pending);
      if (!waiting.length) continue;
      const { accepted, rejected } = await store.liveVerdicts(this.db, runId);
      const last = (await store.liveRun(this.db, runId))?.last_seq ?? 0;
      for (const v of waiting) {
        for (const r of rejected)
          if (!v.rejectionsTold.has(r.id)) {
            v.rejectionsTold.add(r.id);
            send(v, serverMessage(runId, last, 'submission_rejected', { submission_id: r.id, code: r.code, message: r.message }));
          }
        if (accepted && !v.told) {
          v.told = true;
          send(v, serverMessage(runId, last, 'server_verified', { status: 'accepted', ...accepted }));
        }
      }
    }
  }

  close(): void {
    clearInterval(this.#poll);
    // A close frame first; a peer that does not answer within a second is cut (ws would wait 30 s).
    for (const ws of this.#wss.clients) {
      ws.close(1001, 'the server is stopping: reconnect later');
      setTimeout(() => ws.terminate(), 1000).unref();
    }
    this.#wss.close();
  }
}
