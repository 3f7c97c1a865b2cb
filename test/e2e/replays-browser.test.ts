/**
 * Finding recordings, in Debian's Chromium: an attendee finds a ready recording from its
 * session on the event page ("Watch the replay") and from My tickets; one not ready yet is not
 * linked. The organizer reaches every tab of the event editor at 1280 px, Recordings included.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, verifiedUser } from "../support/accounts.ts";
import { launchBrowser } from "../support/browser.ts";
import { EventFixture } from "../support/event-fixture.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

// Page loads on a busy 2-core machine: poll generously (nothing here measures speed).
const eventually = { timeout: 20_000 };

let server: TestServer;
let smtp: TestSmtpServer;
let fixture: EventFixture;
let browser: Browser;
let owner: TestClient;
let attendee: TestClient;
let eventId: string;
let slug: string;
let keynoteReplay: string;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  await firstAdmin(server);
  [owner, attendee] = await Promise.all(["owner", "ada"].map((name) => verifiedUser(server, smtp, `${name}@example.org`)));
  fixture = new EventFixture(server);
  ({ eventId } = fixture.event("owner@example.org", "Replay Conference"));
  fixture.setEvent(eventId, { status: "approved", visibility: "public" });
  slug = fixture.eventSlug(eventId);
  const keynote = fixture.session(eventId, "Opening keynote");
  const workshop = fixture.session(eventId, "Afternoon workshop");
  fixture.ticket(eventId, fixture.ticketType(eventId, "General"), "Ada Lovelace", "ada@example.org", "ada@example.org");
  keynoteReplay = fixture.recording(eventId, keynote, { title: "Opening keynote" });
  fixture.recording(eventId, workshop, { title: "Afternoon workshop", state: "processing" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  fixture?.close();
  await server?.stop();
  await smtp?.close();
});

async function contextAs(client: TestClient, viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(15_000);
  await context.addCookies([{ name: "plenary_session", value: client.cookies.get("plenary_session")!, url: server.url }]);
  return context;
}

describe("finding recordings", { timeout: 120_000 }, () => {
  it("links a ready recording from its session on the event page and from My tickets", async () => {
    const context = await contextAs(attendee);
    const page = await context.newPage();
    await page.goto(`${server.url}/events/${slug}`);
    const replay = page.getByRole("link", { name: "Watch the replay of Opening keynote" });
    await expect.poll(() => replay.count(), eventually).toBe(1);
    expect(await replay.getAttribute("href")).toBe(`/events/${eventId}/recordings?play=${keynoteReplay}`);
    // Still processing: nothing to watch yet.
    expect(await page.getByRole("link", { name: "Watch the replay of Afternoon workshop" }).count()).toBe(0);
    await replay.click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent(), eventually).toBe("Recordings");
    // The recording being played is one card: its player sits in its list entry, not in a second card above.
    await page.getByRole("region", { name: "Player" }).waitFor();
    expect(await page.getByRole("heading", { name: "Opening keynote" }).count()).toBe(1);
    expect(await page.getByRole("listitem").filter({ has: page.getByRole("region", { name: "Player" }) }).getByRole("heading", { name: "Opening keynote" }).count()).toBe(1);

    await page.goto(`${server.url}/tickets`);
    const fromTicket = page.getByRole("link", { name: "Watch the replay of Opening keynote" });
    await expect.poll(() => fromTicket.count(), eventually).toBe(1);
    expect(await fromTicket.getAttribute("href")).toBe(`/events/${eventId}/recordings?play=${keynoteReplay}`);
    await context.close();
  });

  it("shows every tab of the event editor at 1280 px, Recordings included", async () => {
    const context = await contextAs(owner);
    const page = await context.newPage();
    await page.goto(`${server.url}/organize/events/${eventId}`);
    const tabs = page.getByRole("navigation", { name: "Event" });
    await expect.poll(() => tabs.getByRole("link").count(), eventually).toBeGreaterThan(10);
    const box = (await tabs.boundingBox())!;
    for (const link of await tabs.getByRole("link").all()) {
      const name = await link.textContent();
      const tab = (await link.boundingBox())!;
      // Inside the strip's visible box, not scrolled out of it.
      expect(tab.x + tab.width, `${name}`).toBeLessThanOrEqual(box.x + box.width + 0.5);
      expect(tab.x, `${name}`).toBeGreaterThanOrEqual(box.x - 0.5);
    }
    await tabs.getByRole("link", { name: "Recordings" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent(), eventually).toBe("Recordings");
    await context.close();
  });
});
