/**
 * For the database fault tests: free ticket sales seeded straight into a test server's
 * database (buyers with sessions, one big ticket type), a checkout by plain fetch, the CLI run
 * as an operator runs it, and damage written into a page of the SQLite file.
 */
import { execFile } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { randomUUID } from "node:crypto";
import path from "node:path";
import SQLite from "better-sqlite3";
import { event, openServerDb, organization, signedIn, ticketType, user, write } from "../support/seed.ts";
import { ROOT, type TestServer } from "../support/server.ts";

export type Sales = { eventId: string; typeId: string; cookies: string[] };

/** An approved event with a free ticket type of `seats` seats and `buyers` signed-in buyers. */
export async function seedSales(dataDir: string, buyers = 4, seats = 100_000): Promise<Sales> {
  const db = openServerDb(dataDir);
  try {
    const org = await write(db, organization());
    const { id: eventId } = await write(db, event({ organizationId: org.id }));
    const { id: typeId } = await write(db, ticketType({ eventId, quantity: seats }));
    const cookies: string[] = [];
    for (let i = 0; i < buyers; i++) {
      const id = await user(db, { email: `buyer-${i}-${randomUUID().slice(0, 6)}@example.org` });
      cookies.push((await signedIn(db, id)).cookie);
    }
    return { eventId, typeId, cookies };
  } finally {
    await db.destroy();
  }
}

/** One free checkout; resolves to the response (or rejects with the network error). */
export function buy(server: Pick<TestServer, "url">, sales: Sales, buyer: number, init: { signal?: AbortSignal } = {}): Promise<Response> {
  return fetch(`${server.url}/api/events/${sales.eventId}/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: sales.cookies[buyer % sales.cookies.length], origin: server.url, "idempotency-key": randomUUID() },
    body: JSON.stringify({ seats: [{ ticketTypeId: sales.typeId, name: `Buyer ${buyer}`, email: `seat-${buyer}@example.org` }] }),
    signal: init.signal,
  });
}

/** Runs `node server/cli.ts ...args` on a data folder. */
export function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "server/cli.ts"), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, PLENARY_DATA_DIR: dataDir, PLENARY_LOG_LEVEL: "warn" }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Order ids in a database file (opened read-only). */
export function orderIds(file: string): string[] {
  const db = new SQLite(file, { readonly: true });
  try {
    return (db.prepare("select id from orders order by id").pluck().all() as string[]);
  } finally {
    db.close();
  }
}

/** The page size and a table's root page, read the way SQLite itself finds the table. */
export function tablePage(file: string, table: string): { pageSize: number; page: number } {
  const db = new SQLite(file);
  try {
    // Everything from the WAL into the main file first: the damage must land on the page SQLite will read.
    db.pragma("wal_checkpoint(TRUNCATE)");
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    const page = db.prepare("select rootpage from sqlite_schema where type = 'table' and name = ?").pluck().get(table) as number;
    if (!page) throw new Error(`no table ${table}`);
    return { pageSize, page };
  } finally {
    db.close();
  }
}

/** Overwrites page `page` (1-based) from `from` bytes into it to its end with garbage. */
export function damagePage(file: string, pageSize: number, page: number, from = 0): void {
  const garbage = Buffer.alloc(pageSize - from, 0xa5);
  const fd = openSync(file, "r+");
  try {
    writeSync(fd, garbage, 0, garbage.length, (page - 1) * pageSize + from);
  } finally {
    closeSync(fd);
  }
}
