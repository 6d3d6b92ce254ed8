// The live run stream (seed 001 "WebSocket event schema", "Server-side behavior"; DESIGN.md "Server").
//   ingest  /api/live/<run_id>/ingest, "Authorization: Bearer <token>" from POST /api/live: the
//           runner's event lines. On connect the server says where it stands — a resume_request
//           with from_seq = the last seq it stored — and the runner sends every line after it. Each
//           line is checked as the pack verifier checks events.jsonl (canonical, typed, seq + 1, the
//           hash chain, time never back) before it is stored; a repeat of a stored seq is ignored.
//           Limits: bytes per line, lines per second (a token bucket), lines per run; a breach
//           closes the connection with 1008/1009 and a reason, and is recorded.
//   watch   /api/live/<run_id>?from_seq=N: a state_snapshot the server makes from the stored lines,
//           then every stored line after N, then live ones, in order, without gaps or repeats; and
//           server_verified once the run's pack has its verdict.
// Server messages use the stream's envelope with source "server" and no prev_event_hash (they are
// not part of the run's chain). Once the pack is submitted, the stored lines must be its
// events.jsonl line for line, or the run is marked inconsistent (./store.ts).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { RunIdSchema } from '../capsule/capsule.js';
import { EventChain, EventLogError, RunState, STREAM_SCHEMA, type StreamEvent } from '../capsulebench/events.js';
import { sha256Hex } from '../hash/digest.js';
import type { Limits } from './api.js';
import type { Db } from './db.js';
import * as store from './store.js';

const PATH = /^\/api\/live\/([A-Za-z0-9_]{1,64})(\/ingest)?$/;

/** A message from the server (not part of the run's chain). */
export function serverMessage(runId: string, seq: number, type: string, data: unknown): string {
  return JSON.stringify({ schema: STREAM_SCHEMA, v: 1, run_id: runId, seq, ts_ms: Date.now(), source: 'server', type, data });
}

interface Viewer {
  ws: WebSocket;
  /** The last seq this viewer was sent. */
  sent: number;
  /** Lines that arrived while its backlog was being read. */
  pending: { seq: number; line: string }[] | null;
  /** Whether it was sent server_verified. */
  told: boolean;
}

interface Channel {
  viewers: Set<Viewer>;
  runner: WebSocket | null;
}

function reject(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: { status, code: status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : 'bad_request', message } });
  socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

export class LiveHub {
  readonly #wss: WebSocketServer;
  readonly #channels = new Map<string, Channel>();
  readonly #poll: NodeJS.Timeout;

  constructor(readonly db: Db, readonly limits: Limits['live']) {
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxEventBytes });
    // Verdicts are recorded by workers anywhere: watched runs look for theirs in the database.
    this.#poll = setInterval(() => void this.#pushVerdicts(), 1000);
    this.#poll.unref();
  }

  #channel(runId: string): Channel {
    let ch = this.#channels.get(runId);
    if (!ch) this.#channels.set(runId, (ch = { viewers: new Set(), runner: null }));
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
      if (!m || !RunIdSchema.safeParse(m[1]).success) return reject(socket, 404, 'no live stream at this path: use /api/live/<run_id> or /api/live/<run_id>/ingest');
      const runId = m[1]!;
      const live = await store.liveRun(this.db, runId);
      if (!live) return reject(socket, 404, `run ${runId} is not registered for a live stream (POST /api/live)`);
      if (m[2]) {
        const token = /^Bearer ([0-9a-f]{64})$/.exec(req.headers.authorization ?? '')?.[1];
        const given = token ? Buffer.from(sha256Hex(new TextEncoder().encode(token)), 'hex') : Buffer.alloc(32);
        if (!token || !timingSafeEqual(given, Buffer.from(live.token_sha256, 'hex'))) return reject(socket, 401, 'a live stream is sent with the Bearer token POST /api/live returned');
        this.#wss.handleUpgrade(req, socket, head, (ws) => void this.#ingest(ws, live));
      } else {
        const from = url.searchParams.get('from_seq') ?? '0';
        if (!/^[0-9]{1,9}$/.test(from)) return reject(socket, 400, 'from_seq must be a whole number');
        const ch = this.#channel(runId);
        if (ch.viewers.size >= this.limits.maxViewers) return reject(socket, 400, `run ${runId} has ${ch.viewers.size} viewers, the most it takes`);
        this.#wss.handleUpgrade(req, socket, head, (ws) => void this.#watch(ws, runId, Number(from)));
      }
    })().catch((e: unknown) => {
      process.stderr.write(`capseal serve: live: ${e instanceof Error ? e.message : String(e)}\n`);
      socket.destroy();
    });
  }

  async #ingest(ws: WebSocket, live: store.LiveRun): Promise<void> {
    const runId = live.run_id;
    const ch = this.#channel(runId);
    ch.runner?.close(4000, 'another connection of this run took over');
    ch.runner = ws;
    const chain = new EventChain({ seq: live.last_seq, head: live.head, tsMs: live.last_ts_ms, runId });
    let tokens = this.limits.maxEventsPerSecond * 5, at = Date.now();
    let work = Promise.resolve(), queued = 0;
    const breach = (code: number, why: string) => {
      void store.recordIntakeRejection(this.db, 'live', code, `${runId}: ${why}`).catch(() => {});
      ws.close(code, why.slice(0, 120));
    };
    ws.on('message', (data, isBinary) => {
      // A token bucket: bursts of five seconds' worth (a runner flushes what a timed proof held), then the rate.
      const now = Date.now();
      tokens = Math.min(this.limits.maxEventsPerSecond * 5, tokens + ((now - at) / 1000) * this.limits.maxEventsPerSecond);
      at = now;
      if (--tokens < 0) return breach(1008, `more than ${this.limits.maxEventsPerSecond} events per second`);
      if (isBinary) return breach(1003, 'events are text frames');
      const line = data.toString();
      queued++;
      work = work.then(async () => {
        if (ws.readyState !== ws.OPEN) return;
        let seq: number | undefined;
        try {
          seq = (JSON.parse(line) as { seq?: unknown }).seq as number;
        } catch {
          // chain.next says why
        }
        if (typeof seq === 'number' && seq <= chain.seq) return; // already stored (a resend after reconnecting)
        if (chain.seq >= this.limits.maxEvents) return breach(1008, `more than ${this.limits.maxEvents} events in one run`);
        let e;
        try {
          e = chain.next(line, `event ${chain.seq + 1}`);
        } catch (err) {
          return breach(1008, err instanceof EventLogError ? `${err.code}: ${err.message}` : String(err));
        }
        if (!(await store.appendLive(this.db, runId, e.event.seq, line, e.hash, e.event.ts_ms))) return breach(1008, 'another connection stored this seq first');
        this.#broadcast(runId, e.event.seq, line);
      }).finally(() => {
        // Acknowledged whenever the server has caught up: the runner knows what is stored.
        if (--queued === 0 && ws.readyState === ws.OPEN) ws.send(serverMessage(runId, chain.seq, 'server_received', { last_seq: chain.seq }));
      });
    });
    ws.on('close', () => {
      if (ch.runner === ws) ch.runner = null;
      this.#drop(runId);
    });
    ws.on('error', () => {});
    ws.send(serverMessage(runId, live.last_seq, 'resume_request', { from_seq: live.last_seq, want_snapshot: false }));
  }

  #broadcast(runId: string, seq: number, line: string): void {
    for (const v of this.#channels.get(runId)?.viewers ?? []) {
      if (v.pending) v.pending.push({ seq, line });
      else if (seq > v.sent) {
        v.ws.send(line);
        v.sent = seq;
      }
    }
  }

  async #watch(ws: WebSocket, runId: string, from: number): Promise<void> {
    const ch = this.#channel(runId);
    const v: Viewer = { ws, sent: from, pending: [], told: false };
    ch.viewers.add(v);
    ws.on('close', () => {
      ch.viewers.delete(v);
      this.#drop(runId);
    });
    ws.on('error', () => {});
    ws.on('message', () => {}); // viewers only listen
    // The snapshot is the state after every stored line; the lines after `from` follow it.
    const stored = await store.liveLines(this.db, runId, 0);
    const state = new RunState();
    for (const { line } of stored) state.apply(JSON.parse(line) as StreamEvent);
    const last = stored.length ? stored[stored.length - 1]!.seq : 0;
    ws.send(serverMessage(runId, last, 'state_snapshot', state.snapshot(last)));
    for (const { seq, line } of stored) if (seq > v.sent) (ws.send(line), (v.sent = seq));
    for (const { seq, line } of v.pending!) if (seq > v.sent) (ws.send(line), (v.sent = seq));
    v.pending = null;
  }

  async #pushVerdicts(): Promise<void> {
    for (const [runId, ch] of this.#channels) {
      const waiting = [...ch.viewers].filter((v) => !v.told && !v.pending);
      if (!waiting.length) continue;
      const r = await this.db.query<{ id: string; status: string; tier: string | null; code: string | null; message: string | null; checks: unknown }>(
        `SELECT id, status, tier, code, message, checks FROM submissions WHERE claimed_run_id = $1 AND status IN ('accepted', 'rejected') ORDER BY verified_at DESC LIMIT 1`,
        [runId],
      ).catch(() => null);
      const s = r?.rows[0];
      if (!s) continue;
      const runRow = await this.db.query<{ live_status: string | null }>('SELECT live_status FROM runs WHERE run_id = $1', [runId]).catch(() => null);
      const msg = serverMessage(runId, 0, 'server_verified', {
        status: s.status, tier: s.tier, code: s.code, message: s.message, checks: s.checks, submission_id: s.id, live_status: runRow?.rows[0]?.live_status ?? null,
      });
      for (const v of waiting) (v.ws.send(msg), (v.told = true));
    }
  }

  close(): void {
    clearInterval(this.#poll);
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }
}
