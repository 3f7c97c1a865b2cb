/**
 * Checkout under a rush: 1,000 buyers (each with their own account and session) POST a
 * checkout at the same moment for a ticket type with 100 seats, against the real server
 * process on loopback. Two rounds: free tickets (the order completes in the seat
 * transaction: tickets signed, confirmation job queued) and paid tickets (seats held, then a
 * Checkout Session created at the Stripe stand-in). Prints orders per second, latency
 * percentiles and the seats sold; exits non-zero unless exactly the seats there are were
 * taken, every other buyer was told "sold_out", and nothing was oversold.
 *
 * With `--synchronous both` it runs everything twice, on a server with database.synchronous =
 * "full" and on one with "normal", and prints the orders per second of each and their ratio
 * (with the load average: on a shared machine the figures move with it).
 *
 *   node bench/checkout.ts [--buyers 1000] [--seats 100] [--synchronous full|normal|both]
 */
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Kysely } from "kysely";
import { createSession } from "../server/accounts/sessions.ts";
import type { DB } from "../server/db/schema.ts";
import { openSqlite } from "../server/db/sqlite.ts";
import { startServer } from "../test/support/server.ts";
import { StripeStandin } from "../test/support/stripe-standin/index.ts";

const { values } = parseArgs({
  options: { buyers: { type: "string", default: "1000" }, seats: { type: "string", default: "100" }, synchronous: { type: "string", default: "full" } },
});
const BUYERS = Number(values.buyers);
const SEATS = Number(values.seats);
if (!["full", "normal", "both"].includes(values.synchronous)) throw new Error("--synchronous is full, normal or both");
const SETTINGS = values.synchronous === "both" ? (["full", "normal"] as const) : [values.synchronous as "full" | "normal"];

const stripe = await StripeStandin.start();
let server: Awaited<ReturnType<typeof startServer>>;
let db: Kysely<DB>;

/** An approved event of a fresh organization, with one ticket type of SEATS seats. */
async function seed(price: number): Promise<{ eventId: string; typeId: string }> {
  const now = new Date().toISOString();
  const organizationId = randomUUID();
  const eventId = randomUUID();
  const typeId = randomUUID();
  await db.insertInto("organizations").values({ id: organizationId, name: "Bench Org", slug: `bench-${organizationId.slice(0, 8)}`, created_at: now, updated_at: now }).execute();
  await db
    .insertInto("events")
    .values({
      id: eventId, organization_id: organizationId, slug: `bench-${eventId.slice(0, 8)}`, title: "Bench Conf", time_zone: "UTC", currency: "eur", status: "approved",
      starts_at: new Date(Date.now() + 86_400_000).toISOString(), ends_at: new Date(Date.now() + 90_000_000).toISOString(), created_at: now, updated_at: now,
    })
    .execute();
  await db.insertInto("ticket_types").values({ id: typeId, event_id: eventId, name: "Pass", price, currency: "eur", quantity: SEATS, created_at: now, updated_at: now }).execute();
  return { eventId, typeId };
}

/** BUYERS accounts, each with a session cookie (inserted directly: the bench is about checkout, not sign-up). */
async function buyers(round: string): Promise<{ email: string; cookie: string }[]> {
  const now = new Date().toISOString();
  const rows = Array.from({ length: BUYERS }, (_, i) => ({
    id: randomUUID(), email: `${round}-${i}@bench.test`, display_name: `Buyer ${i}`, password_hash: null, role: "user" as const, created_at: now, updated_at: now, email_verified_at: now,
  }));
  for (let i = 0; i < rows.length; i += 200) await db.insertInto("users").values(rows.slice(i, i + 200)).execute();
  return Promise.all(rows.map(async (u) => ({ email: u.email, cookie: `plenary_session=${(await createSession(db, u.id, { userAgent: "bench", ip: "127.0.0.1" }, 1)).token}` })));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

type Rush = { elapsed: number; latencies: number[]; statuses: Map<string, number> };

/** Every buyer sends one request at the same moment. */
async function rush(people: { email: string; cookie: string }[], request: (p: { email: string; cookie: string }, i: number) => Promise<Response>): Promise<Rush> {
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  const started = performance.now();
  await Promise.all(
    people.map(async (p, i) => {
      const t = performance.now();
      const response = await request(p, i);
      const body = (await response.json()) as { error?: { code: string } };
      latencies.push(performance.now() - t);
      const key = response.ok ? String(response.status) : `${response.status} ${body.error?.code ?? ""}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }),
  );
  latencies.sort((a, b) => a - b);
  return { elapsed: (performance.now() - started) / 1_000, latencies, statuses };
}

const summary = (r: Rush) =>
  `${(BUYERS / r.elapsed).toFixed(0)} requests/s, p50 ${percentile(r.latencies, 50).toFixed(0)} ms, p99 ${percentile(r.latencies, 99).toFixed(0)} ms`;

type RoundResult = { ok: boolean; ordersPerSecond: number };

async function round(name: string, price: number): Promise<RoundResult> {
  const { eventId, typeId } = await seed(price);
  const people = await buyers(name);
  // Baseline in the same run: the same buyers at once on a signed-in read (session check + one row).
  const baseline = await rush(people, (p) => fetch(`${server.url}/api/account`, { headers: { cookie: p.cookie } }));
  const result = await rush(people, (p, i) =>
    fetch(`${server.url}/api/events/${eventId}/checkout`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: p.cookie, origin: server.url, "idempotency-key": randomUUID() },
      body: JSON.stringify({ seats: [{ ticketTypeId: typeId, name: `Buyer ${i}`, email: p.email }] }),
    }),
  );
  const type = await db.selectFrom("ticket_types").select(["sold", "held", "quantity"]).where("id", "=", typeId).executeTakeFirstOrThrow();
  const orders = await db.selectFrom("orders").select((eb) => eb.fn.countAll<number>().as("n")).where("event_id", "=", eventId).executeTakeFirstOrThrow();
  const statuses = result.statuses;
  const ok = type.sold + type.held === SEATS && statuses.get("201") === SEATS && Number(orders.n) === SEATS && (statuses.get("409 sold_out") ?? 0) === BUYERS - SEATS;
  console.log(`${name} tickets, ${BUYERS} buyers for ${SEATS} seats`);
  console.log(`  baseline GET /api/account: ${summary(baseline)}`);
  console.log(`  checkout: ${summary(result)}, ${(SEATS / result.elapsed).toFixed(1)} orders/s; ${(result.elapsed / baseline.elapsed).toFixed(1)}× the baseline's time`);
  console.log(`  sold ${type.sold}, held ${type.held}, orders ${orders.n}; answers ${JSON.stringify(Object.fromEntries(statuses))} ${ok ? "OK" : "WRONG"}`);
  return { ok, ordersPerSecond: SEATS / result.elapsed };
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const perSetting = new Map<string, { free: number; paid: number }>();
let ok = true;
try {
  for (const synchronous of SETTINGS) {
    server = await startServer({
      env: {
        PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "1000000",
        // Every simulated buyer comes from loopback: the checkout rate limit would turn them away.
        PLENARY_CHECKOUT_MAX_PER_IP_PER_MINUTE: "1000000",
        PLENARY_CHECKOUT_MAX_PER_BUYER_PER_MINUTE: "1000000",
        PLENARY_DATABASE_SYNCHRONOUS: synchronous,
        ...stripe.serverEnv,
      },
    });
    db = openSqlite({ file: path.join(server.dataDir, "plenary.sqlite") });
    try {
      console.log(`database.synchronous = "${synchronous}" (load average ${load()})`);
      const free = await round("free", 0);
      const paid = free.ok ? await round("paid", 2_500) : { ok: false, ordersPerSecond: 0 };
      ok &&= free.ok && paid.ok;
      perSetting.set(synchronous, { free: free.ordersPerSecond, paid: paid.ordersPerSecond });
    } finally {
      await db.destroy();
      await server.stop();
    }
  }
} finally {
  await stripe.close();
}
const full = perSetting.get("full");
const normal = perSetting.get("normal");
if (full && normal) {
  console.log(`orders/s, full vs normal (load average now ${load()}):`);
  for (const kind of ["free", "paid"] as const) {
    console.log(`  ${kind}: full ${full[kind].toFixed(1)}, normal ${normal[kind].toFixed(1)}; full is ${(full[kind] / normal[kind]).toFixed(2)}× normal`);
  }
}
if (!ok) {
  console.error("seat count wrong: oversold, undersold or an unexpected answer");
  process.exit(1);
}
