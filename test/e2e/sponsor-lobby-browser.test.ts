/**
 * In Chromium against the real server: someone waiting in a knock session's lobby sees the
 * event's sponsors on a phone, linked through the counting redirect, and the lobby's
 * impressions are counted for each sponsor shown.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { join, launchRoomBrowser, openRoom } from "../support/room-browser.ts";
import { RoomFixture } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { until } from "./chat-support.ts";

let server: TestServer;
let fixture: RoomFixture;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  fixture = await RoomFixture.create(server);
  browser = await launchRoomBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await fixture?.close();
  await server?.stop();
});

it("shows the event's sponsors to people waiting in the lobby, and counts them", async () => {
  const now = new Date().toISOString();
  const sponsorId = crypto.randomUUID();
  await fixture.db.insertInto("sponsors").values({ id: sponsorId, event_id: fixture.eventId, tier_id: null, name: "Initech", link: "https://initech.example/", created_at: now, updated_at: now }).execute();
  const session = await fixture.session({ lobbyMode: "knock" });
  const guest = await fixture.person("Wanda Waiting");
  await fixture.ticket(guest);
  const room = await openRoom(browser, server.url, guest, session, { width: 375, height: 740 });
  await join(room, { lobby: true });

  const strip = room.page.getByRole("region", { name: "Thanks to our sponsors" });
  const link = strip.getByRole("link", { name: "Initech" });
  await link.waitFor();
  expect(await link.getAttribute("href")).toBe(`/api/sponsors/${sponsorId}/visit?placement=lobby`);
  // On a phone the strip does not make the page scroll sideways.
  expect(await room.page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
  const counted = await until(() =>
    fixture.db.selectFrom("sponsor_stats").select("impressions").where("sponsor_id", "=", sponsorId).where("placement", "=", "lobby").executeTakeFirst(),
  20_000);
  expect(counted.impressions).toBe(1);
  await room.context.close();
}, 180_000);
