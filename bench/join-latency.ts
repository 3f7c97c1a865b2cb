/**
 * Join latency of the live room, in Debian's Chromium on loopback: a host page publishes its
 * fake camera; then, N times, an attendee opens the room page and clicks "Join now", and the
 * page measures the time from the click to the first decoded remote video frame it presents
 * (requestVideoFrameCallback on the tile's <video>). Beside it, the server's part: from the
 * `media.join` message in to the first `media.consumers.resume` done (the server logs it).
 * Prints p50 and p95 of both; the aim is a p50 under 500 ms. Printed, never asserted.
 *
 *   node bench/join-latency.ts [--joins 20]
 * (needs MEDIASOUP_WORKER_BIN as for the tests, Debian's chromium, and a built client)
 */
import { parseArgs } from "node:util";
import { join, launchRoomBrowser, openRoom } from "../test/support/room-browser.ts";
import { RoomFixture } from "../test/support/rooms.ts";
import { startServer } from "../test/support/server.ts";

const { values } = parseArgs({ options: { joins: { type: "string", default: "20" } } });
const JOINS = Number(values.joins);

const server = await startServer({ env: { PLENARY_SFU_WORKERS: "1" } });
const fixture = await RoomFixture.create(server);
const browser = await launchRoomBrowser();
try {
  const session = await fixture.session();
  const hostPerson = await fixture.person("Bench Host");
  await fixture.teamMember(hostPerson, "owner");
  const host = await openRoom(browser, server.url, hostPerson, session);
  await join(host);
  // The host's camera is on the server before the first viewer comes.
  await host.page.waitForFunction(() => window.plenaryRoom?.media.view.state?.participants.some((p) => p.camera === "on"), null, { timeout: 60_000 });

  const clientMs: number[] = [];
  for (let i = 0; i < JOINS; i++) {
    const person = await fixture.person(`Viewer ${i + 1}`);
    await fixture.ticket(person);
    const viewer = await openRoom(browser, server.url, person, session);
    await viewer.page.getByRole("button", { name: "Join now" }).waitFor();
    const ms = await viewer.page.evaluate(() => {
      const button = [...document.querySelectorAll("button")].find((b) => b.textContent === "Join now")!;
      const start = performance.now();
      button.click();
      return new Promise<number>((resolve) => {
        const look = () => {
          const video = [...document.querySelectorAll<HTMLVideoElement>("video.tile__video")].find((v) => v.srcObject);
          if (video) video.requestVideoFrameCallback(() => resolve(performance.now() - start));
          else setTimeout(look, 2);
        };
        look();
      });
    });
    clientMs.push(ms);
    await viewer.context.close();
    process.stdout.write(`join ${i + 1}/${JOINS}: ${ms.toFixed(0)} ms\n`);
  }
  // The server logs its part once per fresh join that consumes something: the viewers' joins.
  const serverMs = server.logs
    .filter((l) => l.msg === "media peer receiving" && typeof l.joinToResumeMs === "number")
    .map((l) => l.joinToResumeMs as number);

  const quantile = (xs: number[], q: number) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  };
  const line = (name: string, xs: number[]) =>
    console.log(`${name.padEnd(44)} n=${xs.length}  p50 ${quantile(xs, 0.5).toFixed(0)} ms  p95 ${quantile(xs, 0.95).toFixed(0)} ms`);
  console.log("");
  line("click join → first decoded remote frame", clientMs);
  line("server: media.join → consumers resumed", serverMs);
  console.log("aim: p50 under 500 ms (click → first frame)");
} finally {
  await browser.close();
  await fixture.close();
  await server.stop();
}
