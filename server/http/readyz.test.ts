import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../config/index.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { DB } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import { createLogger } from "../log.ts";
import { createMetrics } from "../metrics.ts";
import { RealtimeHub } from "../realtime/hub.ts";
import { MessageRouter } from "../realtime/router.ts";
import { createHttpApp, READY_CHECK_TIMEOUT_MS, type ReadyCheck } from "./app.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-readyz-"));
const config = loadConfig({ env: { PLENARY_DATA_DIR: dir } });
let db: Kysely<DB>;
const hubs: RealtimeHub[] = [];

beforeAll(async () => {
  db = openSqlite({ file: config.paths.database });
  await migrateToLatest(db as Kysely<unknown>);
});
afterAll(async () => {
  for (const hub of hubs) await hub.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function readyz(readyChecks: Record<string, ReadyCheck>) {
  const log = createLogger("silent");
  const metrics = createMetrics();
  const hub = new RealtimeHub({ config: config.realtime, router: new MessageRouter(), log, metrics, gate: { admit: async () => null, authorize: () => true } });
  hubs.push(hub);
  const app = createHttpApp({ config, log, metrics, db, hub, clientDir: path.join(dir, "no-client"), readyChecks });
  const response = await app.inject({ method: "GET", url: "/readyz" });
  await app.close();
  return { status: response.statusCode, body: response.json() };
}

it("is ready when the database and every check (sync or async, e.g. storage) answer ok", async () => {
  const { status, body } = await readyz({ sfu: () => "ok", storage: async () => "ok" });
  expect(status).toBe(200);
  expect(body).toEqual({ status: "ready", checks: { database: "ok", sfu: "ok", storage: "ok" } });
});

it("is not ready when a check fails, throws or never answers, and says which and why", async () => {
  const { status, body } = await readyz({
    sfu: () => "failing: 1 of 2 media workers alive",
    storage: async () => {
      throw new Error("bucket recordings does not exist");
    },
    slow: () => new Promise<string>(() => {}),
  });
  expect(status).toBe(503);
  expect(body).toEqual({
    status: "not ready",
    checks: {
      database: "ok",
      sfu: "failing: 1 of 2 media workers alive",
      storage: "failing: bucket recordings does not exist",
      slow: `failing: no answer within ${READY_CHECK_TIMEOUT_MS} ms`,
    },
  });
});

it("stays ready when only an optional part is degraded (a low recordings disk), and says so", async () => {
  const { status, body } = await readyz({ recordings_disk: async () => "degraded: only 12 MiB free on the recordings disk" });
  expect(status).toBe(200);
  expect(body).toEqual({ status: "ready", checks: { database: "ok", recordings_disk: "degraded: only 12 MiB free on the recordings disk" } });
});
