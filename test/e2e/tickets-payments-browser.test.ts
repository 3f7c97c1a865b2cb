/**
 * Groundwork for paid tickets, in a real browser (Debian's Chromium): the Stripe stand-in's
 * hosted checkout page paid by clicking, and a ticket code verified by the very module the
 * scanner page will import, with the browser's own WebCrypto Ed25519.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TicketKeys } from "../../server/tickets/ticket-keys.ts";
import { launchBrowser } from "../support/browser.ts";
import { StripeStandin } from "../support/stripe-standin/index.ts";
import { WebhookReceiver } from "../support/stripe-standin/receiver.ts";

let browser: Browser;
let standin: StripeStandin;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  standin = await StripeStandin.start({ webhookUrl: receiver.url });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await standin?.close();
  await receiver?.close();
});

describe("stand-in hosted checkout", () => {
  it("is paid by a click and returns to success_url; the signed webhook follows", async () => {
    const stripe = standin.client();
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [{ quantity: 2, price_data: { currency: "eur", unit_amount: 2_500, product_data: { name: "Conference pass" } } }],
      // Back to the stand-in's own page for the session, which then says it is complete.
      success_url: `${standin.baseUrl}/checkout/{CHECKOUT_SESSION_ID}`,
      cancel_url: `${standin.baseUrl}/cancelled`,
      customer_email: "browser@example.com",
    });
    const page = await browser.newPage();
    await page.goto(session.url!);
    // goto waits for the load event, and the page is plain server-rendered HTML.
    expect(await page.locator("#total").textContent()).toBe("€50.00");
    await page.locator("#pay").click();
    await page.waitForURL(`${standin.baseUrl}/checkout/${session.id}`);
    expect(await page.locator("#status").textContent()).toBe("This checkout session is complete.");
    await page.close();

    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: "complete", payment_status: "paid", customer_details: { email: "browser@example.com" } });
    await standin.webhooks.idle();
    const delivered = receiver.received.find((r) => r.body.includes('"checkout.session.completed"') && r.body.includes(session.id))!;
    expect(Stripe.webhooks.constructEvent(delivered.body, delivered.signature!, standin.webhooks.secret).type).toBe("checkout.session.completed");
  });
});

describe("ticket codes in the browser", () => {
  it("verifies with WebCrypto Ed25519 using server/tickets/ticket-code.ts unchanged", async () => {
    const keys = TicketKeys.load(path.join(mkdtempSync(path.join(tmpdir(), "plenary-browser-tickets-")), "keys"));
    const ticket = { ticketId: randomUUID(), eventId: randomUUID(), ticketTypeId: randomUUID(), issuedAt: new Date("2026-11-25T09:00:00Z") };
    const code = keys.sign(ticket);
    const source = stripTypeScriptTypes(readFileSync(new URL("../../server/tickets/ticket-code.ts", import.meta.url), "utf8"));
    const page = await browser.newPage();
    // A made-up HTTPS origin served from memory (WebCrypto, like the camera, exists only in secure
    // contexts): the page imports the module the way the scanner page will.
    const html = `<!doctype html><title>scanner</title><script type="module">import * as m from "/ticket-code.js"; window.ticketCode = m;</script>`;
    await page.route("https://scanner.test/**", (route) =>
      route.fulfill(route.request().url().endsWith(".js") ? { contentType: "text/javascript", body: source } : { contentType: "text/html", body: html }),
    );
    await page.goto("https://scanner.test/");
    await page.waitForFunction(() => "ticketCode" in window);
    const results = await page.evaluate(
      async ({ code, keys }) => {
        const module = (window as unknown as { ticketCode: typeof import("../../server/tickets/ticket-code.ts") }).ticketCode;
        const publicKeys = module.publicKeysFromJson(keys);
        const tampered = code.slice(0, 20) + (code[20] === "A" ? "B" : "A") + code.slice(21);
        return [await module.verifyTicketCode(publicKeys, code), await module.verifyTicketCode(publicKeys, tampered)];
      },
      { code, keys: keys.publicKeysJson() },
    );
    await page.close();
    expect(results[0]).toEqual({ valid: true, ticket: { ...ticket, kid: keys.publicKeys[0].kid } });
    expect(results[1]).toEqual({ valid: false, reason: "bad_signature" });
  });
});
