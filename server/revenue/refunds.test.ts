/**
 * Refunds, cancellations and disputes against the Stripe stand-in: refunds start pending and
 * settle only from the provider's signed webhook; partial refunds per ticket; the attendee's
 * cancellation deadline and fee; free orders giving their seats back; a cancelled event; a
 * dispute booked once however often its webhook comes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../accounts/actor.ts";
import { AppError } from "../errors.ts";
import { refundCancelledEvent, requestRefund } from "./refunds.ts";
import { cancellationQuote, cancelOwnOrder } from "./self-service.ts";
import { RevenueFixture } from "./test-fixture.ts";

let f: RevenueFixture;
let organizer: Actor;
let buyerId: string;
let buyer: Actor;
let organizationId: string;

const actorOf = (userId: string): Actor => ({ kind: "user", userId, credential: { kind: "session", sessionId: "test" } });

beforeAll(async () => {
  f = await RevenueFixture.start({ refundStatus: "pending" });
  const ownerId = await f.user("owner@example.org");
  organizer = actorOf(ownerId);
  buyerId = await f.user("buyer@example.org");
  buyer = actorOf(buyerId);
  organizationId = await f.organization(ownerId);
});
afterAll(async () => {
  await f?.close();
});

async function order(id: string) {
  return f.db.selectFrom("orders").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}
async function tickets(orderId: string) {
  return f.db.selectFrom("tickets").select(["id", "status", "status_reason"]).where("order_id", "=", orderId).execute();
}
async function sold(typeId: string) {
  return (await f.db.selectFrom("ticket_types").select("sold").where("id", "=", typeId).executeTakeFirstOrThrow()).sold;
}

describe("organizer refunds", () => {
  it("refunds one ticket of three, pending until the provider's webhook settles it", async () => {
    const eventId = await f.event(organizationId);
    const typeId = await f.ticketType(eventId, 2_000);
    const placed = await f.order(eventId, buyerId, [{ ticketTypeId: typeId, unitAmount: 2_000 }, { ticketTypeId: typeId, unitAmount: 2_000 }, { ticketTypeId: typeId, unitAmount: 2_000, discount: 500 }], { commissionBp: 500 });
    expect(placed.total).toBe(5_500);
    await f.applyWebhooks();

    const result = await requestRefund(f.db, { provider: f.provider }, organizer, { orderId: placed.orderId, ticketIds: [placed.ticketIds[2]], reason: "Asked by email" });
    expect(result).toMatchObject({ kind: "refund", amount: 1_500, status: "pending" });
    const refundRow = await f.db.selectFrom("refunds").selectAll().where("order_id", "=", placed.orderId).executeTakeFirstOrThrow();
    expect(refundRow).toMatchObject({ status: "pending", amount: 1_500 });
    expect(refundRow.provider_refund_id).toMatch(/^re_/);
    expect(f.standin.object(refundRow.provider_refund_id!)).toMatchObject({ amount: 1_500, status: "pending", metadata: { order_id: placed.orderId } });

    // refund.created (pending) and charge.refunded arrive: nothing is settled yet.
    await f.applyWebhooks();
    expect((await order(placed.orderId)).refunded).toBe(0);
    expect((await tickets(placed.orderId)).every((t) => t.status === "valid")).toBe(true);
    // A second refund of the same ticket is refused while the first is on its way.
    await expect(requestRefund(f.db, { provider: f.provider }, organizer, { orderId: placed.orderId, ticketIds: [placed.ticketIds[2]], reason: "again" })).rejects.toMatchObject({ code: "ticket_not_refundable" });

    f.standin.settleRefund(refundRow.provider_refund_id!, "succeeded");
    const events = await f.applyWebhooks();
    expect(events.map((e) => e.type)).toEqual(["refund.updated"]);
    expect(await order(placed.orderId)).toMatchObject({ status: "partially_refunded", refunded: 1_500 });
    expect((await tickets(placed.orderId)).find((t) => t.id === placed.ticketIds[2])).toMatchObject({ status: "refunded", status_reason: "Asked by email" });
    expect(await sold(typeId)).toBe(2);
    expect((await f.ledger(placed.orderId)).map((e) => [e.kind, e.amount])).toEqual(
      expect.arrayContaining([["sale", 5_500], ["commission", -275], ["refund", -1_500]]),
    );

    // The same webhook delivered again changes nothing.
    await f.apply(events[0]);
    expect((await order(placed.orderId)).refunded).toBe(1_500);
    expect((await f.ledger(placed.orderId)).filter((e) => e.kind === "refund")).toHaveLength(1);

    // The rest of the order: what is left, all remaining tickets.
    const rest = await requestRefund(f.db, { provider: f.provider }, organizer, { orderId: placed.orderId, reason: "Refund the rest" });
    expect(rest).toMatchObject({ kind: "refund", amount: 4_000 });
    const restRow = await f.db.selectFrom("refunds").select("provider_refund_id").where("id", "=", rest.kind === "refund" ? rest.refundId : "").executeTakeFirstOrThrow();
    f.standin.settleRefund(restRow.provider_refund_id!, "succeeded");
    await f.applyWebhooks();
    expect(await order(placed.orderId)).toMatchObject({ status: "refunded", refunded: 5_500 });
    expect((await tickets(placed.orderId)).every((t) => t.status === "refunded")).toBe(true);
    expect(await sold(typeId)).toBe(0);
    await expect(requestRefund(f.db, { provider: f.provider }, organizer, { orderId: placed.orderId, reason: "more" })).rejects.toMatchObject({ code: "order_not_refundable" });
  });

  it("refuses more than is left, and marks a refund the provider fails as failed", async () => {
    const eventId = await f.event(organizationId);
    const typeId = await f.ticketType(eventId, 3_000);
    const placed = await f.order(eventId, buyerId, [{ ticketTypeId: typeId, unitAmount: 3_000 }]);
    await expect(requestRefund(f.db, { provider: f.provider }, organizer, { orderId: placed.orderId, amount: 3_001, reason: "too much" })).rejects.toMatchObject({ code: "refund_too_large", status: 409 });
    const partial = await requestRefund(f.db, { provider: f.provider }, organizer, { orderId: placed.orderId, amount: 1_000, reason: "Goodwill" });
    const row = await f.db.selectFrom("refunds").selectAll().where("id", "=", partial.kind === "refund" ? partial.refundId : "").executeTakeFirstOrThrow();
    f.standin.settleRefund(row.provider_refund_id!, "failed");
    await f.applyWebhooks();
    expect(await f.db.selectFrom("refunds").select("status").where("id", "=", row.id).executeTakeFirstOrThrow()).toEqual({ status: "failed" });
    expect(await order(placed.orderId)).toMatchObject({ status: "paid", refunded: 0 });
    expect((await f.ledger(placed.orderId)).some((e) => e.kind === "refund")).toBe(false);
    // An amount-only refund keeps the tickets valid.
    expect((await tickets(placed.orderId))[0].status).toBe("valid");
  });

  it("settles a refund whose webhook overtook the provider's answer, and books refunds made at the provider", async () => {
    const eventId = await f.event(organizationId);
    const typeId = await f.ticketType(eventId, 4_000);
    const placed = await f.order(eventId, buyerId, [{ ticketTypeId: typeId, unitAmount: 4_000 }]);
    const mine = await requestRefund(f.db, { provider: f.provider }, organizer, { orderId: placed.orderId, amount: 1_000, reason: "Overtaken" });
    const row = await f.db.selectFrom("refunds").selectAll().where("id", "=", mine.kind === "refund" ? mine.refundId : "").executeTakeFirstOrThrow();
    // As if the answer had not been stored yet when the webhook came.
    await f.db.updateTable("refunds").set({ provider_refund_id: null }).where("id", "=", row.id).execute();
    f.standin.settleRefund(row.provider_refund_id!, "succeeded");
    await f.applyWebhooks();
    expect(await f.db.selectFrom("refunds").select(["status", "provider_refund_id"]).where("id", "=", row.id).executeTakeFirstOrThrow()).toEqual({ status: "succeeded", provider_refund_id: row.provider_refund_id });

    // Refunded from the provider's dashboard: no row of ours until its webhook.
    const outside = await f.standin.client().refunds.create({ payment_intent: placed.paymentId!, amount: 500 });
    f.standin.settleRefund(outside.id, "succeeded");
    await f.applyWebhooks();
    expect(await order(placed.orderId)).toMatchObject({ status: "partially_refunded", refunded: 1_500 });
    expect(await f.db.selectFrom("refunds").select(["amount", "status"]).where("provider_refund_id", "=", outside.id).executeTakeFirstOrThrow()).toEqual({ amount: 500, status: "succeeded" });
  });
});

describe("attendee cancellation", () => {
  it("is refused when the organizer allows none, and after the deadline", async () => {
    const noPolicy = await f.event(organizationId, { cancelDeadlineHours: null });
    const a = await f.order(noPolicy, buyerId, [{ ticketTypeId: await f.ticketType(noPolicy, 1_000), unitAmount: 1_000 }]);
    expect(await cancellationQuote(f.db, buyer, a.orderId)).toMatchObject({ allowed: false, reason: "not_allowed_by_organizer" });
    await expect(cancelOwnOrder(f.db, { provider: f.provider }, buyer, a.orderId)).rejects.toMatchObject({ code: "cancellation_not_allowed", status: 403 });

    // Starts in 10 hours; cancellation closes 24 hours before.
    const late = await f.event(organizationId, { startsInHours: 10, cancelDeadlineHours: 24 });
    const b = await f.order(late, buyerId, [{ ticketTypeId: await f.ticketType(late, 1_000), unitAmount: 1_000 }]);
    expect(await cancellationQuote(f.db, buyer, b.orderId)).toMatchObject({ allowed: false, reason: "deadline_passed" });
    await expect(cancelOwnOrder(f.db, { provider: f.provider }, buyer, b.orderId)).rejects.toMatchObject({ code: "cancellation_deadline_passed" });
    // Someone else's order is not theirs to see.
    await expect(cancellationQuote(f.db, organizer, b.orderId)).rejects.toBeInstanceOf(AppError);
  });

  it("refunds all but the fee before the deadline and cancels the order", async () => {
    const eventId = await f.event(organizationId, { startsInHours: 72, cancelDeadlineHours: 48, cancelFeeBp: 1_000 });
    const typeId = await f.ticketType(eventId, 2_500);
    const placed = await f.order(eventId, buyerId, [{ ticketTypeId: typeId, unitAmount: 2_500 }, { ticketTypeId: typeId, unitAmount: 2_500 }]);
    const quote = await cancellationQuote(f.db, buyer, placed.orderId);
    expect(quote).toMatchObject({ allowed: true, refundable: 5_000, fee: 500, refund: 4_500 });
    const { result } = await cancelOwnOrder(f.db, { provider: f.provider }, buyer, placed.orderId);
    expect(result).toMatchObject({ kind: "refund", amount: 4_500 });
    const row = await f.db.selectFrom("refunds").selectAll().where("order_id", "=", placed.orderId).executeTakeFirstOrThrow();
    f.standin.settleRefund(row.provider_refund_id!, "succeeded");
    await f.applyWebhooks();
    expect(await order(placed.orderId)).toMatchObject({ status: "cancelled", refunded: 4_500 });
    expect((await tickets(placed.orderId)).map((t) => t.status)).toEqual(["refunded", "refunded"]);
    expect(await sold(typeId)).toBe(0);
  });

  it("cancels a free order at once and gives its seats back", async () => {
    const eventId = await f.event(organizationId, { cancelDeadlineHours: 1 });
    const typeId = await f.ticketType(eventId, 0, 2);
    const placed = await f.order(eventId, buyerId, [{ ticketTypeId: typeId, unitAmount: 0 }, { ticketTypeId: typeId, unitAmount: 0 }]);
    expect(await sold(typeId)).toBe(2);
    const released: string[][] = [];
    const { result } = await cancelOwnOrder(f.db, { provider: null, seatsReleased: async (ids) => void released.push(ids) }, buyer, placed.orderId);
    expect(result.kind === "cancelled" && result.ticketIds.toSorted()).toEqual(placed.ticketIds.toSorted());
    expect(await sold(typeId)).toBe(0);
    expect(released).toEqual([[typeId]]);
    expect(await order(placed.orderId)).toMatchObject({ status: "cancelled" });
    expect((await tickets(placed.orderId)).map((t) => t.status_reason)).toEqual(["Cancelled by the attendee", "Cancelled by the attendee"]);
  });
});

describe("a cancelled event and disputes", () => {
  it("refunds every paid order in full and cancels free ones", async () => {
    const eventId = await f.event(organizationId);
    const paidType = await f.ticketType(eventId, 1_200);
    const freeType = await f.ticketType(eventId, 0);
    const one = await f.order(eventId, buyerId, [{ ticketTypeId: paidType, unitAmount: 1_200 }]);
    const two = await f.order(eventId, null, [{ ticketTypeId: paidType, unitAmount: 1_200 }, { ticketTypeId: paidType, unitAmount: 1_200 }]);
    const free = await f.order(eventId, buyerId, [{ ticketTypeId: freeType, unitAmount: 0 }]);
    const summary = await refundCancelledEvent(f.db, { provider: f.provider }, eventId, organizer);
    expect(summary).toEqual({ refunds: 2, cancelled: 1, failed: [] });
    for (const r of await f.db.selectFrom("refunds").select("provider_refund_id").where("order_id", "in", [one.orderId, two.orderId]).execute()) f.standin.settleRefund(r.provider_refund_id!, "succeeded");
    await f.applyWebhooks();
    expect(await order(one.orderId)).toMatchObject({ status: "refunded", refunded: 1_200 });
    expect(await order(two.orderId)).toMatchObject({ status: "refunded", refunded: 2_400 });
    expect(await order(free.orderId)).toMatchObject({ status: "cancelled" });
    expect((await tickets(two.orderId)).map((t) => t.status_reason)).toEqual(["Event cancelled", "Event cancelled"]);
    // Run again (a retry after a failure): nothing is refunded twice.
    expect(await refundCancelledEvent(f.db, { provider: f.provider }, eventId, organizer)).toEqual({ refunds: 0, cancelled: 0, failed: [] });
  });

  it("records a dispute and books it once", async () => {
    const eventId = await f.event(organizationId);
    const placed = await f.order(eventId, buyerId, [{ ticketTypeId: await f.ticketType(eventId, 9_900), unitAmount: 9_900 }]);
    const dispute = f.standin.dispute(placed.paymentId!, "fraudulent");
    const events = await f.applyWebhooks();
    const opened = events.find((e) => e.type === "dispute.opened")!;
    await f.apply(opened);
    expect(await f.db.selectFrom("disputes").select(["order_id", "amount", "status", "reason"]).where("provider_dispute_id", "=", dispute.id as string).execute()).toEqual([
      { order_id: placed.orderId, amount: 9_900, status: "open", reason: "fraudulent" },
    ]);
    expect((await f.ledger(placed.orderId)).filter((e) => e.kind === "dispute")).toEqual([{ kind: "dispute", amount: -9_900, reference: dispute.id }]);
  });
});
