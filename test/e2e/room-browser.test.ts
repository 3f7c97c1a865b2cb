/**
 * The room page in Debian's Chromium with fake camera, microphone and screen, through the
 * real server and its built web app: two people decode each other's video; a screen share
 * reaches the other side; a host's mute stops a speaker's audio arriving; a raised hand is
 * brought on stage, publishes, and is sent back; the lobby; removal; a locked room; a
 * dropped socket; and the phone-sized layout, its toolbar one compact row however much height is spare.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join, launchRoomBrowser, openRoom, received, Relay, type RoomPage } from "../support/room-browser.ts";
import { RoomFixture, type RoomPerson } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let fixture: RoomFixture;
let browser: Browser;
let relay: Relay;
const pages: RoomPage[] = [];

beforeAll(async () => {
  server = await startServer({ env: { PLENARY_SFU_RECONNECT_GRACE_MS: "20000" } });
  fixture = await RoomFixture.create(server);
  relay = await Relay.start(server.url);
  browser = await launchRoomBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await relay?.close();
  await fixture?.close();
  await server?.stop();
});

async function open(person: RoomPerson, session: string, viewport?: { width: number; height: number }): Promise<RoomPage> {
  const room = await openRoom(browser, relay.url, person, session, viewport);
  pages.push(room);
  return room;
}
const host = (name: string) => fixture.coHost(name);
const attendee = (name: string) => fixture.attendee(name);
/** Opens the People panel unless it is open. */
async function openPeople(room: RoomPage): Promise<void> {
  const button = room.page.getByRole("button", { name: /^People/ });
  if ((await button.getAttribute("aria-pressed")) !== "true") await button.click();
}
const poll = { timeout: 40_000, interval: 250 };
/** Browser tests share two cores with whatever else runs; a real failure still fails. */
const SLOW = 180_000;

describe("the room page", () => {
  let session: string;
  let hostPage: RoomPage;
  let speakerPage: RoomPage;

  beforeAll(async () => {
    session = await fixture.session();
    hostPage = await open(await host("Hedy Host"), session);
    const speaker = await fixture.person("Sol Speaker");
    await fixture.speaker(speaker, session);
    speakerPage = await open(speaker, session);
  });
  afterAll(async () => {
    for (const p of pages.splice(0)) await p.context.close();
  });

  it("lets two people join and each decodes the other's camera", async () => {
    await join(hostPage);
    await join(speakerPage);
    await expect.poll(() => received(hostPage, speakerPage.person.id, "camera", "framesDecoded"), poll).toBeGreaterThan(10);
    await expect.poll(() => received(speakerPage, hostPage.person.id, "camera", "framesDecoded"), poll).toBeGreaterThan(10);
    // Frames keep coming: decoding continues, not one burst.
    const before = await received(hostPage, speakerPage.person.id, "camera", "framesDecoded");
    await expect.poll(() => received(hostPage, speakerPage.person.id, "camera", "framesDecoded"), poll).toBeGreaterThan(before + 10);
    await hostPage.page.getByRole("figure", { name: /Sol Speaker, speaker/ }).waitFor();
    expect(await hostPage.page.getByTestId("tile").count()).toBe(2);
  }, SLOW);

  it("shows everyone in the room when a host records the session", async () => {
    const indicator = speakerPage.page.getByTestId("recording-indicator");
    expect(await indicator.count()).toBe(0);
    await hostPage.page.getByRole("button", { name: "Start recording" }).click();
    await expect.poll(() => indicator.count(), poll).toBe(1);
    expect(await indicator.textContent()).toContain("Recording");
    await hostPage.page.getByRole("button", { name: "Stop recording" }).click();
    await expect.poll(() => indicator.count(), poll).toBe(0);
    // Only hosts hold the switch.
    expect(await speakerPage.page.getByRole("button", { name: /recording$/ }).count()).toBe(0);
  }, SLOW);

  it("carries a screen share to the other side in the screen-share layout", async () => {
    await speakerPage.page.getByRole("button", { name: "Share screen" }).click();
    await expect.poll(() => received(hostPage, speakerPage.person.id, "screen", "framesDecoded"), poll).toBeGreaterThan(5);
    await hostPage.page.getByRole("region", { name: "Screen share" }).waitFor();
    await speakerPage.page.getByRole("button", { name: "Stop sharing" }).click();
    await hostPage.page.getByRole("region", { name: "Stage" }).waitFor();
  }, SLOW);

  it("stops a speaker's audio arriving when the host mutes them", async () => {
    await expect.poll(() => received(hostPage, speakerPage.person.id, "microphone", "packetsReceived"), poll).toBeGreaterThan(20);
    await hostPage.page.keyboard.press("p");
    await hostPage.page.getByRole("button", { name: "Mute Sol Speaker's microphone until you allow it" }).click();
    await speakerPage.page.getByText("Hedy Host muted your microphone.").waitFor();
    await speakerPage.page.getByRole("button", { name: "Unmute", exact: true }).waitFor();
    // Packets stop: two readings a while apart agree once the mute has landed.
    let last = -1;
    await expect
      .poll(async () => {
        const now = await received(hostPage, speakerPage.person.id, "microphone", "packetsReceived");
        const still = now === last;
        last = now;
        return still;
      }, { timeout: 20_000, interval: 1_500 })
      .toBe(true);
    // The speaker cannot turn it back on by themselves.
    await speakerPage.page.keyboard.press("m");
    await speakerPage.page.getByText("ask a host to allow you").waitFor();
    expect(await received(hostPage, speakerPage.person.id, "microphone", "packetsReceived")).toBe(last);
    await hostPage.page.getByRole("button", { name: "Allow Sol Speaker to turn their microphone on" }).first().click();
    await speakerPage.page.getByText("allowed you to turn your microphone back on").waitFor();
    await speakerPage.page.getByRole("button", { name: "Unmute", exact: true }).click();
    await expect.poll(() => received(hostPage, speakerPage.person.id, "microphone", "packetsReceived"), poll).toBeGreaterThan(last + 10);
  }, SLOW);

  it("brings a raised hand on stage, where the attendee publishes, and sends them back", async () => {
    const guest = await open(await attendee("Ari Attendee"), session);
    await join(guest);
    expect(await guest.page.getByRole("button", { name: "Share screen" }).count()).toBe(0);
    await guest.page.getByRole("button", { name: "Raise hand" }).click();
    await openPeople(hostPage);
    const bring = hostPage.page.getByRole("button", { name: "Bring Ari Attendee on stage" }).first();
    await bring.click();
    await guest.page.getByText("brought you on stage").waitFor();
    await guest.page.getByRole("button", { name: "Mute", exact: true }).waitFor();
    await expect.poll(() => received(hostPage, guest.person.id, "camera", "framesDecoded"), poll).toBeGreaterThan(10);
    await hostPage.page.getByRole("button", { name: "Send Ari Attendee back to the audience" }).first().click();
    await guest.page.getByText("moved you back to the audience").waitFor();
    await expect.poll(async () => (await guest.page.getByRole("button", { name: "Mute", exact: true }).count()), poll).toBe(0);
    await expect.poll(() => received(hostPage, guest.person.id, "camera", "framesDecoded"), poll).toBe(0);
    await guest.context.close();
  }, SLOW);

  it("removes a participant, who sees why", async () => {
    const guest = await open(await attendee("Rex Removed"), session);
    await join(guest);
    await openPeople(hostPage);
    await hostPage.page.getByRole("button", { name: "Remove Rex Removed from the room" }).first().click();
    await guest.page.getByTestId("room-ended").waitFor();
    expect(await guest.page.getByTestId("room-ended").getAttribute("data-phase")).toBe("removed");
    await expect.poll(() => hostPage.page.getByTestId("participant").filter({ hasText: "Rex Removed" }).count(), poll).toBe(0);
    await guest.context.close();
  }, SLOW);

  it("keeps a locked room's newcomers in the lobby until the host unlocks it", async () => {
    await openPeople(hostPage);
    await hostPage.page.getByLabel("Lock the room").check();
    const late = await open(await attendee("Lia Late"), session);
    await join(late, { lobby: true });
    await late.page.getByText("The room is locked").waitFor();
    await hostPage.page.getByLabel("Lock the room").uncheck();
    await late.page.getByRole("navigation", { name: "Room controls" }).waitFor({ timeout: 40_000 });
    await late.context.close();
  }, SLOW);

  it("shows a reconnect banner when the socket drops and resumes the same place with media still flowing", async () => {
    const before = await received(hostPage, speakerPage.person.id, "camera", "framesDecoded");
    const peerId = await speakerPage.page.evaluate(() => window.plenaryRoom!.media.view.peerId);
    relay.cut(4_000);
    await speakerPage.page.getByTestId("reconnect-banner").waitFor();
    await speakerPage.page.getByTestId("reconnect-banner").waitFor({ state: "detached", timeout: 30_000 });
    expect(await speakerPage.page.evaluate(() => window.plenaryRoom!.media.view.peerId)).toBe(peerId);
    await expect.poll(() => received(hostPage, speakerPage.person.id, "camera", "framesDecoded"), poll).toBeGreaterThan(before + 20);
    await expect.poll(() => received(speakerPage, hostPage.person.id, "camera", "framesDecoded"), poll).toBeGreaterThan(10);
  }, SLOW);
});

describe("the lobby of a knock session", () => {
  it("lets a host admit a waiting attendee", async () => {
    const session = await fixture.session({ lobbyMode: "knock" });
    const h = await open(await host("Kim Host"), session);
    await join(h);
    const guest = await open(await attendee("Nia Knock"), session);
    await join(guest, { lobby: true });
    await guest.page.getByText("Hosted by Kim Host").waitFor();
    await h.page.getByRole("button", { name: /People \(1 waiting\)/ }).click();
    await h.page.getByRole("button", { name: "Admit Nia Knock" }).click();
    await guest.page.getByRole("navigation", { name: "Room controls" }).waitFor({ timeout: 40_000 });
    await expect.poll(() => h.page.getByTestId("participant").count(), poll).toBe(2);
    await Promise.all([h.context.close(), guest.context.close()]);
  }, SLOW);

  it("refuses someone without a ticket and links to the event", async () => {
    const session = await fixture.session();
    const stranger = await open(await fixture.person("No Ticket"), session);
    await stranger.page.getByTestId("room-refused").waitFor();
    expect(await stranger.page.getByRole("link", { name: "Get a ticket" }).getAttribute("href")).toBe(`/events/${fixture.slug}`);
    await stranger.context.close();
  }, SLOW);
});

describe("on a phone", () => {
  it("fits the stage and every control on a phone-sized screen", async () => {
    const session = await fixture.session();
    const h = await open(await host("Pat Phone"), session, { width: 375, height: 740 });
    await join(h);
    const speaker = await fixture.person("Sue Stage");
    await fixture.speaker(speaker, session);
    const s = await open(speaker, session);
    await join(s);
    await expect.poll(() => received(h, speaker.id, "camera", "framesDecoded"), poll).toBeGreaterThan(5);
    await h.page.screenshot({ path: `${server.dataDir}/room-phone.png` });
    const { page } = h;
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
    expect(width.scroll, "no sideways scrolling").toBeLessThanOrEqual(width.inner);
    // One row: the controls used all the time, the rest under More (a host has no hand to raise).
    for (const name of ["Mute", "Stop video", "Leave", "More"]) {
      const box = await page.getByRole("button", { name, exact: true }).boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.x, name).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, name).toBeLessThanOrEqual(375);
      expect(box!.height, `${name} is big enough to tap`).toBeGreaterThanOrEqual(40);
    }
    const tiles = page.getByTestId("tile");
    expect(await tiles.count()).toBe(2);
    const first = await page.getByRole("figure", { name: /Sue Stage/ }).boundingBox();
    expect(first!.width, "a tile takes the phone's width").toBeGreaterThan(300);
    await page.getByRole("button", { name: "More", exact: true }).click();
    await page.getByRole("button", { name: "People", exact: true }).click();
    const panel = await page.getByRole("complementary", { name: "People" }).boundingBox();
    expect(panel!.x + panel!.width).toBeLessThanOrEqual(375);
    for (const p of pages.splice(0)) await p.context.close();
  }, SLOW);

  it("keeps the toolbar's buttons compact when the stage leaves height to spare", async () => {
    const session = await fixture.session();
    const h = await open(await host("Hal Host"), session);
    await join(h);
    const a = await open(await attendee("Ada Phone"), session, { width: 375, height: 812 });
    await join(a);
    await a.page.getByRole("figure", { name: /Hal Host/ }).waitFor();
    await a.page.screenshot({ path: `${server.dataDir}/room-phone-attendee.png` });
    // The spare height goes to the stage, not to the toolbar (whose wrapped buttons once stretched into tall pills).
    for (const name of ["Raise hand", "Chat", "Leave", "More"]) {
      const box = await a.page.getByRole("button", { name, exact: true }).boundingBox();
      expect(box!.height, `${name} stays one line tall`).toBeLessThan(60);
    }
    for (const p of pages.splice(0)) await p.context.close();
  }, SLOW);
});
