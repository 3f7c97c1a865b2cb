/**
 * For the revenue tests only: a migrated SQLite file, the real StripeProvider talking to the
 * Stripe stand-in, orders paid through the stand-in's hosted checkout and booked with
 * `recordPayment` (as the order flow does), and the stand-in's signed webhooks verified by the
 * provider and applied the way the order flow's dispatcher applies refund and dispute events.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import * as seed from "../../test/support/seed.ts";
import { StripeStandin } from "../../test/support/stripe-standin/index.ts";
import { WebhookReceiver } from "../../test/support/stripe-standin/receiver.ts";
import { configSchema } from "../config/index.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { DB } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import { commissionFor } from "../payments/commission.ts";
import { type PaymentEvent, type PaymentProvider, paymentProviderFrom } from "../payments/index.ts";
import { recordPayment } from "./ledger.ts";
import { applyDisputeEvent, applyPayoutEvent, applyRefundEvent } from "./settlement.ts";

export type Seat = { ticketTypeId: string; unitAmount: number; discount?: number };

export class RevenueFixture {
  readonly db: Kysely<DB>;
  readonly provider: PaymentProvider;
  readonly standin: StripeStandin;
  readonly receiver: WebhookReceiver;
  // Temp folder with the database.
  readonly #dir: string;
  // Webhooks already applied.
  #applied = 0;

  private constructor(dir: string, db: Kysely<DB>, standin: StripeStandin, receiver: WebhookReceiver) {
    this.#dir = dir;
    this.db = db;
    this.standin = standin;
    this.receiver = receiver;
    const config = configSchema.parse({
      stripe: { secret_key: standin.apiKey, webhook_secret: standin.webhooks.secret, api_host: "127.0.0.1", api_port: standin.port, api_protocol: "http", max_network_retries: 0 },
    });
    this.provider = paymentProviderFrom(config)!;
  }

  /** `exchangeRates`: the stand-in's fixed rates, for tests where an account settles in another currency (`standin.settleIn`). */
  static async start(options: { refundStatus?: "pending" | "succeeded"; exchangeRates?: Record<string, number> } = {}): Promise<RevenueFixture> {
    const dir = mkdtempSync(path.join(tmpdir(), "plenary-revenue-"));
    const db = openSqlite({ file: path.join(dir, "plenary.sqlite") });
    await migrateToLatest(db as Kysely<unknown>);
    const receiver = await WebhookReceiver.start();
    const standin = await StripeStandin.start({ webhookUrl: receiver.url, refundStatus: options.refundStatus ?? "pending", exchangeRates: options.exchangeRates });
    return new RevenueFixture(dir, db, standin, receiver);
  }

  async close() {
    await this.standin.close();
    await this.receiver.close();
    await this.db.destroy();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async user(email: string): Promise<string> {
    return seed.user(this.db, { email });
  }

  async organization(ownerId: string, details: { commissionBp?: number | null; legalAddress?: string; vatId?: string } = {}): Promise<string> {
    const id = randomUUID();
    return (await seed.write(this.db, seed.organization({ id, name: "Acme Events", slug: `acme-${id.slice(0, 8)}`, ownerId, ...details }))).id;
  }

  async event(organizationId: string, policy: { startsInHours?: number; cancelDeadlineHours?: number | null; cancelFeeBp?: number; vatRateBp?: number; vatInclusive?: boolean } = {}): Promise<string> {
    const { startsInHours = 72, ...rest } = policy;
    const startsAt = new Date(Date.now() + startsInHours * 3_600_000).toISOString();
    return (await seed.write(this.db, seed.event({ organizationId, title: "Revenue Summit", timeZone: "Europe/Paris", startsAt, ...rest }))).id;
  }

  async ticketType(eventId: string, price: number, quantity = 100): Promise<string> {
    return (await seed.write(this.db, seed.ticketType({ eventId, name: price > 0 ? "Conference pass" : "Free pass", price, quantity }))).id;
  }

  /**
   * A completed order with one ticket per seat. Paid orders are paid at the stand-in's hosted
   * checkout and booked with recordPayment; `total` is the seats' net sum plus tax.
   */
  async order(eventId: string, userId: string | null, seats: Seat[], options: { commissionBp?: number; tax?: number; vatRateBp?: number } = {}) {
    const orderId = randomUUID();
    const { total } = seed.orderAmounts(seats, options.tax);
    let paymentId: string | null = null;
    if (total > 0) {
      const checkout = await this.provider.createCheckout({
        orderId,
        currency: "eur",
        lines: [{ name: "Order", unitAmount: total, quantity: 1 }],
        successUrl: "http://127.0.0.1/success",
        cancelUrl: "http://127.0.0.1/cancel",
        expiresAt: new Date(Date.now() + 3_600_000),
        idempotencyKey: `checkout-${orderId}`,
      });
      this.standin.pay(checkout.id);
      paymentId = (await this.provider.retrieveCheckout(checkout.id)).paymentId;
    }
    const payment = paymentId ? await this.provider.retrievePayment(paymentId) : null;
    const rows = seed.order({
      id: orderId, eventId, userId, buyerName: "Bea Buyer", buyerEmail: "bea@example.org", paymentId,
      tax: options.tax, commission: commissionFor(total, options.commissionBp ?? 0), vatRateBp: options.vatRateBp,
      seats: seats.map((seat, i) => ({ ...seat, holderName: `Holder ${i + 1}`, holderEmail: `holder${i + 1}@example.org` })),
    });
    await this.db.transaction().execute(async (trx) => {
      await seed.write(trx, rows);
      const order = await trx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirstOrThrow();
      if (payment) await recordPayment(trx, { order, payment });
    });
    return { orderId, ticketIds: rows.result.tickets.map((ticket) => ticket.id), paymentId, total };
  }

  /** Verifies and applies every webhook delivered since the last call; returns their types. */
  async applyWebhooks(): Promise<PaymentEvent[]> {
    await this.standin.webhooks.idle();
    const events: PaymentEvent[] = [];
    for (const delivery of this.receiver.received.slice(this.#applied)) {
      this.#applied += 1;
      const event = await this.provider.parseWebhook(delivery.body, { "stripe-signature": delivery.signature });
      await this.apply(event);
      events.push(event);
    }
    return events;
  }

  /** Applies one event as the dispatcher does (each inside its own transaction). */
  async apply(event: PaymentEvent) {
    return this.db.transaction().execute(async (trx) => {
      if (event.type === "refund.updated" || event.type === "payment.refunded") return applyRefundEvent(trx, event);
      if (event.type === "dispute.opened" || event.type === "dispute.updated") return applyDisputeEvent(trx, event);
      if (event.type === "payout.updated") return applyPayoutEvent(trx, event);
      return null;
    });
  }

  async ledger(orderId: string) {
    return this.db.selectFrom("ledger_entries").select(["kind", "amount", "reference"]).where("order_id", "=", orderId).orderBy("created_at").orderBy("kind").execute();
  }
}
