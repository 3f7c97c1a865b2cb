/**
 * The live stream in Chromium: a room that is full turns a ticket holder away and offers
 * the live stream instead; the watch page plays the live HLS (its video's time advances);
 * the organizer's streaming page lists the live session; a host starts and stops a stream
 * of Chromium's own camera from the room's header, sees "reconnecting" while a killed
 * encoder restarts, and an attendee's header (at phone width) shows the stream start and
 * end as the server pushes them (nothing polls).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaPeer } from "../support/media-peer.ts";
import { join, launchRoomBrowser, openRoom } from "../support/room-browser.ts";
import { RoomFixture, type RoomPerson } from "../support/rooms.ts";
import type { TestServer } from "../support/server.ts";
import { encodeTestVp8 } from "../support/vp8.ts";
import { startStreamingServer } from "./streaming-support.ts";

let server: TestServer;
let fixture: RoomFixture;
let browser: Browser;
let host: RoomPerson, holder: RoomPerson;
let speakerPeer: MediaPeer, fillerPeer: MediaPeer;
let sessionId: string;
const scratch = mkdtempSync(path.join(tmpdir(), "plenary-streaming-browser-"));

beforeAll(async () => {
  server = await startStreamingServer();
  fixture = await RoomFixture.create(server);
  // Room for one attendee (hosts do not count): another ticket holder fills it.
  sessionId = await fixture.session({ title: "Packed keynote", maxPeers: 1 });
  host = await fixture.person("Hana Host");
  await fixture.teamMember(host, "owner");
  holder = await fixture.person("Tia Ticket");
  await fixture.ticket(holder);
  const { body } = await fixture.joinToken(server, host, sessionId);
  speakerPeer = await MediaPeer.connect(server.url, body.token);
  await speakerPeer.publishVideo(encodeTestVp8(path.join(scratch, "source.ivf")));
  const filler = await fixture.person("Fay Filler");
  await fixture.ticket(filler);
  fillerPeer = await MediaPeer.connect(server.url, (await fixture.joinToken(server, filler, sessionId)).body.token);
  const started = await fetch(`${server.url}/api/sessions/${sessionId}/stream/start`, {
    method: "POST",
    headers: { cookie: host.cookie, origin: server.url, "content-type": "application/json" },
    body: "{}",
  });
  expect(started.status).toBe(201);
  browser = await launchRoomBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await fillerPeer?.close();
  await speakerPeer?.close();
  await fixture?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** A session's composer: the server's ffmpeg child reading the program video, in that session's live folder. */
function composerPid(sessionId: string): number {
  const children = execFileSync("pgrep", ["-P", String(server.process.pid), "ffmpeg"]).toString().trim().split("\n").map(Number);
  const pid = children.find((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").includes("video.sdp") && readlinkSync(`/proc/${p}/cwd`).endsWith(sessionId));
  if (pid === undefined) throw new Error("no composer runs");
  return pid;
}

describe("watching the live stream", () => {
  it("offers the live stream when the room is full, and plays it", async () => {
    const { page } = await openRoom(browser, server.url, holder, sessionId, { width: 390, height: 844 });
    await page.getByRole("button", { name: "Join now" }).dispatchEvent("click");
    await expect.poll(() => page.getByRole("alert").first().textContent(), { timeout: 60_000 }).toContain("This room is full");
    const offer = page.getByRole("link", { name: "Watch the live stream instead" });
    await offer.waitFor({ timeout: 30_000 });
    await offer.click();
    await page.waitForURL(`**/watch/${sessionId}`);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent(), { timeout: 30_000 }).toBe("Packed keynote");
    const time = () => page.evaluate(() => document.querySelector<HTMLVideoElement>("[data-testid=live-video]")?.currentTime ?? 0);
    await expect.poll(time, { timeout: 60_000, interval: 500 }).toBeGreaterThan(1);
    const first = await time();
    // Still advancing: it is live, not one buffered segment.
    await expect.poll(time, { timeout: 60_000, interval: 500 }).toBeGreaterThan(first + 2);
    const size = await page.evaluate(() => document.querySelector<HTMLVideoElement>("[data-testid=live-video]")!.videoWidth);
    expect(size).toBe(320);

    // The organizer's streaming page lists the live session.
    await page.context().addCookies([{ name: "plenary_session", value: host.sessionToken, url: server.url }]);
    await page.goto(`${server.url}/organize/events/${fixture.eventId}/streaming`);
    const liveNow = page.getByRole("region", { name: "Live now" });
    await expect.poll(() => liveNow.textContent(), { timeout: 30_000 }).toContain("Packed keynote");
    await expect.poll(() => liveNow.textContent(), { timeout: 30_000 }).toContain("Live HLS only");
  }, 180_000);

  it("lets a host start and stop the live stream from the room; attendees see it as it happens", async () => {
    const other = await fixture.session({ title: "Hosted from the room" });
    const room = await openRoom(browser, server.url, host, other);
    await join(room);
    const attendee = await openRoom(browser, server.url, holder, other, { width: 375, height: 812 });
    await join(attendee);
    const attendeeControl = attendee.page.getByTestId("stream-control");
    await attendeeControl.waitFor({ state: "attached" });
    const control = room.page.getByTestId("stream-control");
    // Until the camera is published the server answers no_video, shown beside the button.
    const start = control.getByRole("button", { name: "Start live stream" });
    await expect
      .poll(async () => {
        if ((await control.getByTestId("live-indicator").count()) > 0) return "live";
        if (await start.isEnabled()) await start.click();
        return (await control.getByRole("alert").count()) > 0 ? await control.getByRole("alert").textContent() : "starting";
      }, { timeout: 90_000, interval: 2_000 })
      .toBe("live");
    await control.getByRole("link", { name: "Open the live page" }).waitFor();
    // The attendee's page fetched once, before the start: the push tells it.
    await attendeeControl.getByTestId("live-indicator").waitFor({ timeout: 30_000 });
    expect(await attendeeControl.getByRole("button").count()).toBe(0);

    // The encoder crashes: the host reads that it reconnects, then it is live again.
    process.kill(composerPid(other), "SIGKILL");
    const reconnecting = control.getByTestId("stream-reconnecting");
    await reconnecting.waitFor({ timeout: 30_000 });
    expect(await reconnecting.textContent()).toContain("being restarted");
    await reconnecting.waitFor({ state: "detached", timeout: 60_000 });
    expect(await control.getByTestId("live-indicator").count()).toBe(1);
    expect(await attendeeControl.getByTestId("stream-reconnecting").count()).toBe(0);

    await control.getByRole("button", { name: "Stop live stream" }).click();
    await control.getByRole("button", { name: "Start live stream" }).waitFor({ timeout: 60_000 });
    expect(await control.getByTestId("live-indicator").count()).toBe(0);
    await attendeeControl.getByTestId("live-indicator").waitFor({ state: "detached", timeout: 30_000 });
    await attendee.context.close();
    await room.context.close();
  }, 240_000);
});
