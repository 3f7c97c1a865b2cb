/**
 * Discovery in a real browser (Debian's Chromium): find the demo event by searching, open
 * it, read its schedule in the viewer's time zone with the event's noted, see its tickets
 * and share buttons; the empty state for a search with no match; the same at phone width;
 * an invite-only event opened with its access code, cover included.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import type { Browser, BrowserContext } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { seedDemo } from "../../server/demo/demo.ts";
import { TicketKeys } from "../../server/tickets/ticket-keys.ts";
import { firstAdmin } from "../support/accounts.ts";
import { launchBrowser } from "../support/browser.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { inDays, openServerDb, seedEvent, seedOrganization } from "./discovery-seed.ts";

const screenshotDir = path.join(tmpdir(), "plenary-discovery-screenshots");
let server: TestServer;
let db: Kysely<DB>;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startServer();
  // Past the first-run page, which a server without an admin shows instead of the app.
  await firstAdmin(server);
  db = openServerDb(server.dataDir);
  await seedDemo(db, TicketKeys.load(path.join(server.dataDir, "keys")));
  const garden = await seedOrganization(db, "Green Thumbs", "green-thumbs");
  await seedEvent(db, garden, { slug: "gardening-basics", title: "Gardening for beginners", category: "Hobbies", startsAt: inDays(4), ticketTypes: [{ name: "Seat", price: 900 }] });
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await db?.destroy();
  await server?.stop();
});

async function newPage(options: Parameters<Browser["newContext"]>[0]) {
  const context = await browser.newContext({ timezoneId: "America/New_York", locale: "en-US", ...options });
  contexts.push(context);
  // A first page load compiles the whole client; on a loaded 2-core machine that takes a while.
  context.setDefaultTimeout(45_000);
  return context.newPage();
}

describe("discover and open an event", { timeout: 120_000 }, () => {
  it("finds the event by search, opens it, shows the schedule, tickets and share buttons", async () => {
    const page = await newPage({ viewport: { width: 1280, height: 900 } });
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await page.goto(server.url + "/");
    await page.getByRole("heading", { level: 1, name: "Events" }).waitFor();
    const cards = page.locator(".event-card");
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBe(2);

    await page.getByLabel("Search").fill("demo conference");
    await page.getByLabel("Search").press("Enter");
    await page.waitForURL(/\?q=demo\+conference$/);
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByRole("status").first().textContent()).toBe("1 event matches your search");

    await page.getByRole("link", { name: "Plenary Live: a demo conference" }).click();
    await page.waitForURL(`${server.url}/events/plenary-live-demo`);
    await page.getByRole("heading", { level: 1, name: "Plenary Live: a demo conference" }).waitFor();
    expect(await page.title()).toBe("Plenary Live: a demo conference · Plenary");

    const schedule = page.locator(".schedule__item");
    expect(await schedule.count()).toBe(3);
    expect(await schedule.first().locator(".schedule__title").textContent()).toBe("Welcome and keynote: events that feel live");
    // Shown in the viewer's zone (New York), the event's zone named beside it.
    const note = await page.locator(".event-hero__zone").textContent();
    expect(note).toContain("America/New_York");
    expect(note).toContain("Europe/Berlin");
    const firstStart = await schedule.first().locator("time").first().getAttribute("datetime");
    const expected = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", timeZone: "America/New_York" }).format(new Date(firstStart!));
    expect(await schedule.first().locator("time").first().textContent()).toBe(expected);

    await page.getByRole("heading", { name: "Speakers" }).waitFor();
    expect(await page.locator(".speaker").count()).toBe(3);
    expect(await page.locator(".ticket-type__name").allTextContents()).toEqual(["Free pass", "Supporter pass"]);
    expect(await page.locator(".ticket-type__price").allTextContents()).toEqual(["Free", "€25.00"]);
    expect(await page.getByRole("link", { name: "Get tickets" }).getAttribute("href")).toBe("/events/plenary-live-demo/checkout");

    const url = encodeURIComponent(`${server.url}/events/plenary-live-demo`);
    expect(await page.getByRole("link", { name: /^Facebook/ }).getAttribute("href")).toBe(`https://www.facebook.com/sharer/sharer.php?u=${url}`);
    expect(await page.getByRole("link", { name: /^X/ }).getAttribute("href")).toContain(`https://x.com/intent/post?url=${url}`);
    expect(await page.getByRole("link", { name: /^LinkedIn/ }).getAttribute("href")).toBe(`https://www.linkedin.com/sharing/share-offsite/?url=${url}`);
    await page.getByRole("button", { name: "Copy link" }).click();
    await page.getByText("Link copied.").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${server.url}/events/plenary-live-demo`);
  });

  it("says so when nothing matches, and clears the filters", async () => {
    const page = await newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/events?q=underwater+basket+weaving`);
    await page.getByRole("heading", { name: "No events match" }).waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(() => page.locator(".event-card").count(), { timeout: 20_000 }).toBe(2);
    expect(new URL(page.url()).search).toBe("");
    // Filters from the facets: Hobbies leaves only the gardening event.
    await page.getByLabel("Category").selectOption("Hobbies");
    await expect.poll(() => page.locator(".event-card").count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator(".event-card__title").textContent()).toBe("Gardening for beginners");
  });

  it("works at phone width and by keyboard", async () => {
    const page = await newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(server.url + "/events");
    await expect.poll(() => page.locator(".event-card").count(), { timeout: 20_000 }).toBe(2);
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);

    // Tab from the search box reaches an event card's link, and Enter opens it.
    await page.getByLabel("Search").focus();
    let reached = "";
    for (let i = 0; i < 20 && !reached.startsWith("/events/"); i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.getAttribute("href") ?? "");
    }
    expect(reached).toMatch(/^\/events\//);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${server.url}${reached}`);
    await page.getByRole("heading", { name: "Share" }).waitFor();

    await page.goto(server.url + "/events/plenary-live-demo");
    await page.getByRole("heading", { name: "Schedule" }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    for (const name of ["Get tickets", "Facebook (opens a new tab)", "LinkedIn (opens a new tab)"]) {
      expect(await page.getByRole("link", { name }).isVisible(), name).toBe(true);
    }
    expect(await page.getByRole("button", { name: "Copy link" }).isVisible()).toBe(true);
    // Schedule rows stack: the time sits above the title rather than squeezing it.
    const time = await page.locator(".schedule__time").first().boundingBox();
    const title = await page.locator(".schedule__title").first().boundingBox();
    expect(title!.y).toBeGreaterThan(time!.y + time!.height - 1);
  });

  it("pages through a long list with Next and Previous", async () => {
    const club = await seedOrganization(db, "Meetup Club", "meetup-club");
    for (let i = 0; i < 13; i++) await seedEvent(db, club, { slug: `meetup-${i}`, title: `Meetup number ${i}`, category: "Meetups", startsAt: inDays(60 + i) });
    const page = await newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/events?category=Meetups`);
    await page.getByText("Page 1 of 2").waitFor();
    expect(await page.locator(".event-card").count()).toBe(12);
    expect(await page.getByRole("link", { name: "Previous page" }).count()).toBe(0);
    await page.getByRole("link", { name: "Next page" }).click();
    await page.getByText("Page 2 of 2").waitFor();
    await expect.poll(() => page.locator(".event-card__title").allTextContents(), { timeout: 20_000 }).toEqual(["Meetup number 12"]);
    expect(new URL(page.url()).searchParams.get("category")).toBe("Meetups");
    await page.getByRole("link", { name: "Previous page" }).click();
    await page.getByText("Page 1 of 2").waitFor();
  });

  it("shows an invite-only event's cover and its speaker's page to a visitor who opened it with the code", async () => {
    const club = await seedOrganization(db, "Quiet Club", "quiet-club");
    const eventId = await seedEvent(db, club, {
      slug: "quiet-retreat", title: "Quiet retreat", visibility: "invite_only", accessCode: "STILL-WATER", startsAt: inDays(9),
      sessions: [{ title: "Breathing", startsAt: inDays(9), endsAt: inDays(9.1), speakers: ["Mira Stillman"] }],
    });
    mkdirSync(path.join(server.dataDir, "covers"), { recursive: true });
    const cover = `covers/${eventId}-0123456789ab.webp`;
    await sharp({ create: { width: 1600, height: 800, channels: 3, background: "#2a6f97" } }).webp().toFile(path.join(server.dataDir, cover));
    await db.updateTable("events").set({ cover_path: cover }).where("id", "=", eventId).execute();

    const page = await newPage({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(`${server.url}/events/quiet-retreat?code=still-water`);
    await page.getByRole("heading", { level: 1, name: "Quiet retreat" }).waitFor();
    const loaded = () => page.locator("img.event-hero__cover").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth).catch(() => 0);
    await expect.poll(loaded, { timeout: 20_000 }).toBe(1600);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, "phone-invite-only-cover.png") });
    // The speaker's page opens from there with the same code, and leads back to the event with it.
    await page.getByRole("link", { name: "Mira Stillman" }).click();
    await page.getByRole("heading", { level: 1, name: "Mira Stillman" }).waitFor();
    expect(new URL(page.url()).searchParams.get("code")).toBe("still-water");
    await page.getByRole("link", { name: "Quiet retreat" }).click();
    await page.getByRole("heading", { level: 1, name: "Quiet retreat" }).waitFor();
    expect(new URL(page.url()).searchParams.get("code")).toBe("still-water");
  });
});
