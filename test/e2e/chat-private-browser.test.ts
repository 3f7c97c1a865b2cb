/**
 * Private messages and report moderation in real Chromium windows, on a session's chat
 * page: an attendee at phone width starts a conversation from a chat message's author,
 * the other person finds it in "Messages" with its unread count and answers; then a
 * message reported with a reason and a note (picked in the report dialog, at phone width)
 * is deleted by the event's owner from the reports view, which shows the reason; then a
 * private message reported from the keyboard is deleted by a moderator, both at phone
 * width, from the same view.
 */
import type { Kysely } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { launchBrowser } from "../support/browser.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { eventWorld, giveTicket, openDb, overflowing, type Person, person, windowAs } from "./chat-support.ts";

let server: TestServer;
let db: Kysely<DB>;
let browser: Browser;
let owner: Person, alice: Person, bob: Person, maya: Person;
let sessionId: string;
let slug: string;

beforeAll(async () => {
  server = await startServer();
  db = openDb(server);
  [owner, alice, bob, maya] = await Promise.all([
    person(server, db, "Olga Owner"), person(server, db, "Alice Attendee"), person(server, db, "Bob Builder"), person(server, db, "Maya Moderator"),
  ]);
  // An admin exists, so the app is past its first-run page.
  await person(server, db, "Ada Admin", "admin");
  const world = await eventWorld(db, owner, { moderators: [maya] });
  sessionId = world.sessionIds[0];
  slug = world.slug;
  for (const who of [alice, bob]) await giveTicket(db, world, who);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await server?.stop();
});

async function windowOf(who: Person, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await windowAs(browser, server, who, `/sessions/${sessionId}/chat`, viewport);
  // Three windows on a loaded 2-core machine: actions may wait longer than the 10 s default.
  page.context().setDefaultTimeout(30_000);
  return page;
}

/** Polls a page condition; a loaded 2-core machine needs more than expect.poll's 1 s default. */
const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });

/** Writes and sends a message in the chat inside `scope` (a tab panel). */
async function say(page: Page, scope: string, text: string) {
  const panel = page.locator(scope);
  await panel.getByLabel(/^New message in /).fill(text);
  await panel.getByRole("button", { name: "Send", exact: true }).click();
}

describe("private messages and moderation in the browser", { timeout: 180_000 }, () => {
  it("lets two people talk privately, with unread counts, at phone width", async () => {
    const phone = await windowOf(alice, { width: 375, height: 740 });
    const desk = await windowOf(bob);

    await say(desk, "#room-panel-chat", "Hi all from Bob");
    const bobsMessage = phone.getByTestId("chat-message").filter({ hasText: "Hi all from Bob" });
    await eventually(() => bobsMessage.count()).toBe(1);
    // Nobody is offered a private message to themselves.
    expect(await desk.getByRole("button", { name: "Message Bob Builder" }).count()).toBe(0);
    await bobsMessage.getByRole("button", { name: "Message Bob Builder" }).click();

    const messagesTab = phone.getByRole("tab", { name: /Messages/ });
    await eventually(() => messagesTab.getAttribute("aria-selected")).toBe("true");
    await eventually(() => phone.locator("#room-panel-messages h3").textContent()).toBe("Bob Builder");
    await say(phone, "#room-panel-messages", "Private hello, Bob");

    // Bob is told on his Messages tab, finds the conversation with its unread count, and answers.
    const bobsTab = desk.getByRole("tab", { name: /Messages/ });
    // The badge shows the count; a screen reader hears what it counts.
    await eventually(() => desk.getByRole("tab", { name: "Messages 1 unread", exact: true }).count()).toBe(1);
    await bobsTab.click();
    const conversation = desk.getByRole("button", { name: "Conversation with Alice Attendee, 1 unread" });
    await eventually(() => conversation.count()).toBe(1);
    await conversation.click();
    await eventually(() => desk.locator("#room-panel-messages").getByTestId("chat-message").filter({ hasText: "Private hello, Bob" }).count()).toBe(1);
    await say(desk, "#room-panel-messages", "Hello back, Alice");
    await eventually(() => phone.locator("#room-panel-messages").getByTestId("chat-message").filter({ hasText: "Hello back, Alice" }).count()).toBe(1);
    // The private words never reached the session's chat.
    expect(await phone.locator("#room-panel-chat").getByTestId("chat-message").filter({ hasText: "Private hello" }).count()).toBe(0);
    expect(await overflowing(phone)).toEqual([]);

    // Back to the list: the conversation is there, read.
    await desk.getByRole("button", { name: "← All messages" }).click();
    await eventually(() => desk.getByRole("button", { name: "Conversation with Alice Attendee" }).count()).toBe(1);
    expect(await bobsTab.textContent()).toBe("Messages");

    // The event page's lobby lists the same conversations under its chat, phone-sized too.
    await phone.goto(`${server.url}/events/${slug}`);
    const lobbyList = phone.getByRole("region", { name: "Messages" }).getByRole("button", { name: /^Conversation with Bob Builder/ });
    await eventually(() => lobbyList.count()).toBe(1);
    await lobbyList.click();
    await eventually(() => phone.getByTestId("chat-message").filter({ hasText: "Hello back, Alice" }).count()).toBe(1);
    expect(await overflowing(phone)).toEqual([]);
    await phone.context().close();
    await desk.context().close();
  });

  it("lets the owner delete a reported message from the reports view", async () => {
    const phone = await windowOf(alice, { width: 375, height: 740 });
    const desk = await windowOf(bob);
    const host = await windowOf(owner);

    await say(desk, "#room-panel-chat", "Buy cheap followers now");
    const spam = phone.getByTestId("chat-message").filter({ hasText: "Buy cheap followers now" });
    await eventually(() => spam.count()).toBe(1);
    await spam.getByRole("button", { name: "Report" }).click();

    // The report dialog asks why; without a reason it says so and sends nothing.
    const dialog = phone.getByRole("dialog", { name: "Report Bob Builder's message" });
    await eventually(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain("Buy cheap followers now");
    expect(await overflowing(phone)).toEqual([]);
    await dialog.getByRole("button", { name: "Report", exact: true }).click();
    await eventually(() => dialog.getByRole("alert").textContent()).toBe("Choose why you are reporting this message.");
    await dialog.getByRole("radio", { name: "Spam" }).check();
    await dialog.getByLabel("Note for the moderators (optional)").fill("  Posts this in every session  ");
    expect(await dialog.getByText("469 of 500 characters left").count()).toBe(1);
    await dialog.getByRole("button", { name: "Report", exact: true }).click();
    await eventually(() => dialog.isVisible()).toBe(false);
    await eventually(() => phone.locator("#room-panel-chat").getByRole("status").first().textContent())
      .toBe("Reported (Spam). The event's moderators will see it.");
    // The message says it is reported, and focus is back on it.
    const done = spam.getByRole("button", { name: "Reported" });
    expect(await done.getAttribute("aria-disabled")).toBe("true");
    expect(await done.evaluate((button) => button === document.activeElement)).toBe(true);

    await host.getByRole("button", { name: "Reports and mutes" }).click();
    const report = host.getByTestId("report").filter({ hasText: "Buy cheap followers now" });
    await eventually(() => report.count()).toBe(1);
    expect(await report.textContent()).toContain("Reported by Alice Attendee");
    expect(await report.textContent()).toContain("Reason: Spam: Posts this in every session");
    await report.getByRole("button", { name: "Delete message" }).click();

    await eventually(() => spam.count()).toBe(0);
    await eventually(() => phone.getByTestId("chat-message").filter({ hasText: "message removed" }).count()).toBe(1);
    await eventually(() => host.getByText("No open reports.").count()).toBe(1);
    expect(await overflowing(phone)).toEqual([]);
  });
  it("lets a moderator delete a reported private message, seeing only that message, at phone width", async () => {
    const phone = { width: 375, height: 740 };
    const alicePhone = await windowOf(alice, phone);
    const desk = await windowOf(bob);
    const modPhone = await windowOf(maya, phone);

    // Bob writes to Alice privately, from her message in the session chat.
    await say(alicePhone, "#room-panel-chat", "Who has the slides?");
    const alicesMessage = desk.getByTestId("chat-message").filter({ hasText: "Who has the slides?" });
    await eventually(() => alicesMessage.count()).toBe(1);
    await alicesMessage.getByRole("button", { name: "Message Alice Attendee" }).click();
    await eventually(() => desk.locator("#room-panel-messages h3").textContent()).toBe("Alice Attendee");
    await say(desk, "#room-panel-messages", "I have them, ask me anything");
    const bobsPrivate = desk.locator("#room-panel-messages").getByTestId("chat-message");
    await eventually(() => bobsPrivate.filter({ hasText: "I have them" }).count()).toBe(1);
    await say(desk, "#room-panel-messages", "Send me your card number first");
    await eventually(() => bobsPrivate.filter({ hasText: "Send me your card number first" }).count()).toBe(1);

    // Alice finds it in Messages and reports it; she is told what the moderators will see.
    await alicePhone.getByRole("tab", { name: /Messages/ }).click();
    await alicePhone.getByRole("button", { name: /^Conversation with Bob Builder/ }).click();
    const alicesPrivate = alicePhone.locator("#room-panel-messages").getByTestId("chat-message");
    const card = alicesPrivate.filter({ hasText: "Send me your card number first" });
    await eventually(() => card.count()).toBe(1);
    const reportButton = card.getByRole("button", { name: "Report" });
    await reportButton.click();
    // From the keyboard: Escape cancels and gives focus back; the reasons are a radio group.
    const dialog = alicePhone.getByRole("dialog", { name: "Report Bob Builder's message" });
    await eventually(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain("not the rest of your conversation");
    await alicePhone.keyboard.press("Escape");
    await eventually(() => dialog.isVisible()).toBe(false);
    expect(await reportButton.evaluate((button) => button === document.activeElement)).toBe(true);
    await alicePhone.keyboard.press("Enter");
    await eventually(() => dialog.isVisible()).toBe(true);
    // Focus starts on the first reason: Space picks it, the down arrow the next.
    await alicePhone.keyboard.press("Space");
    await alicePhone.keyboard.press("ArrowDown");
    expect(await dialog.getByRole("radio", { name: "Harassment or hate" }).isChecked()).toBe(true);
    await alicePhone.keyboard.press("Tab");
    await alicePhone.keyboard.type("Asks for my card number");
    expect(await overflowing(alicePhone)).toEqual([]);
    await dialog.getByRole("button", { name: "Report", exact: true }).click();
    await eventually(() => alicePhone.locator("#room-panel-messages").getByRole("status").first().textContent())
      .toBe("Reported (Harassment or hate). The event's moderators will see this message, not the rest of your conversation.");
    expect(await overflowing(alicePhone)).toEqual([]);

    // The moderator sees the reported message alone, in the lobby's reports view on the event page...
    await modPhone.goto(`${server.url}/events/${slug}`);
    await modPhone.getByRole("button", { name: "Reports and mutes" }).click();
    const inLobby = modPhone.getByRole("region", { name: "Reported private messages" }).getByTestId("report");
    await eventually(() => inLobby.filter({ hasText: "Send me your card number first" }).count()).toBe(1);
    expect(await inLobby.filter({ hasText: "Send me your card number first" }).textContent()).toContain("Reason: Harassment or hate: Asks for my card number");
    expect(await overflowing(modPhone)).toEqual([]);
    // ...and in the session chat's, where she deletes it.
    await modPhone.goto(`${server.url}/sessions/${sessionId}/chat`);
    await modPhone.getByRole("button", { name: "Reports and mutes" }).click();
    const reported = modPhone.getByRole("region", { name: "Reported private messages" });
    const report = reported.getByTestId("report").filter({ hasText: "Send me your card number first" });
    await eventually(() => report.count()).toBe(1);
    expect(await report.textContent()).toContain("Reported by Alice Attendee");
    expect(await report.textContent()).toContain("Reason: Harassment or hate: Asks for my card number");
    expect(await report.textContent()).toContain("Bob Builder:");
    expect(await modPhone.getByText("I have them, ask me anything").count()).toBe(0);
    expect(await modPhone.getByText("Private hello, Bob").count()).toBe(0);
    expect(await overflowing(modPhone)).toEqual([]);
    await report.getByRole("button", { name: "Delete message" }).click();

    // Gone for both of them, live; the rest of their conversation stays.
    await eventually(() => card.count()).toBe(0);
    await eventually(() => alicesPrivate.filter({ hasText: "message removed" }).count()).toBe(1);
    await eventually(() => bobsPrivate.filter({ hasText: "Send me your card number first" }).count()).toBe(0);
    await eventually(() => bobsPrivate.filter({ hasText: "message removed" }).count()).toBe(1);
    expect(await alicesPrivate.filter({ hasText: "I have them, ask me anything" }).count()).toBe(1);
    await eventually(() => reported.getByText("No open reports on private messages.").count()).toBe(1);
    expect(await overflowing(modPhone)).toEqual([]);
    for (const page of [alicePhone, desk, modPhone]) await page.context().close();
  });
});
