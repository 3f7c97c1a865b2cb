/**
 * Fees in the currency Stripe states them in, against the Stripe stand-in: a EUR sale on an
 * account settling in USD (at a stated rate) books the sale and the commission in EUR and
 * Stripe's processing and dispute fees in USD, and reports show each currency on its own row,
 * never summed together; a sale settled in its own currency books everything in it, as before.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { reportCsv, revenueByOrganization, revenueReport } from "./reports.ts";
import { RevenueFixture } from "./test-fixture.ts";

let f: RevenueFixture;
let ownerId: string;
let buyerId: string;

beforeAll(async () => {
  f = await RevenueFixture.start({ exchangeRates: { "eur:usd": 1.1 } });
  ownerId = await f.user("owner@example.org");
  buyerId = await f.user("buyer@example.org");
});
afterEach(() => {
  // The platform settles in every currency again.
  f.standin.settleIn(null, null);
});
afterAll(async () => {
  await f?.close();
});

const stripeFee = (amount: number) => Math.round((amount * 290) / 10_000) + 30;
/** 40.00 EUR at the stated 1.1 settles as 44.00 USD; Stripe's fee is worked out on that. */
const USD_FEE = stripeFee(4_400);
const DISPUTE_FEE = 1_500;
const zero = { gross: 0, refunds: 0, disputes: 0, fees: 0, commission: 0, net: 0, payouts: 0 };

/** A paid order of one 40.00 EUR ticket (5 % commission) on a fresh organization's event. */
async function sale() {
  const organizationId = await f.organization(ownerId);
  const eventId = await f.event(organizationId);
  const placed = await f.order(eventId, buyerId, [{ ticketTypeId: await f.ticketType(eventId, 4_000), unitAmount: 4_000 }], { commissionBp: 500 });
  return { organizationId, eventId, ...placed, paymentId: placed.paymentId! };
}

const entries = (orderId: string) =>
  f.db.selectFrom("ledger_entries").select(["kind", "amount", "currency"]).where("order_id", "=", orderId).orderBy("kind").orderBy("currency").orderBy("amount", "desc").execute();

describe("fees in the settlement currency", () => {
  it("a EUR sale settled in USD books Stripe's fee in USD, and reports show it on the USD row", async () => {
    f.standin.settleIn(null, "usd");
    const { organizationId, eventId, orderId } = await sale();
    expect(await entries(orderId)).toEqual([
      { kind: "commission", amount: -200, currency: "eur" },
      { kind: "provider_fee", amount: -USD_FEE, currency: "usd" },
      { kind: "sale", amount: 4_000, currency: "eur" },
    ]);

    const report = await revenueReport(f.db, { eventId }, { group: "month" });
    expect(report.totals).toEqual([
      { ...zero, currency: "eur", gross: 4_000, commission: 200, net: 3_800 },
      { ...zero, currency: "usd", fees: USD_FEE, net: -USD_FEE },
    ]);
    expect(report.rows.map((r) => [r.currency, r.gross, r.fees, r.net])).toEqual([
      ["eur", 4_000, 0, 3_800],
      ["usd", 0, USD_FEE, -USD_FEE],
    ]);
    const period = report.rows[0].period;
    expect(reportCsv(report).split("\r\n")).toEqual([
      "period,currency,gross,refunds,disputes,fees,commission,net,payouts",
      `${period},EUR,40.00,0.00,0.00,0.00,2.00,38.00,0.00`,
      `${period},USD,0.00,0.00,0.00,${(USD_FEE / 100).toFixed(2)},0.00,-${(USD_FEE / 100).toFixed(2)},0.00`,
      "",
    ]);
    const byOrganization = (await revenueByOrganization(f.db, {})).filter((r) => r.organizationId === organizationId);
    expect(byOrganization.map((r) => [r.currency, r.gross, r.fees, r.net])).toEqual([
      ["eur", 4_000, 0, 3_800],
      ["usd", 0, USD_FEE, -USD_FEE],
    ]);
  });

  it("a dispute of that sale takes EUR back and its fee in USD", async () => {
    f.standin.settleIn(null, "usd");
    const { eventId, orderId, paymentId } = await sale();
    await f.applyWebhooks();
    const dispute = f.standin.dispute(paymentId);
    f.standin.closeDispute(dispute.id, "lost");
    const events = await f.applyWebhooks();
    expect(events.find((e) => e.type === "dispute.opened")).toMatchObject({ amount: 4_000, currency: "eur", fees: [{ amount: DISPUTE_FEE, currency: "usd" }] });
    expect((await entries(orderId)).filter((e) => e.kind === "dispute" || e.kind === "provider_fee")).toEqual([
      { kind: "dispute", amount: -4_000, currency: "eur" },
      { kind: "provider_fee", amount: -USD_FEE, currency: "usd" },
      { kind: "provider_fee", amount: -DISPUTE_FEE, currency: "usd" },
    ]);
    expect((await revenueReport(f.db, { eventId }, { group: "month" })).totals).toEqual([
      { ...zero, currency: "eur", gross: 4_000, disputes: 4_000, commission: 200, net: -200 },
      { ...zero, currency: "usd", fees: USD_FEE + DISPUTE_FEE, net: -USD_FEE - DISPUTE_FEE },
    ]);
  });

  it("a sale settled in its own currency books its fee in it, on one row", async () => {
    const { eventId, orderId } = await sale();
    expect(await entries(orderId)).toEqual([
      { kind: "commission", amount: -200, currency: "eur" },
      { kind: "provider_fee", amount: -stripeFee(4_000), currency: "eur" },
      { kind: "sale", amount: 4_000, currency: "eur" },
    ]);
    expect((await revenueReport(f.db, { eventId }, { group: "month" })).totals).toEqual([
      { ...zero, currency: "eur", gross: 4_000, fees: stripeFee(4_000), commission: 200, net: 4_000 - stripeFee(4_000) - 200 },
    ]);
  });
});
