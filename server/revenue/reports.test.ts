/**
 * Revenue reports are sums of ledger entries: grouped by day, ISO week and month, kept apart
 * per currency, scoped to an event, an organization or the platform, and the CSV says the same
 * as the JSON. Also the money helpers (ticket shares, VAT, fees), commission rates and receipts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../accounts/actor.ts";
import { cancellationFee, ticketShares, vatOf } from "./amounts.ts";
import { commissionRateFor, platformCommissionBp, setOrganizationCommissionBp, setPlatformCommissionBp } from "./commission-settings.ts";
import { recordEntry } from "./ledger.ts";
import { receiptFor } from "./receipts.ts";
import { csvField, formatMinor, reportCsv, revenueByOrganization, revenueReport } from "./reports.ts";
import { RevenueFixture } from "./test-fixture.ts";

let f: RevenueFixture;
let orgA: string;
let orgB: string;
let eventA1: string;
let eventA2: string;
let owner: Actor;
let stranger: Actor;
let buyerId: string;

beforeAll(async () => {
  f = await RevenueFixture.start();
  const ownerId = await f.user("owner@example.org");
  buyerId = await f.user("buyer@example.org");
  owner = { kind: "user", userId: ownerId, credential: { kind: "session", sessionId: "s" } };
  stranger = { kind: "user", userId: await f.user("stranger@example.org"), credential: { kind: "session", sessionId: "s" } };
  orgA = await f.organization(ownerId, { legalAddress: "1 Rue de la Paix\n75002 Paris", vatId: "FR12345678901" });
  orgB = await f.organization(ownerId);
  eventA1 = await f.event(orgA);
  eventA2 = await f.event(orgA);
  const eventB = await f.event(orgB);
  const at = (day: string) => new Date(`${day}T12:00:00Z`);
  const entry = (organizationId: string, eventId: string, kind: Parameters<typeof recordEntry>[1]["kind"], amount: number, day: string, currency = "eur") =>
    recordEntry(f.db, { organizationId, eventId, orderId: null, kind, amount, currency, reference: `${kind}-${day}-${eventId}-${amount}-${currency}`, at: at(day) });
  // Monday 2 March, Sunday 8 March (same ISO week), Monday 9 March, 1 April.
  await entry(orgA, eventA1, "sale", 10_000, "2026-03-02");
  await entry(orgA, eventA1, "provider_fee", -320, "2026-03-02");
  await entry(orgA, eventA1, "commission", -500, "2026-03-02");
  await entry(orgA, eventA1, "sale", 5_000, "2026-03-08");
  await entry(orgA, eventA1, "refund", -2_000, "2026-03-08");
  await entry(orgA, eventA2, "sale", 7_000, "2026-03-09");
  await entry(orgA, eventA2, "dispute", -7_000, "2026-03-09");
  await entry(orgA, eventA2, "payout", -3_000, "2026-04-01");
  await entry(orgA, eventA1, "sale", 1_000, "2026-04-01", "usd");
  await entry(orgB, eventB, "sale", 4_000, "2026-03-02");
});
afterAll(async () => {
  await f?.close();
});

describe("revenue reports", () => {
  it("groups an event's entries by day, ISO week and month", async () => {
    const byDay = await revenueReport(f.db, { eventId: eventA1 }, { group: "day" });
    expect(byDay.rows.map((r) => [r.period, r.currency, r.gross, r.refunds, r.fees, r.commission, r.net])).toEqual([
      ["2026-03-02", "eur", 10_000, 0, 320, 500, 9_180],
      ["2026-03-08", "eur", 5_000, 2_000, 0, 0, 3_000],
      ["2026-04-01", "usd", 1_000, 0, 0, 0, 1_000],
    ]);
    const byWeek = await revenueReport(f.db, { eventId: eventA1 }, { group: "week" });
    expect(byWeek.rows.map((r) => [r.period, r.currency, r.gross, r.net])).toEqual([
      ["2026-03-02", "eur", 15_000, 12_180],
      ["2026-03-30", "usd", 1_000, 1_000],
    ]);
    const byMonth = await revenueReport(f.db, { organizationId: orgA }, { group: "month" });
    expect(byMonth.rows.map((r) => [r.period, r.currency, r.gross, r.refunds, r.disputes, r.payouts, r.net])).toEqual([
      ["2026-03", "eur", 22_000, 2_000, 7_000, 0, 12_180],
      ["2026-04", "eur", 0, 0, 0, 3_000, 0],
      ["2026-04", "usd", 1_000, 0, 0, 0, 1_000],
    ]);
    expect(byMonth.totals).toEqual([
      { currency: "eur", gross: 22_000, refunds: 2_000, disputes: 7_000, fees: 320, commission: 500, net: 12_180, payouts: 3_000 },
      { currency: "usd", gross: 1_000, refunds: 0, disputes: 0, fees: 0, commission: 0, net: 1_000, payouts: 0 },
    ]);
  });

  it("filters by dates (both inclusive) and covers every organization for the platform", async () => {
    const march9 = await revenueReport(f.db, { organizationId: orgA }, { group: "day", from: "2026-03-08", to: "2026-03-09" });
    expect(march9.rows.map((r) => r.period)).toEqual(["2026-03-08", "2026-03-09"]);
    const platform = await revenueReport(f.db, { platform: true }, { group: "month" });
    expect(platform.totals.find((t) => t.currency === "eur")!.gross).toBe(26_000);
    const perOrg = await revenueByOrganization(f.db, {});
    expect(perOrg.filter((r) => r.currency === "eur").map((r) => [r.organizationId, r.gross, r.net]).sort()).toEqual([[orgA, 22_000, 12_180], [orgB, 4_000, 4_000]].sort());
  });

  it("exports the same numbers as CSV, in major units", async () => {
    const report = await revenueReport(f.db, { organizationId: orgA }, { group: "month" });
    const csv = reportCsv(report);
    const [header, ...lines] = csv.trimEnd().split("\r\n");
    expect(header).toBe("period,currency,gross,refunds,disputes,fees,commission,net,payouts");
    expect(lines).toEqual(["2026-03,EUR,220.00,20.00,70.00,3.20,5.00,121.80,0.00", "2026-04,EUR,0.00,0.00,0.00,0.00,0.00,0.00,30.00", "2026-04,USD,10.00,0.00,0.00,0.00,0.00,10.00,0.00"]);
    const parsed = lines.map((l) => l.split(","));
    for (const [i, row] of report.rows.entries()) expect(Math.round(Number(parsed[i][7]) * 100)).toBe(row.net);
    expect(formatMinor(1_200, "jpy")).toBe("1200");
    expect(formatMinor(-5, "eur")).toBe("-0.05");
    expect(csvField('Acme, "Events"')).toBe('"Acme, ""Events"""');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
  });
});

describe("money helpers", () => {
  it("splits an order's total over its seats exactly", () => {
    const shares = ticketShares(1_000, [{ ticketId: "a", net: 1 }, { ticketId: "b", net: 1 }, { ticketId: "c", net: 1 }]);
    expect([...shares.values()]).toEqual([334, 333, 333]);
    const weighted = ticketShares(6_050, [{ ticketId: "a", net: 2_000 }, { ticketId: "b", net: 3_000 }]);
    expect(weighted.get("a")! + weighted.get("b")!).toBe(6_050);
    expect(weighted.get("a")).toBe(2_420);
  });

  it("computes VAT included or added, and the cancellation fee, rounded half up", () => {
    expect(vatOf(12_000, 2_000, true)).toBe(2_000);
    expect(vatOf(10_000, 2_000, false)).toBe(2_000);
    expect(vatOf(1_000, 550, true)).toBe(52);
    expect(vatOf(1_000, 0, true)).toBe(0);
    expect(cancellationFee(2_505, 1_000)).toBe(251);
  });
});

describe("commission rates", () => {
  it("uses the organization's override, else the platform default", async () => {
    expect(await platformCommissionBp(f.db)).toBe(0);
    await setPlatformCommissionBp(f.db, 450);
    expect(await commissionRateFor(f.db, orgA)).toBe(450);
    await setOrganizationCommissionBp(f.db, orgA, 200);
    expect(await commissionRateFor(f.db, orgA)).toBe(200);
    expect(await commissionRateFor(f.db, orgB)).toBe(450);
    await setOrganizationCommissionBp(f.db, orgA, null);
    expect(await commissionRateFor(f.db, orgA)).toBe(450);
  });
});

describe("receipts", () => {
  it("shows the seller's legal details and the VAT line, to the buyer and the event's team only", async () => {
    const eventId = await f.event(orgA, { vatRateBp: 2_000 });
    const typeId = await f.ticketType(eventId, 6_000);
    const placed = await f.order(eventId, buyerId, [{ ticketTypeId: typeId, unitAmount: 6_000 }, { ticketTypeId: typeId, unitAmount: 6_000 }], { vatRateBp: 2_000 });
    const buyer: Actor = { kind: "user", userId: buyerId, credential: { kind: "session", sessionId: "s" } };
    const receipt = await receiptFor(f.db, buyer, placed.orderId);
    expect(receipt).toMatchObject({
      seller: { name: "Acme Events", legalAddress: "1 Rue de la Paix\n75002 Paris", vatId: "FR12345678901" },
      subtotal: 12_000,
      total: 12_000,
      tax: { rateBp: 2_000, inclusive: true, amount: 2_000 },
    });
    expect(receipt.lines).toHaveLength(2);
    expect(receipt.number).toMatch(/^\d{8}-[0-9A-F]{8}$/);
    expect((await receiptFor(f.db, owner, placed.orderId)).total).toBe(12_000);
    await expect(receiptFor(f.db, stranger, placed.orderId)).rejects.toMatchObject({ status: 404 });
  });
});
