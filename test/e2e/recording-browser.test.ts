/**
 * Chromium plays a replay: a session recorded through the real server into the local
 * store while a ticket holder chats and the host marks a chapter, then the recordings page
 * opened by the ticket holder plays it (hls.js fetching the playlist, the AES key and
 * Range-served segments over signed links) past its first seconds, with the chat replay
 * growing as the video reaches each line, chapters that seek (and the replay follows the
 * seek), and on a phone the chat under the video; a person without a ticket sees no
 * recording and is refused the player. In a room, a host who records sees the low-disk
 * warning pushed over the socket (the warning line is set above any disk's free space)
 * and marks a chapter.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaPeer } from "../support/media-peer.ts";
import { join, launchRoomBrowser, openRoom } from "../support/room-browser.ts";
import { RoomFixture, type RoomPerson } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { encodeTestVp8 } from "../support/vp8.ts";
import { TestSocket } from "../support/ws-client.ts";

let server: TestServer;
let fixture: RoomFixture;
let browser: Browser;
let host: RoomPerson, holder: RoomPerson, outsider: RoomPerson, speakerPeer: MediaPeer;
let recordingId: string;
const scratch = mkdtempSync(path.join(tmpdir(), "plenary-recording-browser-"));

async function api(person: RoomPerson, method: string, url: string, body: unknown = {}) {
  const response = await fetch(`${server.url}${url}`, { method, headers: { origin: server.url, "content-type": "application/json", cookie: person.cookie }, body: method === "GET" ? undefined : JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = await startServer({
    env: {
      PLENARY_SFU_WORKERS: "1", PLENARY_RECORDING_SEGMENT_SECONDS: "2", PLENARY_RECORDING_MIN_FREE_DISK_MB: "1", PLENARY_JOBS_POLL_INTERVAL_MS: "100",
      // 10 TiB: every disk is under the warning line, so hosts are warned while recording (nothing stops).
      PLENARY_RECORDING_WARN_FREE_DISK_MB: String(10 * 1024 ** 2),
    },
  });
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
  // Chat and a chapter mark while it records, a few seconds apart.
  const chat = await TestSocket.open(server.url, { headers: { cookie: holder.cookie, origin: server.url } });
  const say = async (text: string) => {
    const reply = await chat.request("chat.send", { channel: `session:${sessionId}`, text });
    if (reply.t !== "ok") throw new Error(JSON.stringify(reply));
  };
  await sleep(1_500);
  await say("First line");
  await sleep(2_000);
  await api(host, "POST", `/api/sessions/${sessionId}/recording/markers`, { label: "Demo" });
  await sleep(2_000);
  await say("Second line");
  await sleep(1_500);
  chat.close();
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

  it("shows the chat replay in step with the video, and chapters that seek", async () => {
    const page = await pageFor(holder, `/events/${fixture.eventId}/recordings?play=${recordingId}`);
    const replay = page.getByRole("region", { name: "Chat replay" });
    const chapters = page.getByRole("navigation", { name: "Chapters" });
    await chapters.getByRole("button", { name: /Demo/ }).waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1, undefined, { timeout: 60_000 });
    // At 0 nothing was said yet.
    await replay.getByText("The chat appears here as the video plays.").waitFor();
    expect(await replay.getByText("First line").count()).toBe(0);
    const lineAt = async (text: string) => Number(await replay.locator("li", { hasText: text }).getAttribute("data-at"));

    // Seeking to the "Demo" chapter moves the video there; the first line (said before it) shows, the second not yet.
    await chapters.getByRole("button", { name: /Demo/ }).click();
    await page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) >= 3, undefined, { timeout: 30_000 });
    await replay.getByText("First line").waitFor({ timeout: 30_000 });
    expect(await replay.getByText("Second line").count()).toBe(0);
    const demoAt = await page.evaluate(() => document.querySelector("video")!.currentTime * 1000);
    expect(await lineAt("First line")).toBeLessThanOrEqual(demoAt);
    await expect(chapters.getByRole("button", { name: /Demo/ }).getAttribute("aria-current")).resolves.toBe("true");

    // Playing on reaches the second line.
    await page.locator("video").evaluate((v: HTMLVideoElement) => {
      v.muted = true;
      return v.play();
    });
    await replay.getByText("Second line").waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => document.querySelector("video")!.currentTime * 1000)).toBeGreaterThanOrEqual(await lineAt("Second line"));

    // Back to the start: the replay empties again.
    await chapters.getByRole("button", { name: /Replayed talk/ }).click();
    await replay.getByText("The chat appears here as the video plays.").waitFor({ timeout: 30_000 });
    expect(await replay.getByText("First line").count()).toBe(0);
    await page.context().close();
  }, 180_000);

  it("puts the chat under the video on a phone", async () => {
    const page = await pageFor(holder, `/events/${fixture.eventId}/recordings?play=${recordingId}`, { width: 390, height: 800 });
    const video = page.getByRole("region", { name: "Player" }).locator("video");
    await video.waitFor({ timeout: 60_000 });
    const replay = page.getByRole("region", { name: "Chat replay" });
    await replay.waitFor();
    const videoBox = (await video.boundingBox())!;
    const replayBox = (await replay.boundingBox())!;
    expect(replayBox.y).toBeGreaterThanOrEqual(videoBox.y + videoBox.height);
    expect(videoBox.width).toBeGreaterThan(300);
    const wider = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      return [...document.querySelectorAll("main *")].filter((e) => e.getBoundingClientRect().right > width + 0.5).map((e) => e.tagName.toLowerCase());
    });
    expect(wider).toEqual([]);
    await page.context().close();
  }, 120_000);

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

  it("warns the host in the room when disk space runs low while recording, and marks chapters", async () => {
    const live = await fixture.session({ title: "Live with a full disk" });
    const room = await openRoom(browser, server.url, host, live);
    try {
      await join(room);
      const { page } = room;
      await page.getByRole("button", { name: "Start recording" }).click();
      await page.getByTestId("recording-indicator").waitFor({ timeout: 60_000 });
      page.once("dialog", (dialog) => void dialog.accept("Intro"));
      await page.getByRole("button", { name: "Mark chapter" }).click();
      await page.getByText('Chapter "Intro" marked.').waitFor({ timeout: 30_000 });
      // The disk check runs every 5 s; its warning reaches the host over the socket.
      const warning = page.getByTestId("recording-warning");
      await warning.waitFor({ timeout: 60_000 });
      expect(await warning.textContent()).toMatch(/running out of disk space .* MiB free.*stop by itself below 1 MiB/);
      await expect(warning.getAttribute("role")).resolves.toBe("alert");
      await warning.getByRole("button", { name: "Dismiss" }).click();
      expect(await warning.count()).toBe(0);
      await page.getByRole("button", { name: "Stop recording" }).click();
      await page.getByTestId("recording-indicator").waitFor({ state: "detached", timeout: 60_000 });
    } finally {
      await room.context.close();
    }
  }, 180_000);

  it("updates an open recordings page when a recording changes state, without a reload", async () => {
    const page = await pageFor(host, `/events/${fixture.eventId}/recordings`);
    await page.getByRole("heading", { name: "Replayed talk" }).waitFor();
    // What the page itself asks for after the trim: only a push can make it ask.
    const seen: { state: string; trimStartMs: number | null }[] = [];
    page.on("response", async (response) => {
      if (!response.url().endsWith(`/api/events/${fixture.eventId}/recordings`)) return;
      const body = await response.json().catch(() => null);
      const r = body?.recordings?.find((x: { id: string }) => x.id === recordingId);
      if (r) seen.push({ state: r.state, trimStartMs: r.trimStartMs });
    });
    const trimmed = await api(host, "PATCH", `/api/recordings/${recordingId}`, { trimStartMs: 1_000 });
    expect(trimmed.status).toBe(200);
    await expect.poll(() => seen.some((r) => r.state === "ready" && r.trimStartMs === 1_000), { timeout: 120_000 }).toBe(true);
    const card = page.locator(".recordings-list__item", { has: page.getByRole("heading", { name: "Replayed talk" }) });
    await expect.poll(() => card.locator(".recording-state").textContent(), { timeout: 20_000 }).toBe("Ready");
    await page.context().close();
  }, 180_000);
});
