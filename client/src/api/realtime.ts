/**
 * The browser's one WebSocket to Plenary (`/ws`): requests matched to replies
 * by numeric id, server pushes dispatched by `t`, and reconnection with
 * exponential backoff and jitter. Framework-free so it runs under Node in tests;
 * `shell/realtime-context.tsx` adapts it to Solid.
 */
import type { FieldError } from './http.ts';

export type RealtimeStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Close codes the server uses; 1000–2999 are WebSocket's, 4000+ are Plenary's. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  FrameTooBig: 1009,
  Unauthorized: 4401,
  Banned: 4403,
  HeartbeatTimeout: 4408,
  RateLimited: 4429,
  /** This account or address has as many sockets open as the server allows (other tabs). */
  TooManyConnections: 4430,
  /** Sent by this client when a heartbeat got no reply: the link is presumed dead. */
  ClientHeartbeatLost: 4000,
} as const;

// Reconnecting cannot fix these: the user must sign in again or is banned.
const terminalCloseCodes = new Set<number>([CloseCode.Unauthorized, CloseCode.Banned]);

export type SysHello = { t: 'sys.hello'; connectionId: string; heartbeatMs: number; serverTime: number };

/**
 * Server pushes by `t`. Feature modules add theirs by declaration merging:
 * `declare module '../api/realtime.ts' { interface RealtimePushes { 'chat.message': ChatMessage } }`.
 */
export interface RealtimePushes {
  'sys.hello': SysHello;
}

/** Requests by `t`: what the client sends and what `ok` carries back. Extended like {@link RealtimePushes}. */
export interface RealtimeRequests {
  'sys.ping': { payload: Record<string, never>; reply: { serverTime?: number } };
}

/**
 * A request that got no `ok`. `code` is the server's error code, or the
 * client's own: `timeout`, `connection_lost` (the socket dropped before the
 * reply; the server may or may not have acted), `not_connected`, `closed`.
 */
export class RealtimeError extends Error {
  override readonly name = 'RealtimeError';
  readonly code: string;
  readonly fields: FieldError[];

  constructor(code: string, message: string, fields: FieldError[] = []) {
    super(message);
    this.code = code;
    this.fields = fields;
  }
}

export type RealtimeOptions = {
  /** Absolute ws:// or wss:// URL; see {@link realtimeUrl}. */
  url: string;
  /** WebSocket implementation. Default: the global one (browsers, Node ≥ 22). */
  WebSocket?: typeof WebSocket;
  /** How long a request waits for its reply, queueing included. Default 10_000 ms. */
  requestTimeoutMs?: number;
  /** First reconnect delay before jitter. Default 500 ms. */
  initialBackoffMs?: number;
  /** Ceiling of the reconnect delay. Default 30_000 ms. */
  maxBackoffMs?: number;
  /** Least wait after the server closed with 4429 (rate limited). Default 5_000 ms. */
  rateLimitedBackoffMs?: number;
  /** A connection open this long counts as healthy and resets the backoff. Default 10_000 ms. */
  stableAfterMs?: number;
  /** Source of jitter, replaceable in tests. Default Math.random. */
  random?: () => number;
};

/** `/ws` on the page's own host, `wss:` when the page came over HTTPS. */
export function realtimeUrl(page: { protocol: string; host: string }): string {
  return `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}/ws`;
}

/**
 * How long to wait before reconnect attempt number `attempt` (0-based).
 * "Equal jitter": half of the exponential step is fixed, half random, so a
 * server restart does not bring every tab back in the same millisecond, and
 * no retry comes instantly.
 */
export function reconnectDelay(
  attempt: number,
  closeCode: number,
  options: Pick<Required<RealtimeOptions>, 'initialBackoffMs' | 'maxBackoffMs' | 'rateLimitedBackoffMs' | 'random'>,
): number {
  const step = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** attempt);
  const delay = step / 2 + options.random() * (step / 2);
  const limited = closeCode === CloseCode.RateLimited || closeCode === CloseCode.TooManyConnections;
  return limited ? Math.max(delay, options.rateLimitedBackoffMs) : delay;
}

type PendingRequest = {
  frame: string;
  // Whether the frame went out on the current socket (else it waits for the next open).
  sent: boolean;
  resolve: (data: unknown) => void;
  reject: (error: RealtimeError) => void;
  timer: ReturnType<typeof setTimeout>;
};

type Listener = (push: never) => void;

export class RealtimeClient {
  readonly #options: Required<RealtimeOptions>;
  // The live socket, or null between connections.
  #socket: WebSocket | null = null;
  #status: RealtimeStatus = 'closed';
  // Set once close() was called or the server closed with a terminal code.
  #stopped = true;
  // Failed attempts since the last stable connection; drives the backoff.
  #attempt = 0;
  #nextId = 1;
  readonly #pending = new Map<number, PendingRequest>();
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #statusListeners = new Set<(status: RealtimeStatus) => void>();
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #openedAt = 0;
  #lastClose: { code: number; reason: string } | null = null;

  constructor(options: RealtimeOptions) {
    this.#options = {
      WebSocket: globalThis.WebSocket,
      requestTimeoutMs: 10_000,
      initialBackoffMs: 500,
      maxBackoffMs: 30_000,
      rateLimitedBackoffMs: 5_000,
      stableAfterMs: 10_000,
      random: Math.random,
      ...options,
    };
  }

  get status(): RealtimeStatus {
    return this.#status;
  }

  /** Code and reason of the last close, e.g. to tell "signed out" (4401) from "offline". */
  get lastClose(): { code: number; reason: string } | null {
    return this.#lastClose;
  }

  /** Starts connecting; calling it while already started does nothing. */
  connect(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#attempt = 0;
    this.#open('connecting');
  }

  /** Closes for good: no reconnect, every waiting request rejects. Safe to call twice. */
  close(): void {
    if (this.#stopped && !this.#socket) return;
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    this.#stopHeartbeat();
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(CloseCode.Normal);
    this.#rejectPending(() => true, 'closed', 'The realtime connection was closed.');
    this.#setStatus('closed');
  }

  /** Skips the rest of the backoff wait, e.g. when the browser comes back online. */
  reconnectNow(): void {
    if (this.#status !== 'reconnecting' || this.#socket) return;
    clearTimeout(this.#reconnectTimer);
    this.#open('reconnecting');
  }

  /** Sends a request and resolves with the `data` of its `ok` reply; waits for a connection if there is none yet. */
  request<K extends keyof RealtimeRequests>(t: K, payload: RealtimeRequests[K]['payload']): Promise<RealtimeRequests[K]['reply']> {
    if (this.#stopped) {
      return Promise.reject(new RealtimeError('not_connected', 'The realtime connection is closed.'));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new RealtimeError('timeout', `No reply to ${t} within ${this.#options.requestTimeoutMs} ms.`));
      }, this.#options.requestTimeoutMs);
      const frame = JSON.stringify({ ...payload, t, id });
      const pending: PendingRequest = { frame, sent: false, resolve: resolve as (data: unknown) => void, reject, timer };
      this.#pending.set(id, pending);
      if (this.#status === 'open') this.#transmit(pending);
    });
  }

  /** Calls `listener` for every server push of type `t`; returns the unsubscribe function. */
  on<K extends keyof RealtimePushes>(t: K, listener: (push: RealtimePushes[K]) => void): () => void {
    let set = this.#listeners.get(t);
    if (!set) this.#listeners.set(t, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  /** Calls `listener` on every status change; returns the unsubscribe function. */
  onStatus(listener: (status: RealtimeStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  #open(status: 'connecting' | 'reconnecting'): void {
    this.#setStatus(status);
    const socket = new this.#options.WebSocket(this.#options.url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#openedAt = Date.now();
      this.#setStatus('open');
      for (const pending of this.#pending.values()) this.#transmit(pending);
    };
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onclose = (event) => {
      if (this.#socket !== socket) return; // A socket we already let go of.
      this.#socket = null;
      this.#handleClose(event.code, event.reason);
    };
    // An error is always followed by close, which is where recovery happens.
    socket.onerror = () => {};
  }

  #handleClose(code: number, reason: string): void {
    this.#lastClose = { code, reason };
    this.#stopHeartbeat();
    // Replies to frames sent on this socket will never come.
    this.#rejectPending((p) => p.sent, 'connection_lost', 'The connection dropped before the server replied.');
    if (this.#stopped) return;
    if (terminalCloseCodes.has(code)) {
      this.#stopped = true;
      this.#rejectPending(() => true, 'closed', reason || 'The server ended the realtime connection.');
      this.#setStatus('closed');
      return;
    }
    if (this.#openedAt && Date.now() - this.#openedAt >= this.#options.stableAfterMs) this.#attempt = 0;
    this.#openedAt = 0;
    this.#setStatus('reconnecting');
    const delay = reconnectDelay(this.#attempt++, code, this.#options);
    this.#reconnectTimer = setTimeout(() => this.#open('reconnecting'), delay);
  }

  #receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: { t?: unknown; id?: unknown; data?: unknown; code?: unknown; message?: unknown; fields?: unknown };
    try {
      frame = JSON.parse(data);
    } catch {
      return; // The server only sends JSON; anything else is noise.
    }
    if (typeof frame !== 'object' || frame === null || typeof frame.t !== 'string') return;
    if (typeof frame.id === 'number' && (frame.t === 'ok' || frame.t === 'error')) {
      const pending = this.#pending.get(frame.id);
      if (!pending) return; // Reply to a request that already timed out.
      this.#pending.delete(frame.id);
      clearTimeout(pending.timer);
      if (frame.t === 'ok') pending.resolve(frame.data);
      else {
        const fields = Array.isArray(frame.fields) ? (frame.fields as FieldError[]) : [];
        pending.reject(new RealtimeError(String(frame.code ?? 'error'), String(frame.message ?? 'Request failed.'), fields));
      }
      return;
    }
    if (frame.t === 'sys.hello') this.#startHeartbeat((frame as SysHello).heartbeatMs);
    for (const listener of this.#listeners.get(frame.t) ?? []) {
      try {
        (listener as (push: unknown) => void)(frame);
      } catch (error) {
        // One broken feature must not stop the others from hearing the push.
        console.error(`realtime: listener for ${frame.t} threw`, error);
      }
    }
  }

  // The server checks liveness with protocol pings that the browser answers
  // on its own, out of the page's sight. Our own ping each heartbeat lets the
  // page notice a dead link (sleeping laptop, dropped NAT entry) long before TCP would.
  #startHeartbeat(heartbeatMs: number): void {
    this.#stopHeartbeat();
    if (!(heartbeatMs > 0)) return;
    const socket = this.#socket;
    this.#heartbeatTimer = setInterval(() => {
      this.request('sys.ping', {}).catch((error: RealtimeError) => {
        if (error.code !== 'timeout' || !socket || this.#socket !== socket) return;
        // Don't wait for a closing handshake that a dead link will never complete.
        this.#socket = null;
        socket.close(CloseCode.ClientHeartbeatLost, 'heartbeat lost');
        this.#handleClose(CloseCode.ClientHeartbeatLost, 'heartbeat lost');
      });
    }, heartbeatMs);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
  }

  #transmit(pending: PendingRequest): void {
    if (pending.sent || !this.#socket) return;
    this.#socket.send(pending.frame);
    pending.sent = true;
  }

  #rejectPending(which: (pending: PendingRequest) => boolean, code: string, message: string): void {
    for (const [id, pending] of this.#pending) {
      if (!which(pending)) continue;
      this.#pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(new RealtimeError(code, message));
    }
  }

  #setStatus(status: RealtimeStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.#statusListeners) listener(status);
  }
}
