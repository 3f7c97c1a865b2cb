/**
 * The demo's orders: free passes for sample attendees and a few paid Supporter passes booked
 * in the ledger exactly as a Stripe sale settles (sale, Stripe's fee, the platform's
 * commission), on the last few days, so the revenue pages show figures on a fresh install.
 * Paid orders carry made-up `pi_demo_…` payment ids: refunding them would reach no provider.
 */
import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { DB } from "../db/schema.ts";
import { commissionFor } from "../payments/commission.ts";
import { recordPayment } from "../revenue/ledger.ts";
import { freshShortCode } from "../tickets/issue.ts";
import type { TicketKeys } from "../tickets/ticket-keys.ts";

export type DemoPerson = { name: string; email: string };
export type DemoOrder = { name: string; email: string; ticketId: string; orderId: string; total: number };

/** Stripe's standard European card fee, as the stand-in and the demo book it: 2.9 % + 30 cents. */
export const demoStripeFee = (amount: number) => Math.round((amount * 290) / 10_000) + 30;

/**
 * A sample person (who cannot log in: no password) with one paid order of one ticket of the
 * type; a priced ticket is booked in the ledger at `paidAt` with the commission at `commissionBp`.
 */
export async function insertDemoOrder(
  trx: Transaction<DB>,
  ticketKeys: TicketKeys,
  input: { eventId: string; ticketTypeId: string; price: number; person: DemoPerson; paidAt: Date; commissionBp: number },
): Promise<DemoOrder> {
  const { person, price } = input;
  const at = input.paidAt.toISOString();
  const stamps = { created_at: at, updated_at: at };
  const userId = randomUUID();
  await trx
    .insertInto("users")
    .values({ id: userId, email: person.email, display_name: person.name, password_hash: null, role: "user", email_verified_at: at, ...stamps })
    .execute();
  const orderId = randomUUID();
  const itemId = randomUUID();
  const ticketId = randomUUID();
  const paymentId = price > 0 ? `pi_demo_${orderId.replaceAll("-", "").slice(0, 24)}` : null;
  const commission = commissionFor(price, input.commissionBp);
  const order = await trx
    .insertInto("orders")
    .values({
      id: orderId, event_id: input.eventId, user_id: userId, buyer_name: person.name, buyer_email: person.email, status: "paid",
      currency: "eur", subtotal: price, total: price, commission, provider: price > 0 ? "stripe" : "free", payment_id: paymentId, paid_at: at, ...stamps,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto("order_items")
    .values({ id: itemId, order_id: orderId, ticket_type_id: input.ticketTypeId, unit_amount: price, holder_name: person.name, holder_email: person.email })
    .execute();
  const code = ticketKeys.sign({ ticketId, eventId: input.eventId, ticketTypeId: input.ticketTypeId, issuedAt: input.paidAt });
  await trx
    .insertInto("tickets")
    .values({
      id: ticketId, order_id: orderId, order_item_id: itemId, event_id: input.eventId, ticket_type_id: input.ticketTypeId, user_id: userId,
      holder_name: person.name, holder_email: person.email, code, short_code: await freshShortCode(trx, input.eventId), ...stamps,
    })
    .execute();
  if (paymentId) {
    await recordPayment(trx, { order, payment: { id: paymentId, amount: price, currency: "eur", processorFee: { amount: demoStripeFee(price), currency: "eur" }, applicationFee: commission, amountRefunded: 0 } });
  }
  return { name: person.name, email: person.email, ticketId, orderId, total: price };
}
