/**
 * What the room page receives, in Debian's Chromium with fake devices through the real
 * server: the active speaker's tile is emphasized; a tile out of view and a hidden tab
 * pause their video (the bytes stop arriving) and resume it; a small tile asks the SFU for
 * the lowest simulcast layer and gets it; and a killed media worker (for one page while it
 * was away, so that its join says `restarted`) brings everyone's video back.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join, launchRoomBrowser, openRoom, received, Relay, type RoomPage, statsFrom } from "../support/room-browser.ts";
import { RoomFixture, type RoomPerson } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let fixture: RoomFixture;
let browser: Browser;
let relay: Relay;
const pages: RoomPage[] = [];

beforeAll(async () => {
  server = await startServer({ env: { PLENARY_SFU_WORKERS: "2", PLENARY_SFU_RECONNECT_GRACE_MS: "30000" } });
  fixture = await RoomFixture.create(server);
  relay = await Relay.start(server.url);
  browser = await launchRoomBrowser();
}, 120_000);
afterAll(async () => {
  for (const p of pages.splice(0)) await p.context.close();
  await browser?.close();
  await relay?.close();
  await fixture?.close();
  await server?.stop();
});

const poll = { timeout: 60_000, interval: 250 };
/** Browser tests share two cores with whatever else runs; a real failure still fails. */
const SLOW = 240_000;

async function open(person: RoomPerson, session: string, via: string = server.url): Promise<RoomPage> {
  const room = await openRoom(browser, via, person, session);
  pages.push(room);
  return room;
}

/** Waits until `read` gives the same value twice in a row, a while apart: the counter stopped. */
async function stops(read: () => Promise<number>): Promise<number> {
  let last = -1;
  await expect.poll(async () => {
    const now = await read();
    const still = now === last;
    last = now;
    return still;
  }, { timeout: 30_000, interval: 1_500 }).toBe(true);
  return last;
}

describe("receiving in the room", () => {
  let session: string;
  let host: RoomPage;
  let speaker: RoomPage;
  let speakerPerson: RoomPerson;

  beforeAll(async () => {
    session = await fixture.session();
    const hostPerson = await fixture.person("Hugo Host");
    await fixture.teamMember(hostPerson, "owner");
    speakerPerson = await fixture.person("Sara Speaker");
    await fixture.speaker(speakerPerson, session);
    host = await open(hostPerson, session);
    // Only the speaker sends sound, so the SFU's active speaker is the speaker.
    await host.page.getByLabel("Start with my microphone on").uncheck();
    await join(host);
    speaker = await open(speakerPerson, session, relay.url);
    await join(speaker);
    // (expect.poll belongs inside tests.)
    for (const end = Date.now() + poll.timeout; (await received(host, speakerPerson.id, "camera", "framesDecoded")) <= 10; ) {
      if (Date.now() > end) throw new Error("the host never decoded the speaker's camera");
      await new Promise((resolve) => setTimeout(resolve, poll.interval));
    }
  }, SLOW);

  const camera = () => received(host, speakerPerson.id, "camera", "bytesReceived");
  const tile = () => host.page.getByRole("figure", { name: /Sara Speaker, speaker/ });

  it("emphasizes the active speaker's tile", async () => {
    await expect.poll(async () => (await tile().getAttribute("class")) ?? "", poll).toContain("tile--active");
    const ring = await tile().evaluate((el) => getComputedStyle(el).outlineColor);
    const plain = await host.page.getByRole("figure", { name: /\(you\)/ }).evaluate((el) => getComputedStyle(el).outlineColor);
    expect(ring).not.toBe(plain);
  }, SLOW);

  it("pauses the video of a tile out of view, and resumes it when it comes back", async () => {
    await expect.poll(camera, poll).toBeGreaterThan(0);
    await tile().evaluate((el) => Object.assign((el as HTMLElement).style, { position: "fixed", top: "-3000px" }));
    const stopped = await stops(camera);
    await tile().evaluate((el) => Object.assign((el as HTMLElement).style, { position: "", top: "" }));
    await expect.poll(camera, poll).toBeGreaterThan(stopped + 10_000);
  }, SLOW);

  it("pauses the video while the tab is hidden, and resumes it when it is shown again", async () => {
    // Headless Chromium keeps every page visible, so the page is told what a browser tells a
    // tab the person switched away from.
    const setVisibility = (state: "hidden" | "visible") => host.page.evaluate((state) => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
      document.dispatchEvent(new Event("visibilitychange"));
    }, state);
    await setVisibility("hidden");
    const stopped = await stops(camera);
    // The sound goes on: only video is paused for a hidden tab.
    const audio = await received(host, speakerPerson.id, "microphone", "packetsReceived");
    await expect.poll(() => received(host, speakerPerson.id, "microphone", "packetsReceived"), poll).toBeGreaterThan(audio + 20);
    await setVisibility("visible");
    await expect.poll(camera, poll).toBeGreaterThan(stopped + 10_000);
  }, SLOW);

  it("asks for the lowest simulcast layer for a small tile, and the SFU sends it", async () => {
    const layers = () => host.page.evaluate(() => {
      const track = Object.values(window.plenaryRoom!.media.view.tracks).find((t) => t.kind === "video" && t.source === "camera");
      return { preferred: track?.preferredLayer ?? null, current: track?.layer ?? null };
    });
    // A tile of the 1280-pixel-wide stage is wider than the smallest layer is for.
    expect((await layers()).preferred).toBeGreaterThan(0);
    await tile().evaluate((el) => Object.assign((el as HTMLElement).style, { width: "200px", justifySelf: "start" }));
    await expect.poll(async () => (await layers()).preferred, poll).toBe(0);
    await expect.poll(async () => (await layers()).current, poll).toBe(0);
    // What arrives is the quarter-size layer.
    await expect.poll(async () => (await statsFrom(host, speakerPerson.id)).find((s) => s.source === "camera")?.frameWidth ?? 0, poll).toBeLessThanOrEqual(320);
    await tile().evaluate((el) => Object.assign((el as HTMLElement).style, { width: "", justifySelf: "" }));
  }, SLOW);

  it("brings the video back after the media worker dies, for a page that was there and one that was away", async () => {
    const before = (await statsFrom(host, speakerPerson.id)).find((s) => s.source === "camera")!.consumerId;
    const speakerPeer = await speaker.page.evaluate(() => window.plenaryRoom!.media.view.peerId);
    // The speaker's socket is down while the worker dies: it learns on its resumed join (`restarted`).
    relay.cut(8_000);
    await speaker.page.getByTestId("reconnect-banner").waitFor();
    const opened = server.logs.find((l) => l.msg === "room opened" && l.room === session);
    expect(opened).toBeTruthy();
    process.kill(Number(opened!.pid), "SIGKILL");
    await expect.poll(() => server.logs.some((l) => l.msg === "room restarted on another worker" && l.room === session), poll).toBe(true);
    await speaker.page.getByTestId("reconnect-banner").waitFor({ state: "detached", timeout: 60_000 });
    expect(await speaker.page.evaluate(() => window.plenaryRoom!.media.view.peerId)).toBe(speakerPeer);
    // Both directions decode again, on new consumers.
    await expect.poll(async () => {
      const stats = (await statsFrom(host, speakerPerson.id)).find((s) => s.source === "camera");
      return stats && stats.consumerId !== before ? stats.framesDecoded : 0;
    }, poll).toBeGreaterThan(10);
    await expect.poll(() => received(speaker, host.person.id, "camera", "framesDecoded"), poll).toBeGreaterThan(10);
  }, SLOW);
});
