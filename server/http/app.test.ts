import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { Kysely } from "kysely";
import { afterAll, expect, it } from "vitest";
import { loadConfig } from "../config/index.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { openSqlite } from "../db/sqlite.ts";
import { createLogger } from "../log.ts";
import { createMetrics } from "../metrics.ts";
import { RealtimeHub } from "../realtime/hub.ts";
import { MessageRouter } from "../realtime/router.ts";
import { createHttpApp } from "./app.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-http-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("answers an unexpected exception with a 500, a correlation id and no stack; the log has the stack", async () => {
  const config = loadConfig({ env: { PLENARY_DATA_DIR: dir } });
  const db = openSqlite({ file: config.paths.database });
  await migrateToLatest(db as Kysely<unknown>);
  const lines: string[] = [];
  const log = createLogger("info", new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  const metrics = createMetrics();
  const hub = new RealtimeHub({
    config: config.realtime,
    router: new MessageRouter(),
    log,
    metrics,
    gate: { admit: async () => null, authorize: () => true },
  });
  const app = createHttpApp({ config, log, metrics, db, hub, clientDir: path.join(dir, "no-client") });
  app.get("/boom", async () => {
    throw new Error("database exploded at /secret/path");
  });

  const response = await app.inject({ method: "GET", url: "/boom" });
  expect(response.statusCode).toBe(500);
  const body = response.json();
  expect(body).toEqual({
    error: { code: "internal", message: "Something went wrong on the server", requestId: response.headers["x-request-id"] },
  });
  expect(response.body).not.toContain("exploded");
  expect(response.body).not.toContain("at ");

  const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "request failed");
  expect(logged.reqId).toBe(body.error.requestId);
  expect(logged.err.stack).toContain("database exploded");

  await app.close();
  await hub.close();
  await db.destroy();
});
