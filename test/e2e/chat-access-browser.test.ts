/**
 * In real Chromium: an attendee reading a session's chat has her ticket cancelled by the
 * organizer; the chat says why it closed, keeps what was shown and takes the message box away.
 */
import type { Kysely } from "kysely";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { launchBrowser } from "../support/browser.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { type EventWorld, eventWorld, giveTicket, openDb, type Person, person, windowAs } from "./chat-support.ts";

let server: TestServer;
let db: Kysely<DB>;
let browser: Browser;
let owner: Person, alice: Person;
let world: EventWorld;
let ticketId: string;

beforeAll(async () => {
  server = await startServer();
  db = openDb(server);
  [owner, alice] = await Promise.all([person(server, db, "Olga Owner"), person(server, db, "Alice Attendee")]);
  await person(server, db, "Ada Admin", "admin");
  world = await eventWorld(db, owner);
  ticketId = await giveTicket(db, world, alice);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await server?.stop();
});

describe("a chat whose access ends", { timeout: 120_000 }, () => {
  it("tells the reader why it closed and stops offering to write", async () => {
    const page = await windowAs(browser, server, alice, `/sessions/${world.sessionIds[0]}/chat`, { width: 375, height: 740 });
    const box = page.getByLabel(/^New message in/);
    await box.fill("Hello before the refund");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByTestId("chat-message").filter({ hasText: "Hello before the refund" }).waitFor();

    const { order_id: orderId } = await db.selectFrom("tickets").select("order_id").where("id", "=", ticketId).executeTakeFirstOrThrow();
    expect((await owner.http.post(`/api/orders/${orderId}/refunds`, { reason: "Registered twice" })).status).toBe(200);

    await page.getByRole("alert").filter({ hasText: "Your ticket was cancelled, so this chat is closed to you" }).waitFor();
    await expect.poll(() => box.isVisible(), { timeout: 15_000 }).toBe(false);
    // What was on screen stays.
    expect(await page.getByTestId("chat-message").filter({ hasText: "Hello before the refund" }).count()).toBe(1);
  });
});
