/**
 * `plenary demo` as an operator runs it: on a fresh data folder it creates a living event
 * (visible through the real server's discovery API, with signed tickets and paid orders in
 * the revenue report), and it refuses a
 * second run and any database that already holds real data, changing nothing.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { verifyTicketCode } from "../../server/tickets/ticket-code.ts";
import { TicketKeys } from "../../server/tickets/ticket-keys.ts";
import { firstAdmin } from "../support/accounts.ts";
import { TestClient } from "../support/http-client.ts";
import { ROOT, startServer } from "../support/server.ts";
import { openServerDb, seedOrganization } from "./discovery-seed.ts";

const run = promisify(execFile);
const folders: string[] = [];

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function freshDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "plenary-demo-"));
  folders.push(dir);
  return dir;
}

async function plenary(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, PLENARY_DATA_DIR: dataDir, PLENARY_HTTP_PORT: "8123", PLENARY_HTTP_HOST: "127.0.0.1" };
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, "server/cli.ts"), ...args], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("plenary demo", () => {
  it("fills a fresh install with a live public event, then refuses to run again", async () => {
    const dataDir = freshDataDir();
    const before = Date.now();
    const first = await plenary(dataDir, "demo");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("demo event created: http://127.0.0.1:8123/events/plenary-live-demo");

    const second = await plenary(dataDir, "demo");
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("plenary demo: the database already has organizations");

    const server = await startServer({ dataDir });
    try {
      const client = new TestClient(server.url);
      const listing = await client.get("/api/discover/events");
      expect(listing.body.events.map((e: { slug: string }) => e.slug)).toEqual(["plenary-live-demo"]);
      const { event } = (await client.get("/api/discover/events/plenary-live-demo")).body;
      expect(event).toMatchObject({ visibility: "public", status: "approved", organization: { name: "Plenary Demo Events" } });
      expect(event.sessions).toHaveLength(3);
      // The first session starts within minutes of the command, so a newcomer sees it go live.
      const firstStart = Date.parse(event.sessions[0].startsAt);
      expect(firstStart).toBeGreaterThan(before);
      expect(firstStart - before).toBeLessThanOrEqual(10 * 60_000);
      expect(event.speakers.length).toBeGreaterThanOrEqual(2);
      expect(event.sessions.every((s: { speakerIds: string[] }) => s.speakerIds.length > 0)).toBe(true);
      expect(event.ticketTypes.map((t: { price: number; state: string }) => [t.price > 0 ? "paid" : "free", t.state])).toEqual([
        ["free", "on_sale"],
        ["paid", "on_sale"],
      ]);

      // Attendees hold tickets whose codes verify with the server's own ticket keys.
      const db = openServerDb(dataDir);
      try {
        const tickets = await db.selectFrom("tickets").selectAll().where("event_id", "=", event.id).execute();
        expect(tickets.length).toBeGreaterThanOrEqual(3);
        const keys = TicketKeys.load(path.join(dataDir, "keys")).publicKeys;
        for (const ticket of tickets) {
          const verified = await verifyTicketCode(keys, ticket.code);
          expect(verified).toMatchObject({ valid: true, ticket: { ticketId: ticket.id, eventId: event.id, ticketTypeId: ticket.ticket_type_id } });
        }
        const types = await db.selectFrom("ticket_types").select(["id", "price", "sold", "held"]).where("event_id", "=", event.id).orderBy("price").execute();
        for (const type of types) expect({ sold: type.sold, held: type.held }).toEqual({ sold: tickets.filter((t) => t.ticket_type_id === type.id).length, held: 0 });
        expect(types[1].sold).toBeGreaterThan(0);
        expect(await db.selectFrom("orders").select("status").where("event_id", "=", event.id).execute()).toEqual(tickets.map(() => ({ status: "paid" })));

        // Each paid order is booked as a Stripe sale would be: the sale, Stripe's fee, the commission.
        const paid = await db.selectFrom("orders").select(["id", "total", "commission"]).where("event_id", "=", event.id).where("total", ">", 0).execute();
        expect(paid.length).toBe(3);
        for (const order of paid) {
          const entries = await db.selectFrom("ledger_entries").select(["kind", "amount"]).where("order_id", "=", order.id).orderBy("kind").execute();
          expect(entries).toEqual([
            { kind: "commission", amount: -order.commission },
            { kind: "provider_fee", amount: -(Math.round((order.total * 290) / 10_000) + 30) },
            { kind: "sale", amount: order.total },
          ]);
          expect(order.commission).toBeGreaterThan(0);
        }
      } finally {
        await db.destroy();
      }
      // The admin's revenue page has figures on the fresh install, on more than one day.
      const admin = await firstAdmin(server);
      const revenue = await admin.get("/api/admin/revenue?group=day");
      expect(revenue.status).toBe(200);
      expect(revenue.body.report.rows.length).toBeGreaterThanOrEqual(2);
      expect(revenue.body.report.totals).toEqual([expect.objectContaining({ currency: "eur", gross: 7_500, fees: 3 * 103, commission: 3 * 125, net: 7_500 - 3 * 103 - 3 * 125 })]);
    } finally {
      await server.stop();
    }
  });

  it("refuses a database with real data and leaves it untouched", async () => {
    const dataDir = freshDataDir();
    expect((await plenary(dataDir, "migrate")).code).toBe(0);
    const db = openServerDb(dataDir);
    try {
      await seedOrganization(db, "Real Org", "real-org");
      const refused = await plenary(dataDir, "demo");
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("nothing was changed");
      expect(await db.selectFrom("events").select("id").execute()).toEqual([]);
      expect((await db.selectFrom("organizations").select("slug").execute()).map((o) => o.slug)).toEqual(["real-org"]);
    } finally {
      await db.destroy();
    }
  });

  it("makes existing platform admins owners of the sample organization", async () => {
    const dataDir = freshDataDir();
    expect((await plenary(dataDir, "migrate")).code).toBe(0);
    const db = openServerDb(dataDir);
    try {
      const now = new Date().toISOString();
      await db.insertInto("users").values({ id: "a0000000-0000-4000-8000-000000000001", email: "root@example.org", display_name: "Root", password_hash: null, role: "admin", created_at: now, updated_at: now }).execute();
      const result = await plenary(dataDir, "demo");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("owners of the sample organization: root@example.org");
      const owners = await db.selectFrom("organization_members").select(["user_id", "role"]).execute();
      expect(owners).toEqual([{ user_id: "a0000000-0000-4000-8000-000000000001", role: "owner" }]);
    } finally {
      await db.destroy();
    }
  });
});
