/**
 * The revenue page in a real browser (Debian's Chromium): an organizer sees an event's
 * totals, refunds one ticket of an order from the page, and once the stand-in's webhook has
 * settled it the page shows the refund; on a phone-sized screen nothing overflows. The buyer
 * prints the receipt with the organization's details and the VAT line. An admin sees the
 * platform's revenue and sets the commission default. A lost dispute shows on both sides. An
 * organizer whose account settles EUR sales in USD sees the fees under USD, apart.
 */
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, verifiedUser } from "../support/accounts.ts";
import { launchBrowser } from "../support/browser.ts";
import type { TestClient } from "../support/http-client.ts";
import { buy, eventSettlingIn, paidTicketType, type RevenueWorld, startRevenueWorld } from "./revenue-support.ts";

let world: RevenueWorld;
let browser: Browser;
let admin: TestClient, owner: TestClient, buyer: TestClient;
let eventId: string;
let order: Awaited<ReturnType<typeof buy>>;

// Up to three server starts on a busy machine (see startRevenueWorld).
beforeAll(async () => {
  world = await startRevenueWorld({ refundStatus: "succeeded", exchangeRates: { "eur:usd": 1.1 } });
  // Until the first admin exists, every page is the first-run page.
  admin = await firstAdmin(world.server);
  [owner, buyer] = await Promise.all(["owner", "buyer"].map((name) => verifiedUser(world.server, world.smtp, `${name}@example.org`)));
  let organizationId: string;
  ({ eventId, organizationId } = world.fixture.event("owner@example.org", "Browser Revenue Fest"));
  world.sql.prepare("update events set vat_rate_bp = 2000, vat_inclusive = 1 where id = ?").run(eventId);
  world.sql.prepare("update organizations set legal_address = ?, vat_id = ? where id = ?").run("5 Harbour Road\nDublin", "IE9876543X", organizationId);
  const typeId = paidTicketType(world, eventId, 3_000);
  order = await buy(world, buyer, eventId, typeId, 2);
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

/** A browser context logged in as the client (its session cookie), in English. */
async function contextFor(client: TestClient, viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: "en-US", viewport });
  await context.addCookies([...client.cookies].map(([name, value]) => ({ name, value, url: world.server.url })));
  return context;
}

/** Opens a path and waits for a selector; a failure says what the page showed and logged. */
async function open(context: BrowserContext, path: string, selector: string): Promise<Page> {
  const page = await context.newPage();
  const logged: string[] = [];
  page.on("console", (m) => m.type() === "error" && logged.push(m.text()));
  page.on("pageerror", (e) => logged.push(e.message));
  await page.goto(`${world.server.url}${path}`);
  try {
    await page.locator(selector).first().waitFor({ timeout: 30_000 });
  } catch (error) {
    throw new Error(`${selector} never appeared on ${path}: ${(await page.locator("body").innerText()).slice(0, 500)} | ${logged.join(" | ")}`, { cause: error });
  }
  return page;
}

describe("revenue page", () => {
  it("shows the event's totals and refunds a ticket from the order list", async () => {
    const context = await contextFor(owner);
    const page = await open(context, `/organize/events/${eventId}/revenue`, '[data-total="gross"]');
    expect(await page.locator('[data-total="gross"]').textContent()).toBe("€60.00");
    expect(await page.locator('[data-total="refunds"]').textContent()).toBe("€0.00");
    expect(await page.getByRole("link", { name: "Download CSV" }).getAttribute("href")).toBe(`/api/events/${eventId}/revenue?group=day&format=csv`);

    const row = page.locator(`[data-order-id="${order.orderId}"]`);
    await row.getByRole("button", { name: "Refund…" }).click();
    await row.getByRole("checkbox").first().check();
    await row.getByLabel("Reason (the attendee sees it)").fill("Cannot attend");
    await row.getByRole("button", { name: "Refund", exact: true }).click();
    await row.getByRole("status").waitFor();
    expect(await row.getByRole("status").textContent()).toContain("Refund of €30.00 asked for");
    await world.standin.webhooks.idle();

    await page.reload();
    await page.locator('[data-total="refunds"]').waitFor();
    expect(await page.locator('[data-total="refunds"]').textContent()).toBe("€30.00");
    expect(await page.locator(`[data-order-id="${order.orderId}"] [data-status]`).textContent()).toBe("partially refunded");
    expect(world.sql.prepare("select status from tickets where order_id = ? order by status").all(order.orderId)).toEqual([{ status: "refunded" }, { status: "valid" }]);
    await context.close();
  });

  it("cancels a free order's tickets from the order list, with no refund to ask for", async () => {
    const freeType = paidTicketType(world, eventId, 0, "Community");
    const placed = await buyer.request("POST", `/api/events/${eventId}/checkout`, { seats: [{ ticketTypeId: freeType, name: "Free Guest", email: "free@example.org" }] }, { "idempotency-key": randomUUID() });
    expect(placed.status).toBe(201);
    const freeOrderId = placed.body.order.id as string;
    const context = await contextFor(owner);
    const page = await open(context, `/organize/events/${eventId}/revenue`, `[data-order-id="${freeOrderId}"]`);
    const row = page.locator(`[data-order-id="${freeOrderId}"]`);
    expect(await row.textContent()).toContain("1 ticket · free");
    expect(await row.getByRole("button", { name: "Refund…" }).count()).toBe(0);
    await row.getByRole("button", { name: "Cancel tickets…" }).click();
    await row.getByText("A free order: cancelling its tickets refunds nothing").waitFor();
    expect(await row.getByLabel(/^Amount/).count()).toBe(0);
    await row.getByLabel("Reason (the attendee sees it)").fill("Duplicate registration");
    await row.getByRole("button", { name: "Cancel tickets", exact: true }).click();
    await row.getByRole("status").waitFor();
    expect(await row.getByRole("status").textContent()).toContain("1 ticket cancelled");
    expect(world.sql.prepare("select status from tickets where order_id = ?").all(freeOrderId)).toEqual([{ status: "cancelled" }]);
    expect(world.sql.prepare("select count(*) as n from refunds where order_id = ?").get(freeOrderId)).toEqual({ n: 0 });
    await context.close();
  });

  it("fits a phone-sized screen", async () => {
    const context = await contextFor(owner, { width: 375, height: 740 });
    const page = await open(context, `/organize/events/${eventId}/revenue`, '[data-total="net"]');
    // Nothing of the page reaches past the screen's right edge (the table wraps into cards).
    const overflowing = await page.evaluate(() =>
      [...document.querySelectorAll(".revenue-page *")]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`),
    );
    expect(overflowing).toEqual([]);
    await context.close();
  });
});

describe("receipt page", () => {
  it("prints the invoice with the seller's details and the VAT included", async () => {
    const context = await contextFor(buyer);
    const page = await open(context, `/orders/${order.orderId}/receipt`, ".receipt");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Invoice");
    const text = await page.locator(".receipt").innerText();
    expect(text).toContain("VAT ID IE9876543X");
    expect(text).toContain("5 Harbour Road");
    expect(await page.locator("[data-tax-line]").innerText()).toMatch(/VAT 20 % \(included\)\s+€10\.00/);
    expect(await page.locator("[data-total]").textContent()).toBe("€60.00");
    expect(text).toMatch(/Refunded .* Cannot attend\s+−€30\.00/);
    await context.close();
  });
});

describe("admin revenue page", () => {
  it("shows the platform's totals per organization and saves the commission default", async () => {
    const context = await contextFor(admin);
    const page = await open(context, "/admin/revenue", '[data-total="gross"]');
    expect(await page.locator('[data-total="gross"]').textContent()).toBe("€60.00");
    expect(await page.getByRole("table", { name: "Revenue per organization" }).innerText()).toContain("Browser Revenue Fest Org");
    await page.getByLabel("Platform default (%)").fill("2.5");
    await page.getByRole("button", { name: "Save default" }).click();
    await page.getByText("Default commission set to 2.5 %.").waitFor();
    expect((await admin.get("/api/admin/revenue")).body.commission.defaultBp).toBe(250);
    await context.close();
  });
});

describe("disputes on the revenue page", () => {
  it("lists a lost dispute and counts it in the event's totals", async () => {
    const typeId = (world.sql.prepare("select id from ticket_types where event_id = ?").get(eventId) as { id: string }).id;
    const disputed = await buy(world, buyer, eventId, typeId, 1);
    const dispute = world.standin.dispute(disputed.paymentId, "fraudulent");
    world.standin.closeDispute(dispute.id, "lost");
    await world.standin.webhooks.idle();
    const context = await contextFor(owner);
    const page = await open(context, `/organize/events/${eventId}/revenue`, '[data-dispute-status="lost"]');
    expect(await page.locator('[data-total="disputes"]').textContent()).toBe("€30.00");
    expect(await page.locator(`[data-order-id="${disputed.orderId}"] [data-dispute]`).textContent()).toBe("dispute lost");
    expect(await page.locator('[data-dispute-status="lost"]').innerText()).toMatch(/buyer[\s\S]*€30\.00[\s\S]*fraudulent[\s\S]*Lost: tickets revoked/);
    // Stripe's dispute fee: on the dispute, and in the event's fees (with a note saying so).
    expect(await page.locator('[data-dispute-status="lost"] [data-dispute-fee]').textContent()).toBe("dispute fee €15.00");
    expect(await page.locator("[data-fees-note]").first().textContent()).toContain("its fee on each dispute");
    await context.close();

    // The dispute with its fee still fits a phone.
    const phone = await contextFor(owner, { width: 375, height: 740 });
    const phonePage = await open(phone, `/organize/events/${eventId}/revenue`, '[data-dispute-fee]');
    const overflowing = await phonePage.evaluate(() =>
      [...document.querySelectorAll(".revenue-page *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.tagName.toLowerCase()),
    );
    expect(overflowing).toEqual([]);
    await phone.close();

    // The buyer's order page says what happened.
    const buyerContext = await contextFor(buyer);
    const orderPage = await open(buyerContext, `/orders/${disputed.orderId}`, '[data-dispute-status="lost"]');
    expect(await orderPage.locator('[data-dispute-status="lost"]').textContent()).toContain("taken back after a dispute");
    await buyerContext.close();
  });
});

describe("fees in another currency than the sales", () => {
  it("shows EUR sales and USD fees under their own currencies, with a note, at phone width too", async () => {
    const usd = await eventSettlingIn(world, "owner@example.org", "Dollar Fest", "usd", 4_000);
    const typeId = usd.typeId;
    const sold = await buy(world, buyer, usd.eventId, typeId, 1);
    const dispute = world.standin.dispute(sold.paymentId, "fraudulent");
    world.standin.closeDispute(dispute.id, "lost");
    await world.standin.webhooks.idle();
    // 40.00 EUR settles as 44.00 USD at the stated 1.1: Stripe's 2.9 % + 30 of that, and its 15.00 dispute fee, in USD.
    const usdFees = Math.round((4_400 * 290) / 10_000) + 30 + 1_500;
    const dollars = (minor: number) => `$${(minor / 100).toFixed(2)}`;

    for (const viewport of [{ width: 1280, height: 900 }, { width: 375, height: 740 }]) {
      const context = await contextFor(owner, viewport);
      const page = await open(context, `/organize/events/${usd.eventId}/revenue`, '[data-totals-currency="usd"]');
      expect(await page.locator("[data-totals-currency]").allTextContents()).toEqual(["In EUR", "In USD"]);
      const total = (currency: string, column: string) => page.locator(`[aria-label="Totals in ${currency}"] [data-total="${column}"]`).textContent();
      expect(await total("EUR", "gross")).toBe("€40.00");
      expect(await total("EUR", "fees")).toBe("€0.00");
      expect(await total("USD", "gross")).toBe("$0.00");
      expect(await total("USD", "fees")).toBe(dollars(usdFees));
      expect(await total("USD", "net")).toBe(`-${dollars(usdFees)}`);
      expect(await page.locator("[data-currencies-note]").textContent()).toContain("never converted or added to another");
      expect(await page.locator('[data-dispute-status="lost"]').innerText()).toMatch(/€40\.00[\s\S]*dispute fee \$15\.00/);
      const overflowing = await page.evaluate(() =>
        [...document.querySelectorAll(".revenue-page *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.tagName.toLowerCase()),
      );
      expect(overflowing).toEqual([]);
      await context.close();
    }
  });
});
