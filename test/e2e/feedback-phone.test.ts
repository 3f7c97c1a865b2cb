/**
 * In Chromium at 375 px (a small phone), against the real server: the organizer's feedback
 * report, the attendee's rating form, a speaker's page, an organizer's page and the
 * organizer's sponsors page never scroll sideways (the whole document, site header
 * included), and their key parts are on screen. The data is the kind that breaks layouts:
 * long names, long unbroken words, several links.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { launchBrowser } from "../support/browser.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { type EventWorld, eventWorld, giveTicket, openDb, type Person, person, windowAs } from "./chat-support.ts";

const PHONE = { width: 375, height: 740 };
const LONG_WORD = "Supercalifragilisticexpialidociously-unbreakable-words-everywhere";
let server: TestServer;
let db: Kysely<DB>;
let browser: Browser;
let owner: Person;
let attendee: Person;
let world: EventWorld;
let orgSlug: string;
const speakerId = randomUUID();

beforeAll(async () => {
  server = await startServer();
  db = openDb(server);
  // An admin exists, so the web app is past its first-run page.
  [owner, attendee] = await Promise.all([person(server, db, "Olga Owner", "admin"), person(server, db, "Ann Attendee")]);
  world = await eventWorld(db, owner, { sessions: [new Date(Date.now() - 2 * 3_600_000)], title: "The International Conference on Very Long Conference Names 2026" });
  await db.updateTable("event_sessions").set({ title: `Keynote: ${LONG_WORD}` }).where("id", "=", world.sessionIds[0]).execute();
  await giveTicket(db, world, attendee);
  const now = new Date().toISOString();
  await db.insertInto("session_attendance").values({ session_id: world.sessionIds[0], user_id: attendee.id, first_joined_at: now, last_joined_at: now, joins: 1 }).execute();
  orgSlug = (await db.selectFrom("organizations").select("slug").where("id", "=", world.organizationId).executeTakeFirstOrThrow()).slug;
  await db.updateTable("organizations").set({ name: "Extraordinarily Verbose Organizing Committee of Conferences" }).where("id", "=", world.organizationId).execute();
  await db.insertInto("speakers").values({
    id: speakerId, event_id: world.eventId, name: "Maximiliana Wolfeschlegelsteinhausen-Bergerdorff", title: `Principal ${LONG_WORD}`,
    bio: `Builds compilers. ${LONG_WORD}.`,
    links: JSON.stringify([{ label: "Personal website with a long label", url: `https://example.org/${LONG_WORD}` }, { label: "Mastodon", url: "https://example.social/@max" }]),
    created_at: now, updated_at: now,
  }).execute();
  await db.insertInto("session_speakers").values({ session_id: world.sessionIds[0], speaker_id: speakerId }).execute();
  for (const name of [`Acme ${LONG_WORD}`, "Globex Corporation International"]) {
    expect((await owner.http.request("POST", `/api/organize/events/${world.eventId}/sponsors`, { name, link: `https://sponsor.example/${LONG_WORD}`, description: `${name} makes ${LONG_WORD}` })).status).toBe(201);
  }
  const rate = (targetType: string, targetId: string, stars: number, comment: string) =>
    attendee.http.request("PUT", `/api/events/${world.eventId}/ratings`, { targetType, targetId, stars, comment });
  const rated = await rate("event", world.eventId, 5, `Wonderful. ${LONG_WORD} ${LONG_WORD}`);
  expect(rated.status).toBe(201);
  expect((await rate("session", world.sessionIds[0], 4, `Clear talk. ${LONG_WORD}`)).status).toBe(201);
  expect((await rate("speaker", speakerId, 5, "Great speaker")).status).toBe(201);
  const organizer = await rate("organizer", world.organizationId, 5, `Smooth. ${LONG_WORD}`);
  expect(organizer.status).toBe(201);
  for (const id of [rated.body.rating.id, organizer.body.rating.id]) {
    expect((await owner.http.request("PUT", `/api/organize/ratings/${id}/featured`, { featured: true })).status).toBe(200);
  }
  expect((await owner.http.request("PUT", `/api/organize/ratings/${rated.body.rating.id}/reply`, { reply: `Thank you! ${LONG_WORD}` })).status).toBe(200);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await server?.stop();
});

/** The whole document fits the phone's width; names what sticks out when it does not. */
async function expectNoSidewaysScroll(page: Page) {
  const { scroll, width, wide } = await page.evaluate(() => ({
    scroll: document.scrollingElement!.scrollWidth,
    width: window.innerWidth,
    // What sticks out, for whoever reads a failure (what scrolls inside its own box is listed too).
    wide: [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 12)
      .map((e) => `${e.tagName.toLowerCase()}.${e.getAttribute("class") ?? ""} (${Math.round(e.getBoundingClientRect().right)} px)`),
  }));
  expect(scroll, `the page scrolls sideways: ${wide.join(", ")}`).toBeLessThanOrEqual(width);
}

/** A phone-sized window as `who` at `path`; script errors are printed for whoever reads a failure. */
async function phone(who: Person | null, path: string): Promise<Page> {
  const page = await windowAs(browser, server, who, "/", PHONE);
  page.on("pageerror", (error) => console.error(`[${who?.name ?? "anonymous"}] ${error.message}`));
  await page.goto(server.url + path);
  return page;
}

async function visibleInWidth(page: Page, locator: ReturnType<Page["getByRole"]>) {
  await locator.waitFor({ state: "visible" });
  const box = (await locator.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width + 0.5);
}

it("fits the organizer's feedback report on a phone", async () => {
  const page = await phone(owner, `/organize/events/${world.eventId}/feedback`);
  await page.getByRole("heading", { name: "Feedback", level: 1 }).waitFor();
  await page.getByText(`Clear talk. ${LONG_WORD}`).waitFor();
  await visibleInWidth(page, page.getByRole("link", { name: "Export CSV" }));
  await expectNoSidewaysScroll(page);
  await page.context().close();
}, 120_000);

it("fits the attendee's rating form on a phone", async () => {
  const page = await phone(attendee, `/events/${world.slug}/feedback`);
  const form = page.getByRole("form", { name: `Keynote: ${LONG_WORD}` });
  await form.waitFor();
  // Rated already: the button offers to update it.
  await visibleInWidth(page, form.getByRole("button", { name: "Update rating" }));
  await visibleInWidth(page, form.getByRole("radio", { name: "5 stars" }));
  await expectNoSidewaysScroll(page);
  await page.context().close();
}, 120_000);

it("fits a speaker's public page on a phone", async () => {
  const page = await phone(null, `/speakers/${speakerId}`);
  await visibleInWidth(page, page.getByRole("heading", { name: "Maximiliana Wolfeschlegelsteinhausen-Bergerdorff", level: 1 }));
  await visibleInWidth(page, page.getByRole("link", { name: "Personal website with a long label" }));
  await page.getByText(`Keynote: ${LONG_WORD}`).waitFor();
  await expectNoSidewaysScroll(page);
  await page.context().close();
}, 120_000);

it("fits an organizer's public page on a phone", async () => {
  const page = await phone(null, `/organizers/${orgSlug}`);
  await visibleInWidth(page, page.getByRole("heading", { name: "Extraordinarily Verbose Organizing Committee of Conferences", level: 1 }));
  await page.getByText(`Smooth. ${LONG_WORD}`).waitFor();
  await expectNoSidewaysScroll(page);
  await page.context().close();
}, 120_000);

it("fits the organizer's sponsors page on a phone", async () => {
  const page = await phone(owner, `/organize/events/${world.eventId}/sponsors`);
  await page.getByRole("row", { name: /Globex Corporation International/ }).waitFor();
  await visibleInWidth(page, page.getByRole("button", { name: "Add tier" }));
  await expectNoSidewaysScroll(page);
  // The overlay controls open for a chosen session.
  await page.getByLabel("Session", { exact: true }).selectOption({ label: `Keynote: ${LONG_WORD}` });
  await visibleInWidth(page, page.getByRole("button", { name: "Show now" }));
  await expectNoSidewaysScroll(page);
  await page.context().close();
}, 120_000);
