/**
 * Notifications in real Chromium: an announcement lights the bell live, the inbox lists it
 * and marks it read, the e-mail's unsubscribe link works in a browser that is not logged
 * in, and an admin retries a dead job from the jobs page at phone width.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { launchBrowser } from "../support/browser.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";
import { type EventWorld, eventWorld, giveTicket, openDb, overflowing, type Person, person, windowAs } from "./chat-support.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let db: Kysely<DB>;
let browser: Browser;
let owner: Person, alice: Person, admin: Person;
let world: EventWorld;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_JOBS_POLL_INTERVAL_MS: "100" } });
  db = openDb(server);
  [owner, alice, admin] = await Promise.all([person(server, db, "Owner"), person(server, db, "Alice"), person(server, db, "Admin", "admin")]);
  world = await eventWorld(db, owner, { title: "Bell Days" });
  await giveTicket(db, world, alice);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await server?.stop();
  await smtp?.close();
});

const windowOf = (who: Person | null, path: string, viewport?: { width: number; height: number }): Promise<Page> =>
  windowAs(browser, server, who, path, viewport);

/** Polls a page condition; a loaded 2-core machine needs more than expect.poll's 1 s default. */
const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

describe("notifications in the browser", { timeout: 120_000 }, () => {
  it("rings the bell live, lists the inbox, and unsubscribes from the e-mail's link", async () => {
    const page = await windowOf(alice, "/notifications");
    const bell = page.getByTestId("notification-bell");
    await eventually(() => bell.getAttribute("aria-label")).toBe("Notifications");
    const posted = await owner.http.post(`/api/events/${world.eventId}/announcements`, { subject: "Doors open", body: "Come in, the coffee is hot." });
    expect(posted.status).toBe(202);
    await eventually(() => bell.getAttribute("aria-label")).toBe("Notifications, 1 unread");
    const item = page.getByTestId("inbox-item").filter({ hasText: "Doors open" });
    await eventually(() => item.textContent()).toContain("Come in, the coffee is hot.");
    await item.getByRole("button", { name: "Mark “Doors open” read" }).click();
    await eventually(() => bell.getAttribute("aria-label")).toBe("Notifications");

    const mail = await smtp.next(alice.email, (m) => m.subject === "Bell Days: Doors open");
    const link = /Stop these e-mails: (\S+)/.exec(mail.text)![1];
    const stranger = await windowOf(null, new URL(link).pathname + new URL(link).search);
    await stranger.getByRole("button", { name: "Unsubscribe" }).click();
    await eventually(() => stranger.getByRole("status").filter({ hasText: "announcements from organizers" }).count()).toBe(1);
    const prefs = await db.selectFrom("users").select("notification_prefs").where("id", "=", alice.id).executeTakeFirstOrThrow();
    expect(JSON.parse(prefs.notification_prefs).announcement).toEqual({ email: false });
  });

  it("keeps a notification pushed while the inbox list is still on its way", async () => {
    const page = await windowOf(alice, "/");
    const bell = page.getByTestId("notification-bell");
    await eventually(() => bell.getAttribute("aria-label")).toBe("Notifications");
    // The list is read from the server at once, but reaches the page only after the push.
    let served!: () => void;
    const listRead = new Promise<void>((resolve) => (served = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route((url) => url.pathname === "/api/notifications", async (route) => {
      const response = await route.fetch();
      served();
      await held;
      await route.fulfill({ response });
    });
    await page.getByTestId("notification-bell").click();
    await listRead;
    const posted = await owner.http.post(`/api/events/${world.eventId}/announcements`, { subject: "Second call", body: "Last coffee before the keynote." });
    expect(posted.status).toBe(202);
    await eventually(() => bell.getAttribute("aria-label")).toBe("Notifications, 1 unread");
    release();
    await page.getByTestId("inbox-item").first().waitFor();
    await eventually(() => page.getByTestId("inbox-item").filter({ hasText: "Second call" }).count()).toBe(1);
    // What the list brought is there too, under it.
    await eventually(() => page.getByTestId("inbox-item").filter({ hasText: "Doors open" }).count()).toBe(1);
  });

  it("lets an admin find a dead job and retry it, at phone width", async () => {
    const now = new Date().toISOString();
    const announcement = { id: randomUUID() };
    await db.insertInto("announcements").values({ id: announcement.id, event_id: world.eventId, session_id: null, author_id: owner.id, subject: "Late news", body: "Sorry.", created_at: now }).execute();
    await giveTicket(db, world, { email: "late@example.org", name: "Late Larry" });
    await db.insertInto("jobs").values({
      id: randomUUID(), kind: "notification.announcement", key: `announcement:${announcement.id}`, status: "dead", run_at: now,
      payload: JSON.stringify({ announcementId: announcement.id }),
      attempts: 3, max_attempts: 3, last_error: "connect ECONNREFUSED", locked_by: null, locked_until: null, created_at: now, updated_at: now, finished_at: now,
    }).execute();
    const page = await windowOf(admin, "/admin/jobs", { width: 375, height: 740 });
    await page.getByLabel("Status").selectOption("dead");
    const job = page.getByTestId("job").filter({ hasText: announcement.id });
    await eventually(() => job.textContent()).toContain("connect ECONNREFUSED");
    await job.getByRole("button", { name: /^Retry/ }).click();
    await eventually(() => page.getByRole("status").filter({ hasText: "queued again" }).count()).toBe(1);
    const mail = await smtp.next("late@example.org", () => true, 10_000);
    expect(mail.text).toContain("Hello Late Larry");
    expect(await overflowing(page)).toEqual([]);
  });
});
