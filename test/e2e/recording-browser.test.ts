/**
 * Chromium plays a replay: a session recorded through the real server into the local
 * store, then the recordings page opened by a ticket holder plays it (hls.js fetching the
 * playlist, the AES key and Range-served segments over signed links) past its first
 * seconds; a person without a ticket sees no recording and is refused the player.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaPeer } from "../support/media-peer.ts";
import { launchRoomBrowser } from "../support/room-browser.ts";
import { RoomFixture, type RoomPerson } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { encodeTestVp8 } from "../support/vp8.ts";

let server: TestServer;
let fixture: RoomFixture;
let browser: Browser;
let host: RoomPerson, holder: RoomPerson, outsider: RoomPerson, speakerPeer: MediaPeer;
let recordingId: string;
const scratch = mkdtempSync(path.join(tmpdir(), "plenary-recording-browser-"));

async function api(person: RoomPerson, method: string, url: string) {
  const response = await fetch(`${server.url}${url}`, { method, headers: { origin: server.url, "content-type": "application/json", cookie: person.cookie }, body: method === "GET" ? undefined : "{}" });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  server = await startServer({ env: { PLENARY_SFU_WORKERS: "1", PLENARY_RECORDING_SEGMENT_SECONDS: "2", PLENARY_RECORDING_MIN_FREE_DISK_MB: "1", PLENARY_JOBS_POLL_INTERVAL_MS: "100" } });
  fixture = await RoomFixture.create(server);
  const sessionId = await fixture.session({ title: "Replayed talk" });
  host = await fixture.person("Hugo Host");
  await fixture.teamMember(host, "owner");
  holder = await fixture.person("Tess Ticket");
  await fixture.ticket(holder);
  outsider = await fixture.person("Olga Outside");
  speakerPeer = await MediaPeer.connect(server.url, (await fixture.joinToken(server, host, sessionId)).body.token);
  await speakerPeer.publishVideo(encodeTestVp8(path.join(scratch, "source.ivf")));
  const started = await api(host, "POST", `/api/sessions/${sessionId}/recording/start`);
  if (started.status !== 201) throw new Error(JSON.stringify(started.body));
  recordingId = started.body.id;
  await new Promise((r) => setTimeout(r, 6_000));
  await api(host, "POST", `/api/sessions/${sessionId}/recording/stop`);
  const end = Date.now() + 120_000;
  for (;;) {
    const { body } = await api(host, "GET", `/api/events/${fixture.eventId}/recordings`);
    const state = body.recordings.find((r: { id: string }) => r.id === recordingId)?.state;
    if (state === "ready") break;
    if (state === "failed" || Date.now() > end) throw new Error(`recording never became ready: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  browser = await launchRoomBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await speakerPeer?.close();
  await fixture?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function pageFor(person: RoomPerson, url: string, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  await context.addCookies([{ name: "plenary_session", value: person.sessionToken, url: server.url }]);
  const page = await context.newPage();
  await page.goto(`${server.url}${url}`);
  return page;
}

describe("recording replay in Chromium", () => {
  it("plays the replay for a ticket holder, with the chat replay beside it", async () => {
    const page = await pageFor(holder, `/events/${fixture.eventId}/recordings`);
    await page.getByRole("heading", { name: "Replayed talk" }).waitFor();
    const ranges: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/recordings/media/")) ranges.push(r.url().split("/").pop()!);
    });
    await page.getByRole("button", { name: "Watch" }).click();
    const video = page.getByRole("region", { name: "Player" }).locator("video");
    await video.waitFor();
    // hls.js (loaded on demand) attaches the source; play once there is metadata.
    await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1, undefined, { timeout: 60_000 });
    await video.evaluate((v: HTMLVideoElement) => {
      v.muted = true;
      return v.play();
    });
    await page.waitForFunction(() => {
      const v = document.querySelector("video");
      return v !== null && v.currentTime > 2 && v.readyState >= 2 && v.videoWidth > 0;
    }, undefined, { timeout: 60_000 });
    expect(ranges).toEqual(expect.arrayContaining(["index.m3u8", "key", "init.mp4", "seg_0000.m4s"]));
    await expect(page.getByRole("region", { name: "Chat replay" }).isVisible()).resolves.toBe(true);
    await page.context().close();
  }, 180_000);

  it("shows a phone-sized page, and nothing to someone without a ticket", async () => {
    const page = await pageFor(outsider, `/events/${fixture.eventId}/recordings?play=${recordingId}`, { width: 390, height: 800 });
    await page.getByText("No recordings you can watch yet.").waitFor();
    await page.getByRole("alert").filter({ hasText: "ticket" }).waitFor();
    // Nothing on the page reaches past the phone's width.
    const wider = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      return [...document.querySelectorAll("main *")]
        .filter((e) => e.getBoundingClientRect().right > width + 0.5)
        .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`);
    });
    expect(wider).toEqual([]);
    await page.context().close();
  });
});
