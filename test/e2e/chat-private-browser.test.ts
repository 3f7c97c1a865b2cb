/**
 * Private messages and report moderation in real Chromium windows, on a session's chat
 * page: an attendee at phone width starts a conversation from a chat message's author,
 * the other person finds it in "Messages" with its unread count and answers; then a
 * reported message is deleted by the event's owner from the reports view.
 */
import type { Kysely } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { eventWorld, giveTicket, launchChromium, openDb, overflowing, type Person, person, windowAs } from "./chat-support.ts";

let server: TestServer;
let db: Kysely<DB>;
let browser: Browser;
let owner: Person, alice: Person, bob: Person;
let sessionId: string;
let slug: string;

beforeAll(async () => {
  server = await startServer();
  db = openDb(server);
  [owner, alice, bob] = await Promise.all([person(server, db, "Olga Owner"), person(server, db, "Alice Attendee"), person(server, db, "Bob Builder")]);
  // An admin exists, so the app is past its first-run page.
  await person(server, db, "Ada Admin", "admin");
  const world = await eventWorld(db, owner);
  sessionId = world.sessionIds[0];
  slug = world.slug;
  for (const who of [alice, bob]) await giveTicket(db, world, who);
  browser = await launchChromium();
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
  await panel.getByLabel("Message", { exact: true }).fill(text);
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
    await eventually(() => bobsTab.textContent()).toBe("Messages1");
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

    await host.getByRole("button", { name: "Reports and mutes" }).click();
    const report = host.getByTestId("report").filter({ hasText: "Buy cheap followers now" });
    await eventually(() => report.count()).toBe(1);
    expect(await report.textContent()).toContain("Reported by Alice Attendee");
    await report.getByRole("button", { name: "Delete message" }).click();

    await eventually(() => spam.count()).toBe(0);
    await eventually(() => phone.getByTestId("chat-message").filter({ hasText: "message removed" }).count()).toBe(1);
    await eventually(() => host.getByText("No open reports.").count()).toBe(1);
    expect(await overflowing(phone)).toEqual([]);
  });
});
