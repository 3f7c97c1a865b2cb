/**
 * A damaged SQLite file, against the real server process: a page of the orders table or of
 * the schema overwritten with garbage (found the way SQLite finds it: sqlite_schema.rootpage
 * and the page size). At start the server refuses with exit code 78 and one message naming
 * the file and `plenary restore --from` the latest backup under the data folder's backups/.
 * While running, the first query that meets the damage (SQLITE_CORRUPT) flips the server
 * into "damaged": /readyz fails and writes are refused; the periodic check finds
 * damage that no request has touched yet.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin } from "../support/accounts.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { buy, cli, damagePage, type Sales, seedSales, tablePage } from "./database-support.ts";
import { eventually } from "./checkout-support.ts";

const scratch = mkdtempSync(path.join(tmpdir(), "plenary-damage-"));
const pristine = path.join(scratch, "pristine");
let sales: Sales;
let backupDir: string;

/** A copy of the sound data folder (three orders and a backup) to damage. */
function copy(name: string): { dataDir: string; database: string } {
  const dataDir = path.join(scratch, name);
  cpSync(pristine, dataDir, { recursive: true });
  return { dataDir, database: path.join(dataDir, "plenary.sqlite") };
}

async function refusedStart(dataDir: string, env: Record<string, string> = {}): Promise<string> {
  const error = await startServer({ dataDir, env }).then(
    (server) => server.stop().then(() => new Error("the server started")),
    (e: Error) => e,
  );
  return error.message;
}

beforeAll(async () => {
  const server = await startServer({ dataDir: pristine });
  await firstAdmin(server);
  sales = await seedSales(pristine, 3);
  for (let i = 0; i < 3; i++) expect((await buy(server, sales, i)).status).toBe(201);
  const backup = await cli(pristine, "backup");
  expect(backup.code, backup.stderr).toBe(0);
  backupDir = /backup written to (.*): /.exec(backup.stdout)![1];
  expect(await server.stop()).toBe(0);
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("at start", () => {
  it("refuses a damaged page in the orders table: exit 78, the file and `plenary restore --from` the latest backup", async () => {
    const { dataDir, database } = copy("orders-page");
    const { pageSize, page } = tablePage(database, "orders");
    damagePage(database, pageSize, page);
    const message = await refusedStart(dataDir);
    expect(message).toMatch(/exited with 78/);
    expect(message).toContain(`the database ${database} is damaged`);
    expect(message).toContain(`plenary restore --from ${path.join(dataDir, "backups", path.basename(backupDir))}`);
    // One message, not a stack trace.
    expect(message).not.toMatch(/\n\s+at /);
  });

  it("refuses a damaged schema page the same way", async () => {
    const { dataDir, database } = copy("schema-page");
    const { pageSize } = tablePage(database, "orders");
    // Page 1 holds the file header (100 bytes) and the root of sqlite_schema.
    damagePage(database, pageSize, 1, 100);
    const message = await refusedStart(dataDir);
    expect(message).toMatch(/exited with 78/);
    expect(message).toContain(`the database ${database} is damaged`);
    expect(message).toMatch(/plenary restore --from .*backups/);
    expect(message).not.toMatch(/\n\s+at /);
  });
});

describe("while running", () => {
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it("a query that meets the damage (SQLITE_CORRUPT) fails /readyz and refuses writes", async () => {
    const { dataDir, database } = copy("runtime-corrupt");
    server = await startServer({ dataDir, env: { PLENARY_DATABASE_CHECK_EVERY: "off" } });
    expect((await (await fetch(`${server.url}/readyz`)).json()).checks.database_integrity).toBe("ok");
    const { pageSize, page } = tablePage(database, "orders");
    damagePage(database, pageSize, page);
    const list = await fetch(`${server.url}/api/orders`, { headers: { cookie: sales.cookies[0] } });
    expect(list.status).toBe(500);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.database_integrity).toMatch(/^failing: database damaged/);
    const order = await buy(server, sales, 1);
    expect(order.status).toBe(503);
    expect((await order.json()).error.code).toBe("database_damaged");
    expect(server.logs.some((l) => l.level === 60 && String(l.msg).includes("plenary restore --from"))).toBe(true);
    await server.stop();
    server = undefined;
  });

  it("the periodic check (database.check_every) finds damage no request has met", async () => {
    const { dataDir, database } = copy("runtime-check");
    server = await startServer({ dataDir, env: { PLENARY_DATABASE_CHECK_EVERY: "1s" } });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const { pageSize, page } = tablePage(database, "orders");
    damagePage(database, pageSize, page);
    const checks = await eventually(async () => {
      const ready = await fetch(`${server!.url}/readyz`);
      if (ready.status !== 503) throw new Error(`still ${ready.status}`);
      return (await ready.json()).checks;
    }, "/readyz failing", 30_000);
    expect(checks.database_integrity).toMatch(/^failing: database damaged/);
    expect((await buy(server, sales, 2)).status).toBe(503);
  });
});

describe("low disk", () => {
  it("below database.min_free_mb new orders get a clear 503 and /readyz says why; reads go on", async () => {
    const { dataDir } = copy("low-disk");
    // More free space than any disk has: the same state as a disk that filled up.
    const server = await startServer({ dataDir, env: { PLENARY_DATABASE_MIN_FREE_MB: "1000000000" } });
    try {
      const order = await buy(server, sales, 0);
      expect(order.status).toBe(503);
      expect(order.headers.get("retry-after")).toBe("300");
      expect((await order.json()).error).toMatchObject({ code: "sales_paused_low_disk", message: "Ticket sales are paused: the server is low on disk space" });
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).checks.database_disk).toMatch(/^failing: \d+ MiB free where the database lives, below database.min_free_mb = 1000000000/);
      expect((await fetch(`${server.url}/api/orders`, { headers: { cookie: sales.cookies[0] } })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
