/**
 * /metrics for Prometheus. Its numbers (routes, rooms, job queues) are for operators only:
 * on the app port it needs `metrics.token` as a bearer token, or — with no token set — a
 * request from this machine that did not come through a proxy. `metrics.listen` adds a
 * second address that serves only /metrics without a token, for a private scrape network.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { LoadedConfig } from "../config/index.ts";
import { AppError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export function registerMetricsRoute(app: FastifyInstance, config: LoadedConfig, metrics: Metrics): void {
  app.get("/metrics", async (request, reply) => {
    checkScraper(request, config.metrics.token);
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

function checkScraper(request: FastifyRequest, token: string): void {
  if (token !== "") {
    const sent = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1]?.trim() ?? "";
    if (!sameSecret(sent, token)) {
      throw new AppError("unauthorized", 401, "Send the metrics token (metrics.token) as Authorization: Bearer <token>");
    }
    return;
  }
  // The socket's peer, not request.ip: a proxy's X-Forwarded-For must not make a stranger local.
  const local = LOOPBACK.test(request.socket.remoteAddress ?? "") && request.headers["x-forwarded-for"] === undefined;
  if (!local) throw AppError.forbidden("metrics_token_required", "Metrics are served to other machines only with metrics.token set, or on metrics.listen");
}

function sameSecret(a: string, b: string): boolean {
  // Hashes first, so the comparison takes the same time whatever the lengths.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Starts the metrics-only listener of `metrics.listen`, or resolves null when it is empty. */
export async function startMetricsListener(config: LoadedConfig, metrics: Metrics): Promise<Server | null> {
  if (config.metrics.listen === "") return null;
  const split = config.metrics.listen.lastIndexOf(":");
  const host = config.metrics.listen.slice(0, split).replace(/^\[|\]$/g, "");
  const port = Number(config.metrics.listen.slice(split + 1));
  const server = createServer((request, response) => {
    if (request.method !== "GET" || new URL(request.url ?? "/", "http://x").pathname !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("Only /metrics is served here\n");
      return;
    }
    metrics.registry.metrics().then(
      (body) => response.writeHead(200, { "content-type": metrics.registry.contentType }).end(body),
      (error: Error) => response.writeHead(500, { "content-type": "text/plain" }).end(`${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
