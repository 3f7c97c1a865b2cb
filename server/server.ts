/**
 * Composition root: opens the database, migrates it, wires the HTTP app and the realtime
 * hub, and owns their lifecycle. `close()` is safe to call twice.
 */
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { adminExists } from "./accounts/users.ts";
import type { LoadedConfig } from "./config/index.ts";
import { migrateToLatest } from "./db/migrate.ts";
import type { DB } from "./db/schema.ts";
import { openSqlite } from "./db/sqlite.ts";
import { createHttpApp } from "./http/app.ts";
import type { Logger } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { GoingAway } from "./realtime/close-codes.ts";
import { RealtimeHub } from "./realtime/hub.ts";
import { MessageRouter } from "./realtime/router.ts";
import { registerSystemMessages } from "./realtime/system-messages.ts";
import { firstRunRoutes, SetupGate } from "./setup/first-run.ts";

export const DEFAULT_CLIENT_DIR = fileURLToPath(new URL("../client/dist", import.meta.url));

export type RunningServer = {
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Set while no admin exists: the link that opens the first-run page. */
  setupUrl: string | null;
  app: FastifyInstance;
  db: Kysely<DB>;
  hub: RealtimeHub;
  close(): Promise<void>;
};

export async function startServer(
  config: LoadedConfig,
  log: Logger,
  options: { clientDir?: string } = {},
): Promise<RunningServer> {
  const db = openSqlite({ file: config.paths.database, busyTimeoutMs: config.database.busy_timeout_ms });
  try {
    const applied = await migrateToLatest(db as Kysely<unknown>);
    if (applied.length > 0) log.info({ migrations: applied.map((m) => m.migrationName) }, "database migrated");
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const metrics = createMetrics();
  const router = new MessageRouter();
  registerSystemMessages(router);
  const hub = new RealtimeHub({ config: config.realtime, router, log, metrics });
  const app = createHttpApp({ config, log, metrics, db, hub, clientDir: options.clientDir ?? DEFAULT_CLIENT_DIR });
  const gate = new SetupGate();
  firstRunRoutes(app, db, gate);

  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.http.port;
  const host = config.http.host.includes(":") ? `[${config.http.host}]` : config.http.host;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  const setupUrl = (await adminExists(db)) ? null : `${url}/setup?token=${gate.token}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info("shutting down");
      await hub.close(GoingAway);
      await app.close();
      await db.destroy();
      log.info("stopped");
    })());

  return { url, setupUrl, app, db, hub, close };
}
