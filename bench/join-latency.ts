/**
 * Join latency of the live room, in Debian's Chromium on loopback: a host page publishes its
 * fake camera; then, N times for each of two ways of joining (taken in turn, so that both
 * meet the same load), an attendee opens the room page and clicks "Join now", and the page
 * measures the time from the click to the first decoded remote video frame it presents
 * (requestVideoFrameCallback on the tile's <video>), with each step's end (RoomMedia.timings).
 * Beside it, the server's part: from the `media.join` message in to the first consumers
 * resumed (the server logs it). Prints p50 and p95; the aim is a p50 under 500 ms. Printed,
 * never asserted.
 *
 *   node bench/join-latency.ts [--joins 20]
 * (needs MEDIASOUP_WORKER_BIN as for the tests, Debian's chromium, and a built client)
 */
import { parseArgs } from "node:util";
import { join, launchRoomBrowser, openRoom, type RoomPage } from "../test/support/room-browser.ts";
import { RoomFixture } from "../test/support/rooms.ts";
import { startServer } from "../test/support/server.ts";

const { values } = parseArgs({ options: { joins: { type: "string", default: "20" } } });
const JOINS = Number(values.joins);

/** Whether the page shows its Join button (it may not, when client/dist was rebuilt under it). */
const joinButton = (room: RoomPage) => room.page.getByRole("button", { name: "Join now" }).waitFor({ timeout: 20_000 }).then(() => true, () => false);

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
  await host.page.waitForFunction(() => window.plenaryRoom?.media.view.state?.stage.some((p) => p.camera === "on"), null, { timeout: 60_000 });

  // Two ways of joining, taken in turn so that both meet the same load on this machine:
  // "one trip" (the page readies its device before the click and the join makes transports
  // and consumers) and "step by step" (the page gets no router capabilities beforehand, so
  // it loads the device, sends capabilities, makes a transport and consumes after the join).
  const paths = ["one trip", "step by step"] as const;
  type Path = (typeof paths)[number];
  const results = new Map<Path, { clientMs: number[]; serverMs: number[]; steps: Map<string, number[]> }>(
    paths.map((p) => [p, { clientMs: [], serverMs: [], steps: new Map() }]),
  );
  const receiving = () => server.logs.filter((l) => l.msg === "media peer receiving" && typeof l.joinToResumeMs === "number");
  for (let i = 0; i < JOINS * 2; i++) {
    const path = paths[i % 2];
    const result = results.get(path)!;
    const person = await fixture.person(`Viewer ${i + 1}`);
    await fixture.ticket(person);
    const viewer = await openRoom(browser, server.url, person, session);
    if (path === "step by step") {
      await viewer.context.route("**/join-token", async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, json: { ...(await response.json()), routerRtpCapabilities: null } });
      });
    }
    if (path === "step by step") await viewer.page.reload({ waitUntil: "domcontentloaded" });
    // Other work on this machine may rebuild client/dist under us: load the page again then.
    for (let attempt = 1; !(await joinButton(viewer)); attempt++) {
      if (attempt === 3) throw new Error("the room page did not load");
      await viewer.page.reload({ waitUntil: "domcontentloaded" });
    }
    // A person spends a moment on the device check before clicking; the page settles meanwhile.
    await viewer.page.waitForTimeout(1_000);
    const before = receiving().length;
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
    result.clientMs.push(ms);
    const marks = await viewer.page.evaluate(() => window.plenaryRoom!.media.timings.steps);
    for (const [step, at] of Object.entries(marks)) result.steps.set(step, [...(result.steps.get(step) ?? []), at]);
    // The server logs its part (join message in → consumers resumed) once per viewer.
    const logged = receiving().slice(before).at(0)?.joinToResumeMs;
    if (typeof logged === "number") result.serverMs.push(logged);
    await viewer.context.close();
    process.stdout.write(`join ${i + 1}/${JOINS * 2} (${path}): ${ms.toFixed(0)} ms\n`);
  }

  const quantile = (xs: number[], q: number) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  };
  const line = (name: string, xs: number[]) =>
    console.log(`${name.padEnd(44)} n=${xs.length}  p50 ${quantile(xs, 0.5).toFixed(0)} ms  p95 ${quantile(xs, 0.95).toFixed(0)} ms`);
  for (const [path, { clientMs, serverMs, steps }] of results) {
    console.log(`\n${path}: where the time goes (each step's end after the click):`);
    for (const [step, at] of [...steps].sort((a, b) => quantile(a[1], 0.5) - quantile(b[1], 0.5))) line(`  ${step}`, at);
    line("click join → first decoded remote frame", clientMs);
    line("server: media.join → consumers resumed", serverMs);
  }
  console.log("aim: p50 under 500 ms (click → first frame)");
} finally {
  await browser.close();
  await fixture.close();
  await server.stop();
}
