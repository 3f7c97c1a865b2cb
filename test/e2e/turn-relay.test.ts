/**
 * TURN end to end: Debian's coturn on loopback with the shipped deploy/coturn/turnserver.conf,
 * a static-auth-secret and a self-signed certificate made for the test, the real server
 * handing out REST-API credentials for it (PLENARY_SFU_TURN_URLS / PLENARY_SFU_TURN_SECRET),
 * and two Chromium pages whose mediasoup-client transports are forced to
 * `iceTransportPolicy: "relay"`: the publisher's camera reaches the viewer, which keeps
 * decoding frames, and getStats shows that both selected ICE pairs use a relay candidate of
 * our coturn, reached the way the case says: UDP (`turn:...?transport=udp`), TCP
 * (`turn:...?transport=tcp`) or TLS (`turns:...?transport=tcp`, what networks that let only
 * HTTPS out need). The relay itself always talks UDP to the SFU, as TURN allocations do.
 *
 * Everything here is on 127.0.0.1, and the shipped configuration refuses to relay to
 * loopback (denied-peer-ip, as production must). The test adds two exceptions on the command
 * line: `--allowed-peer-ip=127.0.0.1` (the SFU's address, the way the configuration's own
 * comment says to allow one private SFU address) and `--allow-loopback-peers`, without which
 * coturn still answers CREATE_PERMISSION with 403 Forbidden IP for a loopback peer and ICE
 * fails (seen by removing it). Neither belongs in production. TLS listens on a free port
 * rather than 5349, so that runs in parallel cannot collide; the port is the only difference.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { freePort, waitForTcp } from "../support/net.ts";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintJoinToken } from "../../server/accounts/join-tokens.ts";
import { SigningKeys } from "../../server/accounts/keys.ts";
import { type FixturePage, launchMediaBrowser, serveFixturePage } from "../support/media-fixture.ts";
import { ROOT, startServer, type TestServer } from "../support/server.ts";

const SECRET = "turn-relay-test-secret";
const scratch = mkdtempSync(path.join(tmpdir(), "plenary-turn-"));

let turn: ChildProcess;
let turnLog = "";
let turnPort: number;
let turnTlsPort: number;
let browser: Browser;

/** A self-signed certificate for 127.0.0.1, as an operator without a CA would make one. */
function selfSignedCertificate(): { cert: string; key: string } {
  const cert = path.join(scratch, "turn-cert.pem");
  const key = path.join(scratch, "turn-key.pem");
  const made = spawnSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert,
  ], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`openssl could not make a certificate (apt-get install openssl):\n${made.stderr}`);
  return { cert, key };
}

/** base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate, as Chromium's SPKI lists want it. */
function spkiHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

beforeAll(async () => {
  const turnserver = spawnSync("sh", ["-c", "command -v turnserver"], { encoding: "utf8" }).stdout.trim();
  if (!turnserver) throw new Error("turnserver is not installed (apt-get install coturn)");
  const { cert, key } = selfSignedCertificate();
  turnPort = await freePort();
  turnTlsPort = await freePort();
  // stdbuf: coturn's stdout is block-buffered into a pipe, and the test reads its log.
  turn = spawn(
    "stdbuf",
    [
      "-oL", turnserver,
      "-c", path.join(ROOT, "deploy/coturn/turnserver.conf"),
      `--static-auth-secret=${SECRET}`,
      "--realm=turn-relay-test.invalid",
      "--listening-ip=127.0.0.1",
      "--relay-ip=127.0.0.1",
      `--listening-port=${turnPort}`,
      `--tls-listening-port=${turnTlsPort}`,
      `--cert=${cert}`,
      `--pkey=${key}`,
      "--no-dtls",
      // Test only: the SFU is on loopback. Production keeps the shipped denials.
      "--allow-loopback-peers",
      "--allowed-peer-ip=127.0.0.1",
      `--pidfile=${scratch}/turnserver.pid`,
      `--db=${scratch}/turndb`,
      // Stay as the user running the test: dropped to nobody, coturn cannot open its database in
      // scratch and the first allocation fails (seen as a publisher that never gathered a candidate).
      `--proc-user=${userInfo().username}`, `--proc-group=${userInfo().username}`,
      // Per-request log lines (ALLOCATE, CREATE_PERMISSION...), read below.
      "--verbose",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  turn.stdout!.on("data", (c) => (turnLog += c));
  turn.stderr!.on("data", (c) => (turnLog += c));
  await waitForTcp(turnPort, turn, 10_000, () => turnLog);
  await waitForTcp(turnTlsPort, turn, 10_000, () => turnLog);
  // Chromium checks a turns: server's certificate like a web site's; this one trusts the test's
  // self-signed key only (by its SPKI hash), the way a private CA would be trusted in production.
  browser = await launchMediaBrowser([`--ignore-certificate-errors-spki-list=${spkiHash(cert)}`]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (turn && turn.exitCode === null) {
    turn.kill("SIGTERM");
    await new Promise((resolve) => (turn.exitCode !== null ? resolve(null) : turn.once("exit", resolve)));
  }
  rmSync(scratch, { recursive: true, force: true });
});

type Pair = {
  state: string; bytesSent: number; bytesReceived: number;
  local: { candidateType: string; protocol: string; relayProtocol: string; address: string; url: string };
  remote: { candidateType: string; protocol: string; address: string; port: number };
} | null;
const state = (page: Page) => page.evaluate(() => (window as any).fixture.state as { joined: boolean; error: string; producing: string[]; iceServers: RTCIceServer[] });
const framesDecoded = (page: Page) => page.evaluate(() => (window as any).fixture.videoStats().then((s: { framesDecoded: number } | null) => s?.framesDecoded ?? 0) as Promise<number>);
const selectedPair = (page: Page) => page.evaluate(() => (window as any).fixture.selectedPair() as Promise<Pair>);
const localTypes = (page: Page) => page.evaluate(() => (window as any).fixture.localCandidateTypes() as Promise<string[]>);

/** How Chromium reaches coturn: the URL Plenary hands out and getStats' relayProtocol for it. */
const cases = [
  { name: "UDP", url: () => `turn:127.0.0.1:${turnPort}?transport=udp`, relayProtocol: "udp", port: () => turnPort },
  { name: "TCP", url: () => `turn:127.0.0.1:${turnPort}?transport=tcp`, relayProtocol: "tcp", port: () => turnPort },
  { name: "TLS", url: () => `turns:127.0.0.1:${turnTlsPort}?transport=tcp`, relayProtocol: "tls", port: () => turnTlsPort },
];

describe.each(cases)("relay over $name", ({ name, url, relayProtocol, port }) => {
  let server: TestServer;
  let keys: SigningKeys;
  let fixture: FixturePage;
  const speaker = `${name.toLowerCase()}-speaker`;
  const viewerName = `${name.toLowerCase()}-viewer`;

  beforeAll(async () => {
    server = await startServer({
      env: { PLENARY_SFU_WORKERS: "1", PLENARY_SFU_TURN_URLS: url(), PLENARY_SFU_TURN_SECRET: SECRET },
    });
    keys = await SigningKeys.load(path.join(server.dataDir, "keys"));
    fixture = await serveFixturePage("media", new URL(server.url));
  }, 120_000);

  const contexts: BrowserContext[] = [];

  afterAll(async () => {
    // The pages first: their WebSockets through the fixture's proxy would hold it open.
    for (const context of contexts) await context.close();
    await fixture?.close();
    await server?.stop();
  });

  async function open(role: "publish" | "view", identity: string): Promise<Page> {
    const token = await mintJoinToken(keys, { identity, name: identity, grants: { room: "relay", canPublish: role === "publish" } });
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (error) => console.error(`[${identity}] ${error.message}`));
    await page.goto(`${fixture.url}/?role=${role}&relay=1&token=${encodeURIComponent(token)}`);
    return page;
  }

  it("sends and receives the camera through coturn only, with Chromium forced to relay", async () => {
    const publisher = await open("publish", speaker);
    await expect
      .poll(async () => {
        const s = await state(publisher);
        if (s.error) throw new Error(s.error);
        return s.producing.length;
      }, { timeout: 30_000 })
      .toBe(2);

    // The server handed out coturn REST-API credentials for our TURN server.
    const [ice] = (await state(publisher)).iceServers;
    expect(ice.urls).toEqual([url()]);
    expect(ice.username).toMatch(new RegExp(`^\\d{10}:${speaker}$`));
    expect(ice.credential).toMatch(/^[A-Za-z0-9+/]{27}=$/);

    const viewer = await open("view", viewerName);
    let first = 0;
    try {
      await expect
        .poll(async () => {
          const s = await state(viewer);
          if (s.error) throw new Error(s.error);
          first = await framesDecoded(viewer);
          return first;
        }, { timeout: 30_000, interval: 250 })
        .toBeGreaterThan(10);
    } catch (error) {
      // What ICE did, for whoever reads the failure.
      const diagnosis = { publisher: await selectedPair(publisher), viewer: await selectedPair(viewer), publisherCandidates: await localTypes(publisher), viewerCandidates: await localTypes(viewer), publisherDebug: await publisher.evaluate(() => (window as any).fixture.debug()), publisherState: await state(publisher) };
      throw new Error(`${(error as Error).message}\n${JSON.stringify(diagnosis)}\ncoturn log:\n${turnLog.slice(-6000)}`);
    }
    // Frames keep coming.
    await expect.poll(() => framesDecoded(viewer), { timeout: 15_000, interval: 250 }).toBeGreaterThan(first + 10);

    // Both ends: the selected pair's local side is a relay candidate allocated by our coturn,
    // reached over this case's transport, and Chromium gathered no other kind of candidate.
    for (const page of [publisher, viewer]) {
      const pair = await selectedPair(page);
      expect(pair, "a selected candidate pair").not.toBeNull();
      expect(pair!.state).toBe("succeeded");
      expect(pair!.local).toMatchObject({ candidateType: "relay", relayProtocol, address: "127.0.0.1" });
      expect(pair!.local.url).toContain(`127.0.0.1:${port()}`);
      expect(pair!.remote.address).toBe("127.0.0.1");
      expect(await localTypes(page)).toEqual(["relay"]);
    }
    expect((await selectedPair(publisher))!.bytesSent).toBeGreaterThan(10_000);
    expect((await selectedPair(viewer))!.bytesReceived).toBeGreaterThan(10_000);

    // Each page allocated with the credentials Plenary minted and got a permission to the SFU.
    for (const user of [speaker, viewerName]) {
      for (const step of ["ALLOCATE", "CREATE_PERMISSION", "CHANNEL_BIND"]) {
        expect(turnLog).toMatch(new RegExp(`user <\\d+:${user}>: incoming packet ${step} processed, success`));
      }
    }
    expect(turnLog).toMatch(/peer 127\.0\.0\.1 lifetime updated/);
    expect(turnLog).not.toMatch(/CONFIG ERROR|Bad configuration|unknown option/i);
  }, 120_000);
});
