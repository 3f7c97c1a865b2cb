/**
 * Two people in real Chromium windows on a session's chat, Q&A and polls: an attendee at
 * phone width and the event's owner on a desktop chat, the owner runs a poll the attendee
 * votes in, the attendee asks a question the owner marks answered, and a notification
 * shows on the bell.
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
let owner: Person, alice: Person;
let sessionId: string;

beforeAll(async () => {
  server = await startServer();
  db = openDb(server);
  [owner, alice] = await Promise.all([person(server, db, "Olga Owner"), person(server, db, "Alice Attendee")]);
  // An admin exists, so the app is past its first-run page.
  await person(server, db, "Ada Admin", "admin");
  const world = await eventWorld(db, owner);
  sessionId = world.sessionIds[0];
  await giveTicket(db, world, alice);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await server?.stop();
});

/** A window logged in as the person, on the session's companion page. */
const windowOf = (who: Person, viewport: { width: number; height: number }): Promise<Page> =>
  windowAs(browser, server, who, `/sessions/${sessionId}/chat`, viewport);

/** Polls a page condition; a loaded 2-core machine needs more than expect.poll's 1 s default. */
const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

describe("chat, polls and Q&A in the browser", { timeout: 120_000 }, () => {
  it("lets two people chat, vote and ask", async () => {
    const host = await windowOf(owner, { width: 1280, height: 900 });
    const attendee = await windowOf(alice, { width: 375, height: 740 });

    // An empty channel says so, until its first message.
    await host.getByText("No messages yet. Say hello.").waitFor();
    // Chat, both ways, links made safe.
    await attendee.getByLabel(/^New message in /).fill("Hello from my phone https://example.org/x");
    await attendee.getByRole("button", { name: "Send", exact: true }).click();
    const hostMessage = host.getByTestId("chat-message").filter({ hasText: "Hello from my phone" });
    await eventually(() => hostMessage.count()).toBe(1);
    expect(await host.getByText("No messages yet. Say hello.").count()).toBe(0);
    const link = hostMessage.getByRole("link", { name: "https://example.org/x" });
    expect(await link.getAttribute("rel")).toContain("noopener");
    await host.getByLabel(/^New message in /).fill("Welcome, Alice!");
    await host.keyboard.press("Enter");
    await eventually(() => attendee.getByTestId("chat-message").filter({ hasText: "Welcome, Alice!" }).count()).toBe(1);
    // The host moderates: pins the welcome for everyone.
    await host.getByTestId("chat-message").filter({ hasText: "Welcome, Alice!" }).getByRole("button", { name: "Pin" }).click();
    await eventually(() => attendee.getByTestId("chat-pinned").textContent()).toContain("Welcome, Alice!");

    // A poll: the host writes and opens it, the attendee votes, the host sees the count.
    await host.getByRole("tab", { name: "Polls" }).click();
    await host.getByText("New poll").click();
    await host.getByLabel("Question", { exact: true }).fill("Which track next?");
    await host.getByLabel("Option 1").fill("Media");
    await host.getByLabel("Option 2").fill("Scale");
    await host.getByRole("button", { name: "Create poll" }).click();
    await host.getByRole("button", { name: "Open poll" }).click();
    // The attendee reaches the tab from the keyboard: arrows move between tabs.
    await attendee.getByRole("tab", { name: "Chat" }).focus();
    await attendee.keyboard.press("ArrowRight");
    await attendee.keyboard.press("ArrowRight");
    expect(await attendee.getByRole("tab", { name: "Polls" }).getAttribute("aria-selected")).toBe("true");
    await attendee.getByRole("radio", { name: "Scale" }).check();
    const scaleVotes = host.getByTestId("poll").locator("label", { hasText: "Scale" }).getByTestId("poll-votes");
    await eventually(() => scaleVotes.textContent()).toContain("1");

    // Q&A: the attendee asks anonymously, the host upvotes it and marks it answered live.
    await attendee.getByRole("tab", { name: "Q&A" }).click();
    await attendee.getByLabel("Your question").fill("Will the recording be online?");
    await attendee.getByLabel("Anonymous").check();
    await attendee.getByRole("button", { name: "Ask" }).click();
    await host.getByRole("tab", { name: "Q&A" }).click();
    const question = host.getByTestId("question").filter({ hasText: "Will the recording be online?" });
    await eventually(() => question.textContent()).toContain("Anonymous");
    await question.getByRole("button", { name: /Upvote/ }).click();
    await eventually(() => attendee.getByTestId("question-votes").textContent()).toBe("1");
    expect(await question.getByRole("button", { name: /Upvote/ }).isDisabled()).toBe(true);
    await question.getByRole("button", { name: "Answered live" }).click();
    await eventually(() => attendee.getByTestId("question").textContent()).toContain("answered live");
    expect(await overflowing(attendee)).toEqual([]);
    // The asker is told, and the bell counts it.
    await eventually(() => attendee.getByTestId("notification-bell").getAttribute("aria-label")).toBe("Notifications, 1 unread");
  });
});
