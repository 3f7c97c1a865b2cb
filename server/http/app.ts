/**
 * The HTTP side: REST API under /api, health and metrics, the built web client with an
 * SPA fallback, one error format for everything, and the WebSocket upgrade handed to the hub.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from "fastify";
import { type Kysely, sql } from "kysely";
import type { LoadedConfig } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import { AppError, RateLimitedError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { RealtimeHub } from "../realtime/hub.ts";
import { type AccessTokenVerifier, registerAuth } from "../accounts/http-auth.ts";
import { isKnownAction } from "../accounts/policy.ts";
import type { Access } from "../realtime/router.ts";
import { registerMetricsRoute } from "./metrics-endpoint.ts";
import { HostAllowlist, listenUrlOf, MISDIRECTED, publicBaseUrl } from "./public-url.ts";
import { registerSecurityHeaders } from "./security-headers.ts";
import { socialMetaRenderer } from "./social-meta.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The permission model's name for what the route does. Every /api route must say. */
    action?: string;
    /** Optional summary of who may call it; the matrix test checks it agrees with the policy. */
    access?: Access;
  }
  interface FastifyInstance {
    /** Every /api route with its action, collected as routes are added (permission matrix). */
    apiRoutes: ApiRoute[];
    /** The address the server listens on, e.g. http://127.0.0.1:8080 (valid once listening). */
    listenUrl(): string;
    /** The base of every link this server hands out (server/http/public-url.ts); never from the Host header. */
    publicBaseUrl(): Promise<string>;
  }
}

export type ReadyCheck = () => string | Promise<string>;

/** How long one /readyz check may take before it counts as failing (Kubernetes' probe default is 1 s). */
export const READY_CHECK_TIMEOUT_MS = 800;

export type ApiRoute = { method: string; url: string; action: string; access: Access | undefined };

export type HttpDependencies = {
  config: LoadedConfig;
  log: Logger;
  metrics: Metrics;
  db: Kysely<DB>;
  hub: RealtimeHub;
  /** Folder of the built web client (client/dist). */
  clientDir: string;
  /** Verifies JWT bearer access tokens (see server/accounts/bearer-tokens.ts). */
  verifyAccessToken?: AccessTokenVerifier;
  /**
   * More /readyz checks by name (the SFU's workers, recording storage): each returns or
   * resolves to "ok" or what is failing. One that throws or takes longer than
   * READY_CHECK_TIMEOUT_MS counts as failing, so a hung store cannot hang the probe.
   */
  readyChecks?: Record<string, ReadyCheck>;
  /** More facts for /readyz that do not decide readiness (the last backup's time and size). */
  readyDetails?: () => Promise<Record<string, unknown>>;
};

export function createHttpApp(deps: HttpDependencies): FastifyInstance {
  const { config, log, metrics, db, hub } = deps;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Completed requests are logged at debug level by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.http.trust_proxy,
    bodyLimit: config.http.body_limit_bytes,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    return503OnClosing: true,
  });

  const apiRoutes: ApiRoute[] = [];
  app.decorate("apiRoutes", apiRoutes);
  const listenUrl = () => listenUrlOf(app.server, config.http.host, config.http.port);
  app.decorate("listenUrl", listenUrl);
  app.decorate("publicBaseUrl", () => publicBaseUrl(config, db, listenUrl()));

  // First of all hooks: a request for a host that is not ours is not looked at further.
  const hosts = new HostAllowlist(config, db);
  app.addHook("onRequest", async (request, reply) => {
    // Orchestrators probe with whatever Host they like (often the pod IP or a service name).
    if (request.url === "/healthz" || request.url === "/readyz") return;
    // request.host is X-Forwarded-Host when http.trust_proxy is on, else the Host header.
    if (await hosts.allows(request.host)) return;
    return reply.code(421).send({ error: { ...MISDIRECTED, requestId: request.id } });
  });
  registerSecurityHeaders(app, config);
  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith("/api/")) return;
    const action = route.config?.action;
    if (!isKnownAction(action)) {
      throw new Error(
        `route ${route.method} ${route.url} does not declare an action the policy knows (config.action = ${action}); add it to server/accounts/policy.ts`,
      );
    }
    for (const method of [route.method].flat()) {
      // Fastify adds a HEAD route for every GET; the GET stands for both.
      if (method !== "HEAD") apiRoutes.push({ method, url: route.url, action, access: route.config?.access });
    }
  });
  registerAuth(app, { config, db, verifyAccessToken: deps.verifyAccessToken });

  // Once shutdown starts, responses still being written close their connection, so
  // keep-alive clients cannot hold the server open past the requests it owes them.
  let shuttingDown = false;
  app.addHook("preClose", async () => {
    shuttingDown = true;
  });

  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (shuttingDown) reply.header("connection", "close");
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "(unmatched)";
    metrics.httpDuration.observe(
      { method: request.method, route, status: `${Math.floor(reply.statusCode / 100)}xx` },
      reply.elapsedTime / 1000,
    );
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, "request");
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const known = toAppError(error);
    if (!known) {
      request.log.error({ err: error }, "request failed");
      return reply.code(500).send({
        error: { code: "internal", message: "Something went wrong on the server", requestId: request.id },
      });
    }
    if (known instanceof RateLimitedError) void reply.header("retry-after", String(known.retryAfterSeconds));
    return reply.code(known.status).send({ error: { ...known.toJSON(), requestId: request.id } });
  });

  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    const all: Record<string, ReadyCheck> = {
      database: async () => (await sql`select 1`.execute(db), "ok"),
      ...deps.readyChecks,
    };
    const results = await Promise.all(Object.entries(all).map(async ([name, check]) => [name, await runReadyCheck(check)] as const));
    const checks = Object.fromEntries(results);
    // "degraded: …" names an optional part that is failing (recordings disk low): the rest still serves.
    const ready = Object.values(checks).every((v) => v === "ok" || v.startsWith("degraded:"));
    const details = await deps.readyDetails?.().catch((error: unknown) => ({ detailsError: (error as Error).message }));
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks, ...details });
  });

  registerMetricsRoute(app, config, metrics);

  serveClient(app, deps.clientDir, socialMetaRenderer({ db, indexFile: path.join(deps.clientDir, "index.html") }));

  app.server.on("upgrade", (request, socket, head) => {
    socket.on("error", () => socket.destroy());
    // The same Host check as for pages: a rebound name must not open a socket with our cookie.
    const forwarded = config.http.trust_proxy ? request.headers["x-forwarded-host"] : undefined;
    const host = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim() || request.headers.host;
    hosts.allows(host).then(
      (ok) => {
        if (ok) return hub.handleUpgrade(request, socket, head);
        socket.end(`HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${MISDIRECTED.message}\n`);
      },
      () => socket.destroy(),
    );
  });
  return app;
}

async function runReadyCheck(check: ReadyCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`failing: no answer within ${READY_CHECK_TIMEOUT_MS} ms`), READY_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (error) {
    return `failing: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Maps Fastify's own errors (bad JSON, body too large, ...) onto the public error codes. */
function toAppError(error: FastifyError | AppError): AppError | null {
  if (error instanceof AppError) return error;
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new AppError("invalid_json", 400, "The request body is not valid JSON");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new AppError("payload_too_large", 413, "The request body is too large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new AppError("unsupported_media_type", 415, "Send the body as application/json");
  }
  if (error instanceof SyntaxError && (error as FastifyError).statusCode === 400) {
    return new AppError("invalid_json", 400, "The request body is not valid JSON");
  }
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) return new AppError("bad_request", status, error.message);
  return null;
}

function serveClient(app: FastifyInstance, clientDir: string, eventPage: ReturnType<typeof socialMetaRenderer>) {
  const index = path.join(clientDir, "index.html");
  const built = existsSync(index);
  if (built) {
    app.register(fastifyStatic, {
      root: clientDir,
      index: "index.html",
      // Off, or its own "public, max-age=0" would replace the header setHeaders chose.
      cacheControl: false,
      setHeaders(res, filePath) {
        // Vite puts a content hash in every asset name under assets/, so they never change.
        const immutable = filePath.includes(`${path.sep}assets${path.sep}`);
        res.setHeader("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
      },
    });
  }

  app.setNotFoundHandler(async (request, reply) => {
    // Event pages carry link-preview markup for crawlers, whatever Accept they send.
    const eventHtml = built ? await eventPage(request) : null;
    if (eventHtml !== null) return reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(eventHtml);
    const wantsPage =
      request.method === "GET" &&
      !request.url.startsWith("/api/") &&
      (request.headers.accept ?? "").includes("text/html");
    if (!wantsPage) {
      return reply.code(404).send({
        error: { code: "not_found", message: `No route for ${request.method} ${request.url.split("?")[0]}`, requestId: request.id },
      });
    }
    if (!built) {
      return reply
        .code(503)
        .type("text/html")
        .send("<!doctype html><title>Plenary</title><p>The web client has not been built. Run <code>./plenary setup</code> and reload.</p>");
    }
    reply.header("cache-control", "no-cache");
    return reply.sendFile("index.html");
  });
}
