/**
 * For the revenue and refund end-to-end tests: the real server configured with the Stripe
 * stand-in as its provider (webhooks posted to the server's own endpoint), and paid orders
 * bought through the real checkout route and paid at the stand-in.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import SQLite from "better-sqlite3";
import { EventFixture } from "../support/event-fixture.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";
import { StripeStandin } from "../support/stripe-standin/index.ts";

export type RevenueWorld = {
  server: TestServer;
  smtp: TestSmtpServer;
  standin: StripeStandin;
  fixture: EventFixture;
  /** The server's database, for setting up what has no route of its own here and for checks. */
  sql: SQLite.Database;
  close(): Promise<void>;
};

/** `exchangeRates`: the stand-in's fixed rates, for organizers whose account settles in another currency (`standin.settleIn`). */
export async function startRevenueWorld(options: { refundStatus?: "pending" | "succeeded"; exchangeRates?: Record<string, number> } = {}): Promise<RevenueWorld> {
  const smtp = await TestSmtpServer.start();
  const standin = await StripeStandin.start({ refundStatus: options.refundStatus ?? "pending", exchangeRates: options.exchangeRates });
  const configToml = [
    "[stripe]",
    `secret_key = "${standin.apiKey}"`,
    `webhook_secret = "${standin.webhooks.secret}"`,
    'api_host = "127.0.0.1"',
    `api_port = ${standin.port}`,
    'api_protocol = "http"',
    "max_network_retries = 0",
  ].join("\n");
  const start = () => startServer({ configToml, env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000", PLENARY_CHECKOUT_MAX_PER_IP_PER_MINUTE: "10000", PLENARY_CHECKOUT_MAX_PER_BUYER_PER_MINUTE: "10000" } });
  // More tries when a busy machine (2 cores, several suites at once) makes a start slow.
  const retrySlow = (error: Error) => (/did not start/.test(error.message) ? start() : Promise.reject(error));
  const server = await start().catch(retrySlow).catch(retrySlow);
  standin.webhooks.url = `${server.url}/api/payments/stripe/webhook`;
  const sql = new SQLite(path.join(server.dataDir, "plenary.sqlite"));
  sql.pragma("busy_timeout = 5000");
  const fixture = new EventFixture(server);
  return {
    server,
    smtp,
    standin,
    fixture,
    sql,
    async close() {
      sql.close();
      fixture.close();
      await server.stop();
      await standin.close();
      await smtp.close();
    },
  };
}

/** A paid ticket type on sale now. */
export function paidTicketType(world: RevenueWorld, eventId: string, price: number, name = "Conference pass"): string {
  return world.fixture.ticketType(eventId, name, 100, price).id;
}

/**
 * An event of `ownerEmail`'s new organization, paid out to a connected account that settles in
 * `currency` (the stand-in converts at the world's `exchangeRates`), with one ticket type at `price`.
 */
export async function eventSettlingIn(world: RevenueWorld, ownerEmail: string, title: string, currency: string, price: number, commissionBp: number | null = null) {
  const { eventId, organizationId } = world.fixture.event(ownerEmail, title);
  const typeId = paidTicketType(world, eventId, price);
  const account = await world.standin.client().accounts.create({ type: "express", country: "US", email: ownerEmail });
  world.standin.settleIn(account.id, currency);
  world.sql.prepare("update organizations set payout_account_id = ?, payout_ready = 1, commission_bp = ? where id = ?").run(account.id, commissionBp, organizationId);
  return { eventId, organizationId, typeId };
}

/** Checks out `seats` tickets as the client and returns the hosted checkout's session id. */
export async function checkout(world: RevenueWorld, buyer: TestClient, eventId: string, ticketTypeId: string, seats: number) {
  const placed = await buyer.request(
    "POST",
    `/api/events/${eventId}/checkout`,
    { seats: Array.from({ length: seats }, (_, i) => ({ ticketTypeId, name: `Guest ${i + 1}`, email: `guest${i + 1}@example.org` })) },
    { "idempotency-key": randomUUID() },
  );
  if (placed.status !== 201) throw new Error(`checkout failed: ${placed.status} ${JSON.stringify(placed.body)}`);
  const url = new URL(placed.body.checkoutUrl as string);
  return { orderId: placed.body.order.id as string, sessionId: url.pathname.split("/").pop()!, url: url.toString() };
}

/** Buys and pays: the order is paid once the stand-in's webhooks have been answered. */
export async function buy(world: RevenueWorld, buyer: TestClient, eventId: string, ticketTypeId: string, seats: number) {
  const { orderId, sessionId } = await checkout(world, buyer, eventId, ticketTypeId, seats);
  world.standin.pay(sessionId);
  await world.standin.webhooks.idle();
  const order = world.sql.prepare("select status, payment_id, total from orders where id = ?").get(orderId) as { status: string; payment_id: string; total: number };
  if (order.status !== "paid") throw new Error(`order ${orderId} is ${order.status} after payment`);
  const tickets = (world.sql.prepare("select id from tickets where order_id = ? order by created_at, id").all(orderId) as { id: string }[]).map((t) => t.id);
  return { orderId, paymentId: order.payment_id, total: order.total, tickets };
}
