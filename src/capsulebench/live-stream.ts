/**
 * A run's events, streamed to a leaderboard server as they are written (seed 001; src/server/live.ts
 * is the other end): `bench run --stream URL` and a run made in the web app. The run registers with
 * POST /api/live for a token, then sends its event lines over a WebSocket that carries the token as a
 * subprotocol (LIVE_PROTOCOL, then "capseal.token.<token>": a browser cannot set headers on a
 * WebSocket). The server opens with resume_request {from_seq}: the runner sends every line after it,
 * so a dropped connection is re-opened and resumes without gaps or repeats. Streaming never slows or
 * fails the run: lines are kept in memory and sent when the socket allows; at the end the runner
 * waits (a bounded time) until the server acknowledges the last line. Browser-safe: the caller
 * supplies the WebSocket (the browser's, or `ws` in Node).
 *
 * @module
 */

/** The subprotocol of the ingest socket; the token follows as a second one. */
export const LIVE_PROTOCOL = 'capseal.live.v1';
export const TOKEN_PROTOCOL_PREFIX = 'capseal.token.';

/** One ingest connection as the streamer drives it. */
export interface LiveSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  readonly open: boolean;
}

/** Opens a WebSocket; `on.close` tells the HTTP status when the server refused the upgrade and the runtime says so. */
export type ConnectLive = (url: URL, protocols: string[], on: { open(): void; message(text: string): void; close(code: number, reason: string, refusedStatus?: number): void }) => LiveSocket;

/** The browser's WebSocket as a ConnectLive (a browser does not tell why an upgrade was refused). */
export const connectLiveBrowser: ConnectLive = (url, protocols, on) => {
  const ws = new WebSocket(url, protocols);
  ws.onopen = () => on.open();
  ws.onmessage = (e: MessageEvent) => {
    if (typeof e.data === 'string') on.message(e.data);
  };
  ws.onclose = (e: CloseEvent) => on.close(e.code, e.reason);
  return {
    send: (text) => ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    get open() {
      return ws.readyState === WebSocket.OPEN;
    },
  };
};

/** Why a request never reached the server, in a line (fetch puts the system's reason in `cause`). */
export function unreachable(origin: string, e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return `cannot reach ${origin}: ${cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ')}`;
}

/** A timer that does not keep a Node process alive (browsers have no such notion). */
const later = (fn: () => void, ms: number): void => void (setTimeout(fn, ms) as unknown as { unref?(): void }).unref?.();

/** Failed attempts in a row (registering or connecting) before the stream gives up: about a minute. */
const MAX_RETRIES = 15;

export interface StreamReport {
  runId: string | null;
  sent: number;
  acknowledged: number;
  error: string | null;
}

export class LiveStreamer {
  readonly #base: URL;
  readonly #lines: string[] = [];
  #runId: string | null = null;
  #token: string | null = null;
  #ws: LiveSocket | null = null;
  /** The last seq the server has (from resume_request or server_received). */
  #acked = 0;
  /** The last seq sent on the current connection. */
  #sent = 0;
  /** Whether the current connection has had its resume_request: nothing is sent before it. */
  #resumed = false;
  #error: string | null = null;
  #closing = false;
  #retries = 0;
  #waiters: (() => void)[] = [];

  constructor(server: URL, private readonly say: (m: string) => void, private readonly connectLive: ConnectLive) {
    this.#base = server;
  }

  /** One line of events.jsonl, as the runner writes it. */
  line(line: string): void {
    this.#lines.push(line);
    if (this.#runId === null && this.#error === null) {
      try {
        this.#runId = (JSON.parse(line) as { run_id: string }).run_id;
      } catch {
        this.#error = 'the first event has no run_id';
        return;
      }
      void this.#register();
    } else this.#pump();
  }

  /** Registers the run; a server that is starting, busy or out of reach is tried again, a refusal is final. */
  async #register(): Promise<void> {
    for (;;) {
      let r: Response | undefined, why: string;
      try {
        r = await fetch(new URL('/api/live', this.#base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run_id: this.#runId }) });
        const body = (await r.json().catch(() => ({}))) as { token?: string; error?: { message?: string } };
        if (r.status === 201 && body.token) {
          this.#token = body.token;
          this.say(`  streaming to ${new URL(`/api/live/${this.#runId}`, this.#base).href.replace(/^http/, 'ws')}`);
          this.say(`  watch it at ${new URL(`/live/${this.#runId}`, this.#base).href}`);
          return this.#connect();
        }
        why = `the server refused the live stream (${r.status}): ${body.error?.message ?? r.statusText}`;
      } catch (e) {
        why = unreachable(this.#base.origin, e);
      }
      if ((r && r.status < 500) || !this.#retry()) return this.#fail(why);
      await new Promise<void>((resolve) => later(resolve, this.#backoff()));
    }
  }

  /** Whether another attempt is allowed (a few, with growing waits, after each failure in a row). */
  #retry(): boolean {
    return ++this.#retries <= MAX_RETRIES && !this.#closing;
  }

  #backoff(): number {
    return Math.min(5000, 250 * 2 ** this.#retries);
  }

  #connect(): void {
    const url = new URL(`/api/live/${this.#runId}/ingest`, this.#base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#resumed = false;
    const ws: LiveSocket = this.connectLive(url, [LIVE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${this.#token}`], {
      open: () => {},
      message: (text) => {
        let m: { type?: string; data?: { from_seq?: number; last_seq?: number } };
        try {
          m = JSON.parse(text) as typeof m;
        } catch {
          return;
        }
        if (m.type === 'resume_request') {
          this.#retries = 0;
          this.#acked = this.#sent = Math.min(m.data?.from_seq ?? 0, this.#lines.length);
          this.#resumed = true;
          this.#pump();
        } else if (m.type === 'server_received') {
          this.#acked = Math.max(this.#acked, m.data?.last_seq ?? 0);
          this.#notify();
        }
      },
      close: (code, why, refused) => {
        if (this.#ws !== ws) return;
        this.#ws = null;
        if (this.#closing || this.#error) return this.#notify();
        // A refusal (401, 404, 409) or a breach of the server's limits is final; a server that is
        // starting, stopping or out of reach is tried again.
        if (refused !== undefined && refused < 500) return this.#fail(`the server refused the live connection (${refused})`);
        if (code === 1008 || code === 1009 || code === 1003) return this.#fail(`the server closed the live stream: ${why || code}`);
        if (!this.#retry()) return this.#fail(`the live stream could not be re-opened after ${MAX_RETRIES} tries`);
        later(() => this.#connect(), this.#backoff());
      },
    });
    this.#ws = ws;
  }

  #pump(): void {
    const ws = this.#ws;
    if (!ws || !ws.open || !this.#resumed) return;
    while (this.#sent < this.#lines.length) ws.send(this.#lines[this.#sent++]!);
  }

  #fail(message: string): void {
    if (this.#error) return;
    this.#error = message;
    this.say(`  live stream stopped: ${message} (the run goes on)`);
    this.#notify();
  }

  #notify(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Waits until the server has every line (or `timeoutMs` passes, or the stream failed), then closes. */
  async finish(timeoutMs: number): Promise<StreamReport> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#error && this.#runId !== null && this.#acked < this.#lines.length && Date.now() < deadline)
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, Math.min(250, Math.max(0, deadline - Date.now())));
      });
    this.#closing = true;
    this.#ws?.close(1000, 'run finished');
    if (!this.#error && this.#acked < this.#lines.length) this.#error = `the server acknowledged ${this.#acked} of ${this.#lines.length} events within ${timeoutMs / 1000} s`;
    return { runId: this.#runId, sent: this.#lines.length, acknowledged: this.#acked, error: this.#error };
  }
}
