/**
 * One Plenary server for the checkout tests, configured for the Stripe stand-in (which posts
 * its signed webhooks to the server's real endpoint) and a real SMTP server, with helpers to
 * set up an organizer's event, sign buyers up, check out, and move an order's clock.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import SQLite from "better-sqlite3";
import { firstAdmin, verifiedUser } from "../support/accounts.ts";
import { EventFixture } from "../support/event-fixture.ts";
import type { ApiResponse, TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";
import { StripeStandin } from "../support/stripe-standin/index.ts";

export type CheckoutWorld = {
  server: TestServer;
  smtp: TestSmtpServer;
  stripe: StripeStandin;
  fixture: EventFixture;
  /** The server's database, for what tests check or move directly (counters, clocks). */
  sql: SQLite.Database;
  close(): Promise<void>;
};

export async function startCheckoutWorld(options: { stripe?: boolean; env?: Record<string, string> } = {}): Promise<CheckoutWorld> {
  const smtp = await TestSmtpServer.start();
  const stripe = await StripeStandin.start({ retryDelaysMs: [50, 100, 200] });
  const server = await startServer({
    env: {
      ...smtp.env,
      PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "100000",
      // Many buyers from one address (loopback); the limit itself is tested in checkout-limit.test.ts.
      PLENARY_CHECKOUT_MAX_PER_IP_PER_MINUTE: "100000",
      PLENARY_CHECKOUT_MAX_PER_BUYER_PER_MINUTE: "100000",
      PLENARY_JOBS_POLL_INTERVAL_MS: "50",
      ...(options.stripe === false ? {} : stripe.serverEnv),
      ...options.env,
    },
  });
  stripe.webhooks.url = `${server.url}/api/payments/stripe/webhook`;
  // A claimed server: until an admin exists every page leads to the first-run form.
  await firstAdmin(server);
  const fixture = new EventFixture(server);
  const sql = new SQLite(path.join(server.dataDir, "plenary.sqlite"));
  sql.pragma("busy_timeout = 5000");
  return {
    server, smtp, stripe, fixture, sql,
    async close() {
      sql.close();
      fixture.close();
      await server.stop();
      await stripe.close();
      await smtp.close();
    },
  };
}

let people = 0;
export async function buyer(world: CheckoutWorld, name = "buyer"): Promise<{ client: TestClient; email: string }> {
  const email = `${name}-${++people}-${randomUUID().slice(0, 6)}@example.org`;
  return { client: await verifiedUser(world.server, world.smtp, email, name), email };
}

/** An organizer with an approved event; `client` manages its tickets through the API. */
export async function organizerEvent(world: CheckoutWorld, title = "Checkout Conf") {
  const { client, email } = await buyer(world, "organizer");
  const { organizationId, eventId } = world.fixture.event(email, title);
  return { client, email, organizationId, eventId };
}

export async function createTicketType(client: TestClient, eventId: string, input: Record<string, unknown>) {
  const response = await client.post(`/api/events/${eventId}/ticket-types`, { name: "General", price: 0, quantity: 100, ...input });
  if (response.status !== 201) throw new Error(`ticket type: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.ticketType as { id: string; price: number; quantity: number };
}

export function checkout(client: TestClient, eventId: string, body: Record<string, unknown>, key: string | null = randomUUID()): Promise<ApiResponse> {
  return client.request("POST", `/api/events/${eventId}/checkout`, body, key ? { "idempotency-key": key } : {});
}

export function seat(ticketTypeId: string, name = "Ada Lovelace", email = "ada@example.org", answers: Record<string, unknown> = {}) {
  return { ticketTypeId, name, email, answers };
}

export function seatCounts(world: CheckoutWorld, ticketTypeId: string): { sold: number; held: number; quantity: number } {
  return world.sql.prepare("select sold, held, quantity from ticket_types where id = ?").get(ticketTypeId) as { sold: number; held: number; quantity: number };
}

export function orderRow(world: CheckoutWorld, orderId: string): { status: string; checkout_id: string | null; payment_id: string | null; total: number; commission: number } {
  return world.sql.prepare("select * from orders where id = ?").get(orderId) as never;
}

/** Moves an order's seat hold (and the job that ends it) into the past, as if its minutes had gone by. */
export function expireHoldNow(world: CheckoutWorld, orderId: string) {
  const past = new Date(Date.now() - 1_000).toISOString();
  world.sql.prepare("update orders set hold_expires_at = ? where id = ?").run(past, orderId);
  const moved = world.sql.prepare("update jobs set run_at = ? where key = ? and status = 'queued'").run(past, `hold:${orderId}`);
  if (moved.changes !== 1) throw new Error(`no queued hold job for order ${orderId}`);
}

/** Polls until the check passes (the server acts on webhooks and jobs in the background). */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
