import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** One registry per server instance, so tests that start several servers in one process do not collide. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "plenary_" });
  return {
    registry,
    httpDuration: new Histogram({
      name: "plenary_http_request_duration_seconds",
      help: "HTTP request duration by route and status class",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: "plenary_ws_connections",
      help: "Open WebSocket connections",
      registers: [registry],
    }),
    wsMessages: new Counter({
      name: "plenary_ws_messages_total",
      help: "WebSocket messages received, by type and outcome",
      labelNames: ["type", "outcome"] as const,
      registers: [registry],
    }),
    wsClosed: new Counter({
      name: "plenary_ws_closed_total",
      help: "WebSocket connections closed by the server, by close code",
      labelNames: ["code"] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
