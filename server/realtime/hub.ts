/**
 * The WebSocket endpoint: accepts `/ws` upgrades, keeps connections alive with pings,
 * limits their rate and frame size, and turns frames into validated handler calls that
 * are answered exactly once.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { LRUCache } from "lru-cache";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import type { Config } from "../config/index.ts";
import { AppError, fieldProblems } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import * as Close from "./close-codes.ts";
import { type ConnectionUser, type RealtimeConnection, type RealtimeGate, UpgradeRefused } from "./connection.ts";
import { type ErrorReply, envelopeSchema, type HelloPush, type ServerFrame } from "./protocol.ts";
import type { MessageRouter } from "./router.ts";
import { TokenBucket } from "./token-bucket.ts";

export const WS_PATH = "/ws";

type HubOptions = {
  config: Config["realtime"];
  router: MessageRouter;
  log: Logger;
  metrics: Metrics;
  /** Authenticates upgrades and authorizes messages (the accounts module provides it). */
  gate: RealtimeGate;
  /** Take the client's address from X-Forwarded-For (config `http.trust_proxy`); default false. */
  trustProxy?: boolean;
};

/** What a connection asks of the hub about limits shared with the person's other sockets. */
type SharedLimits = {
  /** 0 when the person may write now (a token was taken), else milliseconds to wait. */
  takeWrite(connection: Connection): number;
};

export class RealtimeHub {
  // Connections by id.
  readonly #connections = new Map<string, Connection>();
  // The ws server in noServer mode: Fastify's HTTP server hands us the upgrades.
  readonly #wss: WebSocketServer;
  readonly #options: HubOptions;
  // Set once close() starts; new upgrades are refused from then on.
  #closing = false;
  // Open connections by user id and by network address, for the caps on each.
  readonly #perUser = new Map<string, number>();
  readonly #perAddress = new Map<string, number>();
  // Write budgets by person (user id), shared by all their sockets; kept a while after they
  // disconnect, so closing every socket and opening new ones does not refill it.
  readonly #writeBudgets = new LRUCache<string, TokenBucket>({ max: 100_000 });

  constructor(options: HubOptions) {
    this.#options = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.config.max_frame_bytes,
      perMessageDeflate: false,
    });
  }

  get size(): number {
    return this.#connections.size;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname !== WS_PATH || this.#closing) {
      socket.end(`HTTP/1.1 ${this.#closing ? "503 Service Unavailable" : "404 Not Found"}\r\nConnection: close\r\n\r\n`);
      return;
    }
    // The socket may be reset while the gate looks up the session.
    socket.on("error", () => socket.destroy());
    this.#options.gate.admit(request).then(
      (user) => {
        if (this.#closing || socket.destroyed) {
          socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n");
          return;
        }
        this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, user, this.#addressOf(request)));
      },
      (error: unknown) => {
        if (error instanceof UpgradeRefused) {
          const status = error.status === 401 ? "401 Unauthorized" : "403 Forbidden";
          socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${error.message}`);
          return;
        }
        this.#options.log.error({ err: error }, "websocket upgrade failed");
        socket.end("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n");
      },
    );
  }

  /**
   * Closes every open connection of a user (ban, log out everywhere), including anonymous
   * ones that act for them with a room join token; returns how many.
   */
  closeUser(userId: string, code: Close.CloseCode): number {
    return this.#closeWhere((c) => c.user?.id === userId || c.actsFor(userId), code);
  }

  /** Closes the connections opened with any of these sessions; returns how many. */
  closeSessions(sessionIds: readonly string[], code: Close.CloseCode): number {
    const ids = new Set(sessionIds);
    return this.#closeWhere((c) => c.user?.sessionId != null && ids.has(c.user.sessionId), code);
  }

  #closeWhere(match: (c: Connection) => boolean, code: Close.CloseCode): number {
    let closed = 0;
    for (const connection of this.#connections.values()) {
      if (!match(connection)) continue;
      connection.close(code);
      closed += 1;
    }
    return closed;
  }

  /** Closes every connection with the given code and waits (bounded) for them to go. */
  async close(code: Close.CloseCode = Close.GoingAway, waitMs = 2_000): Promise<void> {
    this.#closing = true;
    const gone = [...this.#connections.values()].map((c) => c.closed);
    for (const connection of this.#connections.values()) connection.close(code);
    await Promise.race([Promise.all(gone), new Promise((r) => setTimeout(r, waitMs).unref())]);
    for (const connection of this.#connections.values()) connection.terminate();
    this.#wss.close();
  }

  #accept(ws: WebSocket, user: ConnectionUser | null, address: string) {
    const { config, metrics } = this.#options;
    // The newest socket over a cap is the one refused: the tabs already open keep working.
    const overUser = user !== null && (this.#perUser.get(user.id) ?? 0) >= config.max_sockets_per_user;
    if (overUser || (this.#perAddress.get(address) ?? 0) >= config.max_sockets_per_address) {
      metrics.wsClosed.inc({ code: String(Close.TooManyConnections.code) });
      ws.close(Close.TooManyConnections.code, Close.TooManyConnections.reason);
      return;
    }
    const connection = new Connection(ws, user, address, this.#options, { takeWrite: (c) => this.#takeWrite(c) });
    this.#connections.set(connection.id, connection);
    metrics.wsConnections.inc();
    if (user) count(this.#perUser, user.id, 1);
    count(this.#perAddress, address, 1);
    void connection.closed.then(() => {
      this.#connections.delete(connection.id);
      metrics.wsConnections.dec();
      if (user) count(this.#perUser, user.id, -1);
      count(this.#perAddress, address, -1);
    });
    connection.send({
      t: "sys.hello",
      connectionId: connection.id,
      heartbeatMs: this.#options.config.heartbeat_interval_ms,
      serverTime: Date.now(),
    } satisfies HelloPush);
  }

  #takeWrite(connection: Connection): number {
    // Writes need a signed-in user (the policy says so); an anonymous socket is its own person.
    const person = connection.user?.id ?? `connection:${connection.id}`;
    let budget = this.#writeBudgets.get(person);
    if (!budget) {
      budget = new TokenBucket(this.#options.config.user_writes_per_second, this.#options.config.user_write_burst);
      this.#writeBudgets.set(person, budget);
    }
    return budget.take() ? 0 : budget.msUntilNext();
  }

  /** The client's address: the socket's peer, or the first X-Forwarded-For hop behind a trusted proxy. */
  #addressOf(request: IncomingMessage): string {
    const forwarded = this.#options.trustProxy ? request.headers["x-forwarded-for"] : undefined;
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    return first || request.socket.remoteAddress || "unknown";
  }
}

/** Adds `delta` to a counter in a map, dropping it at zero so the map holds only live keys. */
function count(counts: Map<string, number>, key: string, delta: number) {
  const next = (counts.get(key) ?? 0) + delta;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

class Connection implements RealtimeConnection {
  readonly id = randomUUID();
  readonly user: ConnectionUser | null;
  readonly address: string;
  /** Resolves when the socket has closed, whoever closed it. */
  readonly closed: Promise<void>;
  readonly #ws: WebSocket;
  readonly #options: HubOptions;
  readonly #limits: SharedLimits;
  readonly #bucket: TokenBucket;
  // Users this anonymous connection acts for (room join tokens); banning one closes it.
  readonly #actingFor = new Set<string>();
  // Frames refused by the rate limit since the bucket last had room; too many closes the socket.
  #refusedInARow = 0;
  // Timers for the next ping and for the pong we are waiting for.
  #pingTimer: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;

  constructor(ws: WebSocket, user: ConnectionUser | null, address: string, options: HubOptions, limits: SharedLimits) {
    this.#ws = ws;
    this.user = user;
    this.address = address;
    this.#options = options;
    this.#limits = limits;
    this.#bucket = new TokenBucket(options.config.rate_limit_per_second, options.config.rate_limit_burst);
    this.closed = new Promise((resolve) => ws.once("close", () => resolve()));
    ws.on("message", (data, isBinary) => void this.#onFrame(data, isBinary));
    ws.on("pong", () => this.#onPong());
    ws.on("error", (error) => {
      // ws reports an oversized frame here and closes with 1009 itself.
      options.log.debug({ connectionId: this.id, err: error }, "websocket error");
    });
    ws.on("close", (code) => {
      clearTimeout(this.#pingTimer);
      clearTimeout(this.#pongTimer);
      options.log.debug({ connectionId: this.id, code }, "websocket closed");
    });
    this.#schedulePing();
  }

  send(frame: ServerFrame): void {
    this.sendText(JSON.stringify(frame));
  }

  get bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  sendText(text: string): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    if (this.#ws.bufferedAmount > this.#options.config.max_buffered_bytes) {
      this.close(Close.TooSlow);
      return;
    }
    this.#ws.send(text);
  }

  close(code: Close.CloseCode): void {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    this.#options.metrics.wsClosed.inc({ code: String(code.code) });
    this.#ws.close(code.code, code.reason);
    // A peer that never answers the close handshake is cut off.
    setTimeout(() => this.terminate(), 2_000).unref();
  }

  actFor(userId: string): void {
    this.#actingFor.add(userId);
  }

  actsFor(userId: string): boolean {
    return this.#actingFor.has(userId);
  }

  terminate(): void {
    if (this.#ws.readyState !== WebSocket.CLOSED) this.#ws.terminate();
  }

  #schedulePing() {
    this.#pingTimer = setTimeout(() => {
      if (this.#ws.readyState !== WebSocket.OPEN) return;
      this.#ws.ping();
      this.#pongTimer = setTimeout(
        () => this.close(Close.HeartbeatTimeout),
        this.#options.config.heartbeat_timeout_ms,
      );
    }, this.#options.config.heartbeat_interval_ms);
  }

  #onPong() {
    clearTimeout(this.#pongTimer);
    this.#pongTimer = undefined;
    this.#schedulePing();
  }

  async #onFrame(data: RawData, isBinary: boolean) {
    const { log, metrics, router } = this.#options;
    if (!this.#bucket.take()) {
      metrics.wsMessages.inc({ type: "(any)", outcome: "rate_limited" });
      this.#refusedInARow += 1;
      // A client that keeps sending after being told to stop is closed.
      if (this.#refusedInARow > this.#options.config.rate_limit_burst) {
        this.close(Close.RateLimited);
        return;
      }
      this.#replyError(peekId(data, isBinary), AppError.rateLimited("Too many messages; slow down"), undefined, this.#bucket.msUntilNext());
      return;
    }
    this.#refusedInARow = 0;
    if (isBinary) {
      this.#replyError(null, AppError.badRequest("invalid_frame", "Binary frames are not accepted; send JSON text"));
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      metrics.wsMessages.inc({ type: "(invalid)", outcome: "invalid_json" });
      this.#replyError(null, AppError.badRequest("invalid_json", "The frame is not valid JSON"));
      return;
    }
    const envelope = envelopeSchema.safeParse(frame);
    if (!envelope.success) {
      metrics.wsMessages.inc({ type: "(invalid)", outcome: "invalid_message" });
      this.#replyError(
        peekId(data, false),
        AppError.validation(envelope.error, "A frame must be an object with a string `t` and an optional integer `id`"),
      );
      return;
    }
    const { t: type, id = null, ...payload } = envelope.data;
    const definition = router.get(type);
    if (!definition) {
      metrics.wsMessages.inc({ type: "(unknown)", outcome: "unknown_type" });
      this.#replyError(id, new AppError("unknown_type", 400, `Unknown message type "${type}"`));
      return;
    }
    const parsed = definition.schema.safeParse(payload);
    if (!parsed.success) {
      metrics.wsMessages.inc({ type, outcome: "validation_failed" });
      this.#replyError(id, new AppError("validation_failed", 400, `Invalid ${type} message`, fieldProblems(parsed.error)));
      return;
    }
    const requestId = randomUUID();
    try {
      if (!this.#options.gate.authorize(this.user, definition.action)) {
        throw this.user ? AppError.forbidden("forbidden", "You may not do that") : AppError.unauthorized();
      }
      if (definition.write) {
        const waitMs = this.#limits.takeWrite(this);
        if (waitMs > 0) {
          metrics.wsMessages.inc({ type, outcome: "rate_limited" });
          const seconds = Math.max(1, Math.ceil(waitMs / 1000));
          this.#replyError(id, AppError.rateLimited(`You are sending too fast; wait ${seconds} s and try again`), undefined, waitMs);
          return;
        }
      }
      const result = await definition.handle(parsed.data, { connection: this, requestId });
      metrics.wsMessages.inc({ type, outcome: "ok" });
      if (id !== null) this.send({ t: "ok", id, data: result ?? null });
    } catch (error) {
      metrics.wsMessages.inc({ type, outcome: error instanceof AppError ? error.code : "internal" });
      if (!(error instanceof AppError)) {
        log.error({ err: error, requestId, connectionId: this.id, type }, "realtime handler failed");
      }
      this.#replyError(id, error, requestId);
    }
  }

  #replyError(id: number | null, error: unknown, requestId?: string, retryAfterMs?: number) {
    const reply: ErrorReply =
      error instanceof AppError
        ? { t: "error", id, ...error.toJSON(), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }
        : { t: "error", id, code: "internal", message: "Something went wrong on the server", requestId };
    this.send(reply);
  }
}

/** The id of a frame that failed later checks, so the error can still be matched to it. */
function peekId(data: RawData, isBinary: boolean): number | null {
  if (isBinary) return null;
  const match = /"id"\s*:\s*(\d{1,15})/.exec(data.toString().slice(0, 256));
  return match ? Number(match[1]) : null;
}
