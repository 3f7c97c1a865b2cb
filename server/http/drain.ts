/**
 * Stopping the HTTP side without resetting anyone. `http.Server#close` (which Fastify's close
 * calls) also destroys "idle" connections at once, and a connection accepted a moment ago
 * whose request has not been read yet counts as idle: its client sees ECONNRESET. So a
 * shutdown first accepts what the kernel has queued and closes the listener (later
 * connections are refused, which clients handle), answers requests on the connections it
 * accepted meanwhile with 503 and `Connection: close`, waits for requests already in flight, and only then lets
 * Fastify close.
 */
import net from "node:net";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.ts";

/** How long a connection accepted just before shutdown gets to send its request. */
const FRESH_CONNECTION_WAIT_MS = 1_000;
const POLL_MS = 10;
/** Longest time spent accepting connections already queued in the kernel before closing the listener. */
const ACCEPT_BACKLOG_MS = 2_000;

export type HttpDrain = {
  /** Stops accepting, then resolves once nothing is in flight (or after maxWaitMs). */
  drain(maxWaitMs: number): Promise<{ inFlight: number; silent: number; acceptedWhileClosing: number; turns: number; acceptMs: number }>;
};

/** Call before listen: counts requests in flight and connections that have not sent one yet. */
export function trackHttpDrain(app: FastifyInstance): HttpDrain {
  // Accepted connections that have not sent a request yet.
  const fresh = new Set<Socket>();
  let inFlight = 0;
  // Connections accepted after shutdown began (from the kernel's queue): their requests get a 503.
  const late = new WeakSet<Socket>();
  // Connections accepted so far.
  let accepted = 0;
  let draining = false;
  app.server.on("connection", (socket: Socket) => {
    accepted++;
    if (draining) late.add(socket);
    fresh.add(socket);
    socket.once("close", () => fresh.delete(socket));
  });
  app.server.on("request", (request, response) => {
    fresh.delete(request.socket);
    inFlight++;
    response.once("close", () => inFlight--);
  });
  app.server.on("upgrade", (request) => fresh.delete(request.socket));
  app.addHook("onRequest", async (request, reply) => {
    // A request on a connection accepted once shutdown began is answered at once, so the event
    // loop stays free to accept what is still queued (slow turns leave connections for the
    // kernel to reset). Connections from before the signal are served: their requests were sent first.
    if (draining && late.has(request.raw.socket)) {
      reply.header("retry-after", "5");
      throw new AppError("shutting_down", 503, "The server is restarting; try again in a moment");
    }
  });
  app.addHook("onSend", async (_request, reply) => {
    // The listener is closed: a keep-alive connection would only wait to be cut.
    if (draining) reply.header("connection", "close");
  });

  return {
    async drain(maxWaitMs) {
      draining = true;
      const acceptedBefore = accepted;
      // Connections the kernel has completed but Node has not accepted yet are reset when the
      // listener closes, and Node accepts about one per turn of the event loop: after a busy
      // stretch dozens can wait. So accept until a whole turn (two setImmediates: one poll
      // phase in between) brings none, for at most a moment under a steady stream.
      const started = Date.now();
      const acceptUntil = started + ACCEPT_BACKLOG_MS;
      let turns = 0;
      for (let seen = -1; seen !== accepted && Date.now() < acceptUntil; turns++) {
        seen = accepted;
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
      }
      // net.Server#close only closes the listening socket; http.Server#close would also cut idle connections.
      if (app.server.listening) net.Server.prototype.close.call(app.server);
      const closedAt = Date.now();
      for (;;) {
        const elapsed = Date.now() - closedAt;
        const waitingForFresh = fresh.size > 0 && elapsed < FRESH_CONNECTION_WAIT_MS;
        if ((inFlight === 0 && !waitingForFresh) || elapsed >= maxWaitMs) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      return { inFlight, silent: fresh.size, acceptedWhileClosing: accepted - acceptedBefore, turns, acceptMs: closedAt - started };
    },
  };
}
