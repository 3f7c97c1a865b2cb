/**
 * The browser path in Debian's Chromium: a minimal mediasoup-client page (fixtures/media,
 * bundled here with vite) publishes the fake camera (3 simulcast layers) and microphone
 * through the real server; a second page consumes them and decodes frames (also over
 * ICE-TCP alone, and VP9 with spatial SVC layers, switching layers on request). The page is
 * served from a loopback static server that forwards /ws to the real server, so the
 * product gets no test-only route.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { mintJoinToken } from "../../server/accounts/join-tokens.ts";
import { SigningKeys } from "../../server/accounts/keys.ts";
import { type FixturePage, launchMediaBrowser, serveFixturePage } from "../support/media-fixture.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let keys: SigningKeys;
let browser: Browser;
let fixture: FixturePage;

beforeAll(async () => {
  server = await startServer({ env: { PLENARY_SFU_WORKERS: "1" } });
  keys = await SigningKeys.load(path.join(server.dataDir, "keys"));
  fixture = await serveFixturePage("media", new URL(server.url));
  browser = await launchMediaBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
  await server?.stop();
});

async function open(role: "publish" | "view", identity: string, query = "", room = "browser"): Promise<Page> {
  const token = await mintJoinToken(keys, { identity, name: identity, grants: { room, canPublish: role === "publish" } });
  const page = await (await browser.newContext()).newPage();
  page.on("pageerror", (error) => console.error(`[${identity}] ${error.message}`));
  await page.goto(`${fixture.url}/?role=${role}&token=${encodeURIComponent(token)}${query}`);
  return page;
}

type Stats = { framesDecoded: number; frameWidth: number; consumerId: string; codec: string } | null;
const videoStats = (page: Page) => page.evaluate(() => (window as any).fixture.videoStats() as Promise<Stats>);
const pushes = (page: Page) => page.evaluate(() => (window as any).fixture.pushes as { t: string; [k: string]: unknown }[]);
const state = (page: Page) => page.evaluate(() => (window as any).fixture.state as { joined: boolean; error: string; producing: string[] });

it("publishes Chromium's fake camera and microphone and another page decodes the video", async () => {
  const publisher = await open("publish", "camera-person");
  await expect.poll(async () => (await state(publisher)).producing.length, { timeout: 20_000 }).toBe(2);
  expect((await state(publisher)).error).toBe("");

  const viewer = await open("view", "watcher");
  let first: Stats = null;
  await expect
    .poll(async () => {
      const s = await state(viewer);
      if (s.error) throw new Error(s.error);
      first = await videoStats(viewer);
      return first?.framesDecoded ?? 0;
    }, { timeout: 20_000, interval: 250 })
    .toBeGreaterThan(10);
  // Still decoding a moment later: frames keep coming, not a single burst.
  await expect.poll(async () => (await videoStats(viewer))?.framesDecoded ?? 0, { timeout: 10_000 }).toBeGreaterThan(first!.framesDecoded + 10);

  // The fake microphone's beep reaches the audio level observer.
  await expect.poll(async () => (await pushes(viewer)).some((p) => p.t === "media.audioLevels" || p.t === "media.activeSpeaker"), { timeout: 15_000 }).toBe(true);

  // A viewer offered only the TCP candidate (UDP blocked) receives over ICE-TCP.
  const tcpViewer = await open("view", "behind-firewall", "&transport=tcp");
  await expect.poll(async () => (await videoStats(tcpViewer))?.framesDecoded ?? 0, { timeout: 20_000, interval: 250 }).toBeGreaterThan(10);
  const tcpPairs = await tcpViewer.evaluate(() => (window as any).fixture.candidateProtocols() as Promise<string[]>);
  expect(tcpPairs).toEqual(["tcp"]);

  // Asking for the lowest simulcast layer is honoured and pushed back.
  await viewer.evaluate((id) => (window as any).fixture.setPreferredLayers(id, 0), first!.consumerId);
  await expect
    .poll(async () => (await pushes(viewer)).some((p) => p.t === "media.consumerLayers" && p.consumerId === first!.consumerId && p.spatialLayer === 0), { timeout: 15_000 })
    .toBe(true);
});

it("carries VP9 with spatial SVC layers, and switches a viewer to the lowest one", async () => {
  const publisher = await open("publish", "svc-speaker", "&codec=vp9", "svc");
  await expect.poll(async () => (await state(publisher)).producing.length, { timeout: 20_000 }).toBe(2);
  const viewer = await open("view", "svc-watcher", "", "svc");
  let stats: Stats = null;
  await expect
    .poll(async () => {
      stats = await videoStats(viewer);
      return stats?.framesDecoded ?? 0;
    }, { timeout: 20_000, interval: 250 })
    .toBeGreaterThan(10);
  expect(stats!.codec).toBe("video/VP9");
  await viewer.evaluate((id) => (window as any).fixture.setPreferredLayers(id, 0), stats!.consumerId);
  await expect
    .poll(async () => (await pushes(viewer)).some((p) => p.t === "media.consumerLayers" && p.consumerId === stats!.consumerId && p.spatialLayer === 0), { timeout: 15_000 })
    .toBe(true);
  const before = (await videoStats(viewer))!.framesDecoded;
  await expect.poll(async () => (await videoStats(viewer))?.framesDecoded ?? 0, { timeout: 10_000 }).toBeGreaterThan(before + 5);
});
