/**
 * Refunds and disputes as the payment provider reports them. A refund is asked for by
 * `refunds.ts` and stays pending until the provider's webhook says it succeeded; only then
 * is it booked in the ledger, its tickets marked refunded and their seats released, and the
 * order's refunded amount and status moved on. The order flow's webhook dispatcher calls
 * `applyRefundEvent` and `applyDisputeEvent` in the transaction that records the event id,
 * so each provider event is applied once.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable, Transaction } from "kysely";
import { accessLost } from "../accounts/access-signals.ts";
import type { DB, OrdersTable, RefundsTable } from "../db/schema.ts";
import { insertJob } from "../jobs/store.ts";
import type { DisputeState, PaymentEvent } from "../payments/provider.ts";
import { orderOwner, recordDisputeFee, recordEntry, recordRefund } from "./ledger.ts";

type Db = Kysely<DB> | Transaction<DB>;

/** The job kind that e-mails the buyer about a settled refund (defined in server/ticketing/jobs.ts). */
export const JOB_REFUND_SETTLED_MAIL = "refunds.settled_mail";

export type RefundEvent = Extract<PaymentEvent, { type: "refund.updated" | "payment.refunded" }>;
export type DisputeEvent = Extract<PaymentEvent, { type: "dispute.opened" | "dispute.updated" }>;
export type ApplyOutcome = "applied" | "unchanged" | "unknown_order";
/** What a refund event did, and the ticket types that got seats back (for the waitlist). */
export type RefundApplied = { outcome: ApplyOutcome; releasedTicketTypeIds: string[] };

/**
 * Tickets no longer valid: marked with a status and a reason the scanner shows, and their seats
 * given back to their ticket types. Returns the tickets that were valid until now.
 */
export async function releaseTickets(db: Db, ticketIds: string[], status: "cancelled" | "refunded" | "revoked", reason: string): Promise<{ id: string; ticket_type_id: string }[]> {
  if (ticketIds.length === 0) return [];
  const now = new Date().toISOString();
  const wasValid = await db.selectFrom("tickets").select(["id", "ticket_type_id", "user_id", "event_id"]).where("id", "in", ticketIds).where("status", "=", "valid").execute();
  if (wasValid.length > 0) {
    await db.updateTable("tickets").set({ status, status_reason: reason, updated_at: now }).where("id", "in", wasValid.map((t) => t.id)).execute();
    // Heard once this transaction is done: the holders' live subscriptions are checked again.
    for (const t of wasValid) if (t.user_id) accessLost({ userId: t.user_id, eventId: t.event_id, reason: `ticket_${status}` });
    const perType = new Map<string, number>();
    for (const t of wasValid) perType.set(t.ticket_type_id, (perType.get(t.ticket_type_id) ?? 0) + 1);
    for (const [typeId, seats] of perType) {
      await db
        .updateTable("ticket_types")
        .set((eb) => ({ sold: eb("sold", "-", seats), updated_at: now }))
        .where("id", "=", typeId)
        .execute();
    }
  }
  // A ticket cancelled earlier by the attendee is refunded now: its seat was already released.
  if (status === "refunded") {
    await db.updateTable("tickets").set({ status, updated_at: now }).where("id", "in", ticketIds).where("status", "=", "cancelled").execute();
  }
  return wasValid;
}

const typeIdsOf = (tickets: { ticket_type_id: string }[]) => [...new Set(tickets.map((t) => t.ticket_type_id))];

/**
 * Books a refund the provider confirmed; a refund already settled is left as it is (null).
 * Returns the ticket types whose seats came back.
 */
export async function settleRefund(trx: Transaction<DB>, refund: Selectable<RefundsTable>, at = new Date()): Promise<string[] | null> {
  const moved = await trx
    .updateTable("refunds")
    .set({ status: "succeeded", settled_at: at.toISOString() })
    .where("id", "=", refund.id)
    .where("status", "!=", "succeeded")
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) === 0) return null;
  const order = await trx.selectFrom("orders").selectAll().where("id", "=", refund.order_id).executeTakeFirstOrThrow();
  await recordRefund(trx, { order, reference: refund.provider_refund_id ?? refund.id, amount: refund.amount, at });
  const released = await releaseTickets(trx, JSON.parse(refund.ticket_ids) as string[], "refunded", refund.reason || "Refunded");
  const refunded = order.refunded + refund.amount;
  // Cancelled with a fee kept: no ticket left, not all money back.
  const ticketLeft = await trx.selectFrom("tickets").select("id").where("order_id", "=", order.id).where("status", "=", "valid").executeTakeFirst();
  const status = refunded >= order.total ? "refunded" : ticketLeft ? "partially_refunded" : "cancelled";
  await trx
    .updateTable("orders")
    .set({ refunded, status, updated_at: at.toISOString(), ...(status === "cancelled" ? { cancelled_at: at.toISOString() } : {}) })
    .where("id", "=", order.id)
    .execute();
  return (await eventCancelled(trx, order.event_id)) ? [] : typeIdsOf(released);
}

/** A cancelled event's freed seats go to nobody: its waitlist is not offered them. */
export async function eventCancelled(db: Db, eventId: string): Promise<boolean> {
  const event = await db.selectFrom("events").select("status").where("id", "=", eventId).executeTakeFirst();
  return event?.status === "cancelled";
}

async function orderByPayment(db: Db, paymentId: string | null): Promise<Selectable<OrdersTable> | undefined> {
  if (!paymentId) return undefined;
  return db.selectFrom("orders").selectAll().where("payment_id", "=", paymentId).executeTakeFirst();
}

/**
 * A refund's state from the provider. Its row is found by the provider's refund id; when the
 * webhook overtakes the answer to our own refund request, the pending row of that order and
 * amount still without a provider id is the one; a refund made in the provider's dashboard
 * gets a row of its own. `payment.refunded` carries no refund id and counts pending refunds
 * too, so it settles nothing: each refund's own event does.
 */
export async function applyRefundEvent(trx: Transaction<DB>, event: RefundEvent): Promise<RefundApplied> {
  const result = (outcome: ApplyOutcome, releasedTicketTypeIds: string[] = []): RefundApplied => ({ outcome, releasedTicketTypeIds });
  if (event.type === "payment.refunded") return result("unchanged");
  const { refund } = event;
  let row = await trx.selectFrom("refunds").selectAll().where("provider_refund_id", "=", refund.id).executeTakeFirst();
  if (!row) {
    const order = await orderByPayment(trx, refund.paymentId);
    if (!order) return result("unknown_order");
    // Never completed (paid after its seats were gone and refunded at once): nothing was booked.
    if (order.paid_at === null) return result("unchanged");
    const waiting = await trx
      .selectFrom("refunds")
      .selectAll()
      .where("order_id", "=", order.id)
      .where("provider_refund_id", "is", null)
      .where("status", "=", "pending")
      .where("amount", "=", refund.amount)
      .orderBy("created_at")
      .executeTakeFirst();
    if (waiting) {
      await trx.updateTable("refunds").set({ provider_refund_id: refund.id }).where("id", "=", waiting.id).execute();
      row = { ...waiting, provider_refund_id: refund.id };
    } else {
      row = {
        id: randomUUID(),
        order_id: order.id,
        provider_refund_id: refund.id,
        amount: refund.amount,
        status: "pending",
        reason: "Refunded at the payment provider",
        ticket_ids: "[]",
        created_by: null,
        created_at: event.occurredAt.toISOString(),
        settled_at: null,
      };
      await trx.insertInto("refunds").values(row).execute();
    }
  }
  if (refund.state === "succeeded") {
    const released = await settleRefund(trx, row, event.occurredAt);
    if (!released) return result("unchanged");
    // The buyer is told once the money is on its way back, by a job committed with the settlement.
    await insertJob(trx, { kind: JOB_REFUND_SETTLED_MAIL, key: `refund-settled:${row.id}`, payload: { refundId: row.id }, runAt: event.occurredAt, maxAttempts: 10 });
    return result("applied", released);
  }
  if (refund.state === "failed" || refund.state === "canceled") {
    // A refund that once succeeded and is reported failed later has already been paid out; its
    // reversal would be a new provider object, so only pending refunds fail here.
    const failed = await trx.updateTable("refunds").set({ status: "failed", settled_at: event.occurredAt.toISOString() }).where("id", "=", row.id).where("status", "=", "pending").executeTakeFirst();
    return result(Number(failed.numUpdatedRows) > 0 ? "applied" : "unchanged");
  }
  return result("unchanged");
}

/**
 * A dispute's news, in any order and any number of times. The row keeps the newest state but
 * never leaves a decision (won, lost) for an earlier one. The ledger nets by facts, not by
 * events: a dispute that took money (open, won or lost, or funds_withdrawn) books `dispute`
 * (−amount) once; one that gave it back (won, funds_reinstated) books `dispute_reversal`
 * (+amount) once; so won nets to zero and lost to −amount whatever order events came in.
 * The provider's dispute fee, and its return where the provider gives it back, are booked
 * per balance movement the event shows (a snapshot may show fewer than a later one). A
 * lost dispute marks its order and revokes its tickets (the seller has no money for them).
 */
export async function applyDisputeEvent(trx: Transaction<DB>, event: DisputeEvent): Promise<ApplyOutcome> {
  const order = await orderByPayment(trx, event.paymentId);
  const now = event.occurredAt.toISOString();
  const existing = await trx.selectFrom("disputes").select(["id", "status"]).where("provider_dispute_id", "=", event.disputeId).executeTakeFirst();
  const decided = (status: string | undefined) => status === "won" || status === "lost" || status === "closed";
  const state = existing && decided(existing.status) ? (existing.status as DisputeState) : event.state;
  if (!existing) {
    await trx
      .insertInto("disputes")
      .values({ id: randomUUID(), order_id: order?.id ?? null, provider_dispute_id: event.disputeId, amount: event.amount, currency: event.currency, status: state, reason: event.reason, created_at: now, updated_at: now })
      .execute();
  } else if (existing.status !== state) {
    await trx.updateTable("disputes").set({ status: state, updated_at: now }).where("id", "=", existing.id).execute();
  }
  if (!order) return "unknown_order";
  const change = event.type === "dispute.updated" ? event.change : "updated";
  const owner = await orderOwner(trx, order);
  const entry = { ...owner, orderId: order.id, currency: event.currency, reference: event.disputeId, at: event.occurredAt };
  let changed = !existing || existing.status !== state;
  if (change === "funds_withdrawn" || state === "open" || state === "won" || state === "lost") {
    changed = (await recordEntry(trx, { ...entry, kind: "dispute", amount: -event.amount })) || changed;
  }
  if (change === "funds_reinstated" || state === "won") {
    changed = (await recordEntry(trx, { ...entry, kind: "dispute_reversal", amount: event.amount })) || changed;
  }
  for (const fee of event.fees) changed = (await recordDisputeFee(trx, order, fee)) || changed;
  const orderState = state === "won" || state === "lost" ? state : state === "open" ? "open" : null;
  if (orderState && order.dispute_status !== "lost" && order.dispute_status !== "won" && order.dispute_status !== orderState) {
    await trx.updateTable("orders").set({ dispute_status: orderState, updated_at: now }).where("id", "=", order.id).execute();
  }
  if (state === "lost") {
    const tickets = await trx.selectFrom("tickets").select("id").where("order_id", "=", order.id).execute();
    await releaseTickets(trx, tickets.map((t) => t.id), "revoked", "Revoked: the payment was taken back after a lost dispute");
  }
  return changed ? "applied" : "unchanged";
}

export type PayoutEvent = Extract<PaymentEvent, { type: "payout.updated" }>;

/**
 * A payout from an organization's payout account to its bank: `payout` (−amount, it leaves
 * the balance) once it is paid or failed; a failed or cancelled one also books its return
 * (+amount, reference `<id>:returned`), so the pair nets to zero in whichever order "paid"
 * and "failed" arrive. Payouts belong to the organization, not to an event or order.
 */
export async function applyPayoutEvent(trx: Transaction<DB>, event: PayoutEvent): Promise<ApplyOutcome> {
  const { payout } = event;
  if (!event.accountId || (payout.state !== "paid" && payout.state !== "failed" && payout.state !== "canceled")) return "unchanged";
  const organization = await trx.selectFrom("organizations").select("id").where("payout_account_id", "=", event.accountId).executeTakeFirst();
  if (!organization) return "unknown_order";
  const entry = { organizationId: organization.id, eventId: null, orderId: null, currency: payout.currency, at: event.occurredAt };
  let changed = await recordEntry(trx, { ...entry, kind: "payout", amount: -payout.amount, reference: payout.id });
  if (payout.state !== "paid") changed = (await recordEntry(trx, { ...entry, kind: "payout", amount: payout.amount, reference: `${payout.id}:returned` })) || changed;
  return changed ? "applied" : "unchanged";
}
