/**
 * Stripe's dispute fee in the ledger, against the Stripe stand-in: the fee on the dispute's
 * withdrawal balance transaction is booked once as a provider fee of the order; a won
 * dispute whose fee is given back books the return, so both net to zero; a won dispute
 * whose fee is kept leaves it taken. Events are applied as Stripe may deliver them: twice,
 * and in reverse (the final snapshot before the first).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentEvent } from "../payments/provider.ts";
import { revenueReport } from "./reports.ts";
import { RevenueFixture } from "./test-fixture.ts";

let f: RevenueFixture;
let buyerId: string;
let organizationId: string;

beforeAll(async () => {
  f = await RevenueFixture.start();
  const ownerId = await f.user("owner@example.org");
  buyerId = await f.user("buyer@example.org");
  organizationId = await f.organization(ownerId);
});
afterAll(async () => {
  await f?.close();
});

const DISPUTE_FEE = 1_500;
const stripeFee = (amount: number) => Math.round((amount * 290) / 10_000) + 30;

/** A paid order of one ticket at `price` on a fresh event. */
async function paidOrder(price: number) {
  const eventId = await f.event(organizationId);
  const placed = await f.order(eventId, buyerId, [{ ticketTypeId: await f.ticketType(eventId, price), unitAmount: price }]);
  return { eventId, ...placed, paymentId: placed.paymentId! };
}

/** The order's provider fees other than the sale's own (reference: the payment). */
async function disputeFees(orderId: string, paymentId: string) {
  return (await f.ledger(orderId)).filter((e) => e.kind === "provider_fee" && e.reference !== paymentId);
}

/** The webhooks delivered after the first `since`, verified but not applied. */
async function receivedSince(since: number): Promise<PaymentEvent[]> {
  await f.standin.webhooks.idle();
  return Promise.all(f.receiver.received.slice(since).map((d) => f.provider.parseWebhook(d.body, { "stripe-signature": d.signature })));
}

describe("dispute fees", () => {
  it("lost: the fee Stripe took with the withdrawal is booked once, in the fees and the net", async () => {
    const { eventId, orderId, paymentId } = await paidOrder(6_000);
    await f.applyWebhooks();
    const dispute = f.standin.dispute(paymentId, "fraudulent");
    f.standin.closeDispute(dispute.id, "lost");
    const events = await f.applyWebhooks();
    expect(events.map((e) => e.type).sort()).toEqual(["dispute.opened", "dispute.updated", "dispute.updated"]);
    // The provider reads the fee off the balance transaction each event's dispute carries.
    const withdrawal = (f.standin.object(dispute.id)!.balance_transactions as { id: string }[])[0];
    expect(events.find((e) => e.type === "dispute.opened")).toMatchObject({ fees: [{ id: withdrawal.id, amount: DISPUTE_FEE, currency: "eur" }] });
    // Delivered again, each of them: nothing more.
    for (const event of events) await f.apply(event);
    expect(await disputeFees(orderId, paymentId)).toEqual([{ kind: "provider_fee", amount: -DISPUTE_FEE, reference: withdrawal.id }]);

    const report = await revenueReport(f.db, { eventId }, { group: "month" });
    expect(report.totals).toEqual([
      {
        currency: "eur", gross: 6_000, refunds: 0, disputes: 6_000, fees: stripeFee(6_000) + DISPUTE_FEE, commission: 0,
        net: 6_000 - 6_000 - stripeFee(6_000) - DISPUTE_FEE, payouts: 0,
      },
    ]);
  });

  it("won with the fee given back: the fee and its return net to zero, whatever the delivery order", async () => {
    const { eventId, orderId, paymentId } = await paidOrder(4_000);
    await f.applyWebhooks();
    const since = f.receiver.received.length;
    const dispute = f.standin.dispute(paymentId);
    f.standin.closeDispute(dispute.id, "won", { feeReturned: true });
    const events = await receivedSince(since);
    const [withdrawal, reinstatement] = f.standin.object(dispute.id)!.balance_transactions as { id: string; fee: number }[];
    expect(reinstatement.fee).toBe(-DISPUTE_FEE);
    // The closed event (whose snapshot shows both movements) first, then the rest, then all again.
    const closedFirst = [...events].sort((a, b) => Number(b.type === "dispute.updated" && b.change === "closed") - Number(a.type === "dispute.updated" && a.change === "closed"));
    expect(closedFirst[0]).toMatchObject({ change: "closed" });
    for (const event of closedFirst) await f.apply(event);
    for (const event of events) await f.apply(event);
    expect(await disputeFees(orderId, paymentId)).toEqual(
      expect.arrayContaining([
        { kind: "provider_fee", amount: -DISPUTE_FEE, reference: withdrawal.id },
        { kind: "provider_fee", amount: DISPUTE_FEE, reference: reinstatement.id },
      ]),
    );
    expect(await disputeFees(orderId, paymentId)).toHaveLength(2);
    const [totals] = (await revenueReport(f.db, { eventId }, { group: "month" })).totals;
    expect(totals).toMatchObject({ disputes: 0, fees: stripeFee(4_000), net: 4_000 - stripeFee(4_000) });
  });

  it("won with the fee kept: only the withdrawal's fee is booked, once", async () => {
    const { orderId, paymentId } = await paidOrder(4_000);
    await f.applyWebhooks();
    const since = f.receiver.received.length;
    const dispute = f.standin.dispute(paymentId);
    f.standin.closeDispute(dispute.id, "won");
    const events = await receivedSince(since);
    // Only the closing event (its snapshot carries both balance transactions), then the opening one.
    const change = (e: PaymentEvent) => (e.type === "dispute.updated" ? e.change : e.type);
    await f.apply(events.find((e) => change(e) === "closed")!);
    await f.apply(events.find((e) => change(e) === "dispute.opened")!);
    const fees = await disputeFees(orderId, paymentId);
    expect(fees).toEqual([{ kind: "provider_fee", amount: -DISPUTE_FEE, reference: (f.standin.object(dispute.id)!.balance_transactions as { id: string }[])[0].id }]);
    expect((await f.ledger(orderId)).filter((e) => e.kind.startsWith("dispute")).reduce((s, e) => s + e.amount, 0)).toBe(0);
  });
});
