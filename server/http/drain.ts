/**
 * Stopping the HTTP side without resetting anyone. `http.Server#close` (which Fastify's close
 * calls) also destroys "idle" connections at once, and a connection accepted a moment ago
 * whose request has not been read yet counts as idle: its client sees ECONNRESET. So a
 * shutdown first stops listening (new connections are refused, which clients handle), then
 * waits for requests in flight and for connections that were just accepted to send theirs,
 * answering all of them with `Connection: close`, and only then lets Fastify close.
 */
import net from "node:net";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";

/** How long a connection accepted just before shutdown gets to send its request. */
const FRESH_CONNECTION_WAIT_MS = 1_000;
const POLL_MS = 10;

export type HttpDrain = {
  /** Stops accepting, then resolves once nothing is in flight (or after maxWaitMs). */
  drain(maxWaitMs: number): Promise<{ inFlight: number; silent: number }>;
};

/** Call before listen: counts requests in flight and connections that have not sent one yet. */
export function trackHttpDrain(app: FastifyInstance): HttpDrain {
  // Accepted connections that have not sent a request yet.
  const fresh = new Set<Socket>();
  let inFlight = 0;
  let draining = false;
  app.server.on("connection", (socket: Socket) => {
    fresh.add(socket);
    socket.once("close", () => fresh.delete(socket));
  });
  app.server.on("request", (request, response) => {
    fresh.delete(request.socket);
    inFlight++;
    response.once("close", () => inFlight--);
  });
  app.server.on("upgrade", (request) => fresh.delete(request.socket));
  app.addHook("onSend", async (_request, reply) => {
    // The listener is closed: a keep-alive connection would only wait to be cut.
    if (draining) reply.header("connection", "close");
  });

  return {
    async drain(maxWaitMs) {
      draining = true;
      // net.Server#close only closes the listening socket; http.Server#close would also cut idle connections.
      if (app.server.listening) net.Server.prototype.close.call(app.server);
      const started = Date.now();
      for (;;) {
        const elapsed = Date.now() - started;
        const waitingForFresh = fresh.size > 0 && elapsed < FRESH_CONNECTION_WAIT_MS;
        if ((inFlight === 0 && !waitingForFresh) || elapsed >= maxWaitMs) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      return { inFlight, silent: fresh.size };
    },
  };
}
