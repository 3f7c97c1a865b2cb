/**
 * A guest's order in a real browser (Debian's Chromium at phone width) against the real
 * server, the Stripe stand-in and a real SMTP server: the guest opens the order link from
 * their confirmation mail, reads the receipt, cancels under the event's deadline and fee
 * after a confirm step, and sees the refund arrive once the stand-in's webhook settles it;
 * another gives up a checkout they did not pay, which releases the seat and ends the
 * stand-in's payment page. An account holder gets the same on their order page, signed in.
 */
import { randomUUID } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, verifiedUser } from "../support/accounts.ts";
import { launchBrowser } from "../support/browser.ts";
import { TestClient } from "../support/http-client.ts";
import { buy, paidTicketType, type RevenueWorld, startRevenueWorld } from "./revenue-support.ts";

let world: RevenueWorld;
let browser: Browser;
let eventId: string, typeId: string;

beforeAll(async () => {
  world = await startRevenueWorld({ refundStatus: "pending" });
  // A claimed server: until an admin exists every page leads to the first-run form.
  await firstAdmin(world.server);
  await verifiedUser(world.server, world.smtp, "organizer@example.org");
  ({ eventId } = world.fixture.event("organizer@example.org", "Phone Summit"));
  world.sql.prepare("update events set starts_at = ?, ends_at = ?, cancel_deadline_hours = 24, cancel_fee_bp = 1000 where id = ?")
    .run(new Date(Date.now() + 48 * 3_600_000).toISOString(), new Date(Date.now() + 50 * 3_600_000).toISOString(), eventId);
  typeId = paidTicketType(world, eventId, 2_500, "Supporter");
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function guestCheckout(email: string) {
  const placed = await new TestClient(world.server.url).request(
    "POST",
    `/api/events/${eventId}/guest-checkout`,
    { buyer: { name: "Gina Guest", email }, seats: [{ ticketTypeId: typeId, name: "Gina Guest", email, answers: {} }] },
    { "idempotency-key": randomUUID() },
  );
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  return { orderId: placed.body.order.id as string, orderPage: placed.body.orderPage as string, sessionId: new URL(placed.body.checkoutUrl as string).pathname.split("/").pop()! };
}

/** A phone-sized page with no account. */
async function phonePage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  return context.newPage();
}

/** Nothing sticks out sideways at phone width. */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe("a guest's order in the browser", () => {
  it("opens the order from the mail, reads the receipt, cancels after confirming, and sees the refund", async () => {
    const email = `gina-${randomUUID().slice(0, 6)}@example.org`;
    const order = await guestCheckout(email);
    world.standin.pay(order.sessionId);
    await world.standin.webhooks.idle();
    const mail = await world.smtp.next(email, (m) => m.text.includes("Phone Summit"), 30_000);
    const link = /https?:\/\/\S+\/orders\/[0-9a-f-]{36}\?key=[A-Za-z0-9_-]+/.exec(mail.text)![0];

    const page = await phonePage();
    await page.goto(link);
    await page.locator('[data-order-status="paid"]').waitFor({ timeout: 15_000 });
    const card = page.locator("section.order-cancel");
    await card.waitFor({ timeout: 15_000 });
    await expect.poll(() => card.innerText()).toMatch(/You can cancel until .+\. The organizer keeps a fee of €2\.50\. You get back €22\.50\./s);

    await page.getByRole("link", { name: "Receipt" }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}\/receipt\?key=/);
    const receipt = page.locator(".receipt");
    await receipt.waitFor({ timeout: 15_000 });
    expect(await receipt.innerText()).toContain("Billed to Gina Guest");
    expect(await page.locator("[data-total]").innerText()).toBe("€25.00");
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.getByRole("link", { name: "Back to the order" }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}\?key=/);

    await page.getByRole("button", { name: "Cancel my tickets…" }).click();
    const confirm = page.getByRole("group", { name: /Cancel your ticket\?/ });
    expect(await confirm.innerText()).toContain("€22.50 will be refunded. This cannot be undone.");
    expect(world.sql.prepare("select count(*) as n from refunds where order_id = ?").get(order.orderId)).toEqual({ n: 0 });
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await confirm.getByRole("button", { name: "Yes, cancel my tickets" }).click();
    await page.getByText("Cancelled. €22.50 is on its way back to you").waitFor({ timeout: 15_000 });
    await page.locator("[data-refund-pending]").waitFor({ timeout: 15_000 });

    const refund = world.sql.prepare("select provider_refund_id, amount from refunds where order_id = ?").get(order.orderId) as { provider_refund_id: string; amount: number };
    expect(refund.amount).toBe(2_250);
    world.standin.settleRefund(refund.provider_refund_id, "succeeded");
    await world.standin.webhooks.idle();
    // The page follows the order until the refund has settled.
    await page.locator('[data-order-status="cancelled"]').waitFor({ timeout: 15_000 });
    expect(await page.locator("[data-refund-pending]").count()).toBe(0);
    expect(await page.locator("[data-refunded]").innerText()).toBe("Refunded: €22.50");
    await page.context().close();
  });

  it("gives up a checkout the guest did not pay: the seat is released and the payment page closed", async () => {
    const order = await guestCheckout(`gus-${randomUUID().slice(0, 6)}@example.org`);
    const held = (world.sql.prepare("select held from ticket_types where id = ?").get(typeId) as { held: number }).held;
    const page = await phonePage();
    // Where the payment page's "back" link brings the guest.
    await page.goto(`${world.server.url}${order.orderPage}&cancelled=1`);
    await page.locator('[data-order-status="pending"]').waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Give up this order…" }).click();
    const confirm = page.getByRole("group", { name: /Give up this order\?/ });
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await confirm.getByRole("button", { name: "Yes, give up this order" }).click();
    await page.getByText("Given up: nothing was charged and the seats were released").waitFor({ timeout: 15_000 });
    expect((world.sql.prepare("select held from ticket_types where id = ?").get(typeId) as { held: number }).held).toBe(held - 1);
    expect(world.standin.object(order.sessionId)).toMatchObject({ status: "expired" });
    await page.context().close();
  });

  it("an account holder cancels from their order page the same way, signed in and with no key", async () => {
    const email = `holder-${randomUUID().slice(0, 6)}@example.org`;
    const holder = await verifiedUser(world.server, world.smtp, email);
    const order = await buy(world, holder, eventId, typeId, 1);
    const page = await phonePage();
    await page.context().addCookies([...holder.cookies].map(([name, value]) => ({ name, value, url: world.server.url })));
    await page.goto(`${world.server.url}/orders/${order.orderId}`);
    await page.locator('[data-order-status="paid"]').waitFor({ timeout: 15_000 });
    expect(await page.getByRole("link", { name: "Receipt" }).getAttribute("href")).toBe(`/orders/${order.orderId}/receipt`);
    await page.getByRole("button", { name: "Cancel my tickets…" }).click();
    await page.getByRole("group", { name: /Cancel your ticket\?/ }).getByRole("button", { name: "Yes, cancel my tickets" }).click();
    await page.getByText("Cancelled. €22.50 is on its way back to you").waitFor({ timeout: 15_000 });
    expect(world.sql.prepare("select amount, status from refunds where order_id = ?").all(order.orderId)).toEqual([{ amount: 2_250, status: "pending" }]);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.context().close();
  });
});
