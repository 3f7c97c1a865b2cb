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
import { StripeStandin } from "../../test/support/stripe-standin/index.ts";
import { WebhookReceiver } from "../../test/support/stripe-standin/receiver.ts";
import { createUser } from "../accounts/users.ts";
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
    return (await createUser(this.db, { email, displayName: email.split("@")[0], password: "revenue password 1" }, "user", { emailVerified: true })).id;
  }

  async organization(ownerId: string, details: { commissionBp?: number | null; legalAddress?: string; vatId?: string } = {}): Promise<string> {
    const id = randomUUID();
    const now = new Date().toISOString();
    await this.db
      .insertInto("organizations")
      .values({ id, name: "Acme Events", slug: `acme-${id.slice(0, 8)}`, created_at: now, updated_at: now, commission_bp: details.commissionBp ?? null, legal_address: details.legalAddress ?? "", vat_id: details.vatId ?? "" })
      .execute();
    await this.db.insertInto("organization_members").values({ organization_id: id, user_id: ownerId, role: "owner", created_at: now }).execute();
    return id;
  }

  async event(organizationId: string, policy: { startsInHours?: number; cancelDeadlineHours?: number | null; cancelFeeBp?: number; vatRateBp?: number; vatInclusive?: boolean } = {}): Promise<string> {
    const id = randomUUID();
    const now = new Date().toISOString();
    const start = Date.now() + (policy.startsInHours ?? 72) * 3_600_000;
    await this.db
      .insertInto("events")
      .values({
        id,
        organization_id: organizationId,
        slug: `event-${id.slice(0, 8)}`,
        title: "Revenue Summit",
        time_zone: "Europe/Paris",
        starts_at: new Date(start).toISOString(),
        ends_at: new Date(start + 3 * 3_600_000).toISOString(),
        currency: "eur",
        status: "approved",
        cancel_deadline_hours: policy.cancelDeadlineHours ?? null,
        cancel_fee_bp: policy.cancelFeeBp ?? 0,
        vat_rate_bp: policy.vatRateBp ?? 0,
        vat_inclusive: policy.vatInclusive === false ? 0 : 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }

  async ticketType(eventId: string, price: number, quantity = 100): Promise<string> {
    const id = randomUUID();
    const now = new Date().toISOString();
    await this.db.insertInto("ticket_types").values({ id, event_id: eventId, name: price > 0 ? "Conference pass" : "Free pass", price, currency: "eur", quantity, created_at: now, updated_at: now }).execute();
    return id;
  }

  /**
   * A completed order with one ticket per seat. Paid orders are paid at the stand-in's hosted
   * checkout and booked with recordPayment; `total` defaults to the seats' net sum.
   */
  async order(eventId: string, userId: string | null, seats: Seat[], options: { commissionBp?: number; tax?: number; vatRateBp?: number } = {}) {
    const orderId = randomUUID();
    const now = new Date().toISOString();
    const subtotal = seats.reduce((s, seat) => s + seat.unitAmount, 0);
    const discount = seats.reduce((s, seat) => s + (seat.discount ?? 0), 0);
    const total = subtotal - discount + (options.tax ?? 0);
    const paid = total > 0;
    let paymentId: string | null = null;
    if (paid) {
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
    const ticketIds: string[] = [];
    await this.db.transaction().execute(async (trx) => {
      const order = await trx
        .insertInto("orders")
        .values({
          id: orderId,
          event_id: eventId,
          user_id: userId,
          buyer_name: "Bea Buyer",
          buyer_email: "bea@example.org",
          status: "paid",
          currency: "eur",
          subtotal,
          discount,
          tax: options.tax ?? 0,
          total,
          commission: commissionFor(total, options.commissionBp ?? 0),
          vat_rate_bp: options.vatRateBp ?? 0,
          provider: paid ? "stripe" : "free",
          payment_id: paymentId,
          created_at: now,
          updated_at: now,
          paid_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      for (const [i, seat] of seats.entries()) {
        const itemId = randomUUID();
        const ticketId = randomUUID();
        ticketIds.push(ticketId);
        await trx.insertInto("order_items").values({ id: itemId, order_id: orderId, ticket_type_id: seat.ticketTypeId, unit_amount: seat.unitAmount, discount: seat.discount ?? 0, holder_name: `Holder ${i + 1}`, holder_email: `holder${i + 1}@example.org` }).execute();
        await trx
          .insertInto("tickets")
          .values({ id: ticketId, order_id: orderId, order_item_id: itemId, event_id: eventId, ticket_type_id: seat.ticketTypeId, user_id: userId, holder_name: `Holder ${i + 1}`, holder_email: `holder${i + 1}@example.org`, code: `code-${ticketId}`, created_at: now, updated_at: now })
          .execute();
        await trx.updateTable("ticket_types").set((eb) => ({ sold: eb("sold", "+", 1) })).where("id", "=", seat.ticketTypeId).execute();
      }
      if (payment) await recordPayment(trx, { order, payment });
    });
    return { orderId, ticketIds, paymentId, total };
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
