/**
 * Checkout in a real browser (Debian's Chromium) against the real server and the Stripe
 * stand-in: registering for a free ticket ends on "My tickets" with its QR code, a guest's
 * registration (no account) on the keyed order page with its QR code, and a paid
 * checkout goes to the stand-in's hosted page, is paid by a click, and comes back to an
 * order page that turns confirmed once the signed webhook has arrived.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser.ts";
import type { TestClient } from "../support/http-client.ts";
import { buyer, type CheckoutWorld, createTicketType, organizerEvent, seatCounts, startCheckoutWorld } from "./checkout-support.ts";

let world: CheckoutWorld;
let browser: Browser;

beforeAll(async () => {
  world = await startCheckoutWorld();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

/** A browser context signed in as a fresh buyer, or as the given client (the session cookie the API log-in set). */
async function signedIn(as?: TestClient): Promise<{ context: BrowserContext; email: string }> {
  const { client, email } = as ? { client: as, email: "" } : await buyer(world, "browser");
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await context.addCookies([...client.cookies].map(([name, value]) => ({ name, value, url: world.server.url })));
  return { context, email };
}

function slugOf(eventId: string): string {
  return (world.sql.prepare("select slug from events where id = ?").get(eventId) as { slug: string }).slug;
}

describe("checkout in the browser", () => {
  it("registers for a free ticket and shows its QR code under My tickets", async () => {
    const { client: organizer, eventId } = await organizerEvent(world, "Browser Meetup");
    const type = await createTicketType(organizer, eventId, { name: "Free entry", quantity: 20 });
    const { context } = await signedIn();
    const page = await context.newPage();
    await page.goto(`${world.server.url}/events/${slugOf(eventId)}/checkout`);
    await page.getByLabel("Free entry").selectOption("1");
    await expect.poll(() => page.getByLabel("Attendee name").inputValue()).toBe("browser");
    await page.getByRole("button", { name: "Register" }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    await page.locator('[data-order-status="paid"]').waitFor();
    await page.getByRole("link", { name: "See my tickets" }).click();
    await page.waitForURL(/\/tickets$/);
    const qr = page.getByRole("img", { name: "QR code of the ticket for browser" });
    await qr.locator("svg").waitFor();
    expect(await qr.locator("svg path").count()).toBeGreaterThan(0);
    expect(seatCounts(world, type.id)).toMatchObject({ sold: 1, held: 0 });
    await context.close();
  });

  it("registers a guest (no account) for a free ticket and shows the order with its QR code", async () => {
    const { client: organizer, eventId } = await organizerEvent(world, "Guest Browser Meetup");
    const type = await createTicketType(organizer, eventId, { name: "Free entry", quantity: 20 });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${world.server.url}/events/${slugOf(eventId)}/checkout`);
    await page.getByLabel("Your name").fill("Gwen Guest");
    await page.getByLabel("Your e-mail").fill("gwen.guest@example.org");
    await page.getByLabel("Free entry").selectOption("1");
    // The first ticket is for the buyer unless they say otherwise.
    await expect.poll(() => page.getByLabel("Attendee name").inputValue(), { timeout: 10_000 }).toBe("Gwen Guest");
    await expect.poll(() => page.getByLabel("Attendee e-mail").inputValue(), { timeout: 10_000 }).toBe("gwen.guest@example.org");
    await page.getByRole("button", { name: "Register" }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}\?key=[A-Za-z0-9_-]+$/, { timeout: 15_000 });
    await page.locator('[data-order-status="paid"]').waitFor({ timeout: 15_000 });
    const qr = page.getByRole("img", { name: "QR code of the ticket for Gwen Guest" });
    await qr.locator("svg").waitFor({ timeout: 15_000 });
    expect(await qr.locator("svg path").count()).toBeGreaterThan(0);
    expect(seatCounts(world, type.id)).toMatchObject({ sold: 1, held: 0 });
    expect(world.sql.prepare("select user_id, buyer_email from orders where event_id = ?").get(eventId)).toEqual({ user_id: null, buyer_email: "gwen.guest@example.org" });
    await context.close();
  });

  it("pays on the Stripe stand-in's hosted page and follows the order until the webhook confirms it", async () => {
    const { client: organizer, eventId } = await organizerEvent(world, "Browser Summit");
    const type = await createTicketType(organizer, eventId, { name: "Conference pass", price: 4_900, quantity: 20 });
    const { context } = await signedIn();
    const page = await context.newPage();
    await page.goto(`${world.server.url}/events/${slugOf(eventId)}/checkout`);
    await page.getByLabel("Conference pass").selectOption("2");
    await page.getByLabel("Attendee name").nth(1).fill("Second Guest");
    await page.getByLabel("Attendee e-mail").nth(1).fill("second@example.org");
    await page.getByRole("button", { name: "Continue to payment" }).click();
    await page.waitForURL(new RegExp(`^${world.stripe.baseUrl}/checkout/`));
    expect(await page.locator("#total").textContent()).toBe("€98.00");
    expect(seatCounts(world, type.id)).toMatchObject({ sold: 0, held: 2 });
    await page.locator("#pay").click();
    await page.waitForURL(new RegExp(`^${world.server.url}/orders/[0-9a-f-]{36}\\?paid=1$`));
    await page.locator('[data-order-status="paid"]').waitFor();
    expect(await page.locator('[data-order-status="paid"]').textContent()).toBe("Confirmed");
    expect(seatCounts(world, type.id)).toMatchObject({ sold: 2, held: 0 });
    await context.close();
  });

  it("lets the organizer add a ticket type, a promo code and a question on the Tickets tab", async () => {
    const { client: organizer, eventId } = await organizerEvent(world, "Organizer View");
    const { context } = await signedIn(organizer);
    const page = await context.newPage();
    await page.goto(`${world.server.url}/organize/events/${eventId}/tickets`);
    await page.getByLabel("Name", { exact: true }).fill("Early bird");
    await page.getByLabel("Price (EUR)").fill("12.50");
    await page.getByLabel("Quantity", { exact: true }).fill("40");
    await page.getByRole("button", { name: "Add ticket type" }).click();
    await page.getByRole("cell", { name: "Early bird", exact: true }).waitFor();
    expect(await page.getByRole("row", { name: /Early bird/ }).textContent()).toContain("€12.50");
    // Short codes are refused in the form, with the rule, before anything is sent.
    await page.getByLabel("Code", { exact: true }).fill("VIP");
    await page.getByRole("button", { name: "Add promo code" }).click();
    await page.getByText("Use at least 6 characters, so the code cannot be guessed").waitFor();
    expect(await page.getByLabel("Code", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect((await organizer.get(`/api/events/${eventId}/promo-codes`)).body.promoCodes).toEqual([]);
    await page.getByLabel("Code", { exact: true }).fill("FRIENDS");
    await page.getByRole("button", { name: "Add promo code" }).click();
    await page.getByText("FRIENDS").waitFor();
    await page.getByLabel("Question", { exact: true }).fill("Dietary needs");
    await page.getByRole("button", { name: "Add question" }).click();
    await page.getByText("Dietary needs").waitFor();
    const types = (await organizer.get(`/api/events/${eventId}/ticket-types`)).body.ticketTypes;
    expect(types).toMatchObject([{ name: "Early bird", price: 1_250, quantity: 40 }]);
    expect((await organizer.get(`/api/events/${eventId}/promo-codes`)).body.promoCodes).toMatchObject([{ code: "FRIENDS", kind: "percent", value: 1_000 }]);
    await context.close();
  });
});
