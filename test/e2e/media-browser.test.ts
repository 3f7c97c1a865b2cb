/**
 * The browser path in Debian's Chromium: a minimal mediasoup-client page (fixtures/media,
 * bundled here with vite) publishes the fake camera (3 simulcast layers) and microphone
 * through the real server; a second page consumes them and decodes frames (also over
 * ICE-TCP alone, and VP9 with spatial SVC layers, switching layers on request). The page is
 * served from a loopback static server that forwards /ws to the real server, so the
 * product gets no test-only route.
 */
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { mintJoinToken } from "../../server/accounts/join-tokens.ts";
import { SigningKeys } from "../../server/accounts/keys.ts";
import { ROOT, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let keys: SigningKeys;
let browser: Browser;
let fixture: Server;
let fixtureUrl: string;
const outDir = mkdtempSync(path.join(tmpdir(), "plenary-media-fixture-"));

/** Serves the built page and pipes /ws upgrades to the real server, without the Origin header. */
function serveFixture(target: URL): Promise<Server> {
  const http = createServer((request, response) => {
    const file = new URL(request.url ?? "/", "http://x").pathname;
    const name = file === "/" ? "index.html" : file.slice(1);
    try {
      const body = readFileSync(path.join(outDir, path.normalize(name)));
      const type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".html") ? "text/html" : "application/octet-stream";
      response.writeHead(200, { "content-type": type }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  http.on("upgrade", (request, socket, head) => {
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headers = Object.entries(request.headers)
        .filter(([k]) => k !== "origin" && k !== "host")
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v}`);
      upstream.write([`GET ${request.url} HTTP/1.1`, `host: ${target.host}`, ...headers, "", ""].join("\r\n"));
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  return new Promise((resolve) => http.listen(0, "127.0.0.1", () => resolve(http)));
}

beforeAll(async () => {
  const { build } = await import("vite");
  await build({
    configFile: false,
    root: path.join(ROOT, "test/e2e/fixtures/media"),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, target: "es2022", minify: false },
  });
  server = await startServer({ env: { PLENARY_SFU_WORKERS: "1" } });
  keys = await SigningKeys.load(path.join(server.dataDir, "keys"));
  fixture = await serveFixture(new URL(server.url));
  const address = fixture.address() as { port: number };
  fixtureUrl = `http://127.0.0.1:${address.port}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  fixture?.close();
  await server?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

async function open(role: "publish" | "view", identity: string, query = "", room = "browser"): Promise<Page> {
  const token = await mintJoinToken(keys, { identity, name: identity, grants: { room, canPublish: role === "publish" } });
  const page = await (await browser.newContext()).newPage();
  page.on("pageerror", (error) => console.error(`[${identity}] ${error.message}`));
  await page.goto(`${fixtureUrl}/?role=${role}&token=${encodeURIComponent(token)}${query}`);
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
