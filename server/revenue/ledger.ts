/**
 * The revenue ledger: every sale, provider fee (processing and dispute fees), platform
 * commission, refund, dispute and payout is one signed row (+ the organization gains, − it
 * loses), so reports are sums. Each row is in the currency the money moved in: a sale in its
 * checkout's currency, a provider fee in the one the provider states it in (which may differ).
 * A row is unique per (kind, reference), the reference being the provider object behind it,
 * so recording the same payment, refund or dispute twice (a webhook delivered again, a
 * retried request) changes nothing.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable, Transaction } from "kysely";
import type { DB, LedgerKind, OrdersTable } from "../db/schema.ts";
import type { DisputeFee, Payment } from "../payments/provider.ts";

type Db = Kysely<DB> | Transaction<DB>;

export type LedgerEntryInput = {
  organizationId: string;
  eventId: string | null;
  orderId: string | null;
  kind: LedgerKind;
  /** Signed minor units. */
  amount: number;
  currency: string;
  reference: string;
  at?: Date;
};

/** Writes one entry unless its (kind, reference) is already there; true when it was written. */
export async function recordEntry(db: Db, entry: LedgerEntryInput): Promise<boolean> {
  const result = await db
    .insertInto("ledger_entries")
    .values({
      id: randomUUID(),
      organization_id: entry.organizationId,
      event_id: entry.eventId,
      order_id: entry.orderId,
      kind: entry.kind,
      amount: entry.amount,
      currency: entry.currency,
      reference: entry.reference,
      created_at: (entry.at ?? new Date()).toISOString(),
    })
    .onConflict((oc) => oc.columns(["kind", "reference"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Where an order's money is booked: its event's organization. */
export async function orderOwner(db: Db, order: Pick<Selectable<OrdersTable>, "event_id">): Promise<{ organizationId: string; eventId: string }> {
  const event = await db.selectFrom("events").select(["id", "organization_id"]).where("id", "=", order.event_id).executeTakeFirstOrThrow();
  return { organizationId: event.organization_id, eventId: event.id };
}

/**
 * Books a paid order: the sale (+), the provider's fee (−, when the provider has told it) and
 * the platform's commission (−). Called by the order flow in the transaction that marks the
 * order paid; calling it again for the same payment writes nothing more.
 */
export async function recordPayment(trx: Transaction<DB>, input: { order: Selectable<OrdersTable>; payment: Payment }): Promise<void> {
  const { order, payment } = input;
  const owner = await orderOwner(trx, order);
  const at = order.paid_at ? new Date(order.paid_at) : new Date();
  const base = { ...owner, orderId: order.id, currency: payment.currency || order.currency, reference: payment.id, at };
  await recordEntry(trx, { ...base, kind: "sale", amount: payment.amount });
  await recordFee(trx, order, payment, at);
  // The application fee the provider kept; when the organizer is not paid through Connect the
  // platform holds the money and the order's own commission is what it keeps.
  const commission = payment.applicationFee > 0 ? payment.applicationFee : order.commission;
  if (commission > 0) await recordEntry(trx, { ...base, kind: "commission", amount: -commission });
}

/**
 * Books the provider's processing fee (−) of a payment once the provider has told it; Stripe
 * may tell it only after the payment (the charge's balance transaction), so this runs again
 * from that webhook and writes the entry the first time the fee is known. The fee is booked in
 * the currency the provider states it in (the settlement currency, USD for a EUR sale settled
 * in USD), never relabelled as the sale's: reports keep each currency apart.
 */
export async function recordFee(db: Db, order: Pick<Selectable<OrdersTable>, "id" | "event_id">, payment: Payment, at = new Date()): Promise<boolean> {
  const fee = payment.processorFee;
  if (fee === null || fee.amount <= 0) return false;
  const owner = await orderOwner(db, order);
  return recordEntry(db, { ...owner, orderId: order.id, kind: "provider_fee", amount: -fee.amount, currency: fee.currency, reference: payment.id, at });
}

/**
 * Books what the provider charged (−) or gave back (+) for handling a dispute of the order, as
 * `provider_fee` referenced by the provider's balance movement: each movement once, so the
 * fee taken with the withdrawal and its return with the reinstatement net to zero, in any
 * order and however often the events showing them arrive.
 */
export async function recordDisputeFee(db: Db, order: Pick<Selectable<OrdersTable>, "id" | "event_id">, fee: DisputeFee): Promise<boolean> {
  if (fee.amount === 0) return false;
  const owner = await orderOwner(db, order);
  return recordEntry(db, { ...owner, orderId: order.id, kind: "provider_fee", amount: -fee.amount, currency: fee.currency, reference: fee.id, at: fee.at });
}

/** Books a settled refund (−) against its order. */
export async function recordRefund(
  db: Db,
  input: { order: Pick<Selectable<OrdersTable>, "id" | "event_id" | "currency">; reference: string; amount: number; at?: Date },
): Promise<void> {
  const owner = await orderOwner(db, input.order);
  await recordEntry(db, { ...owner, orderId: input.order.id, kind: "refund", amount: -input.amount, currency: input.order.currency, reference: input.reference, at: input.at });
}
