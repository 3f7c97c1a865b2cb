/**
 * Driving the real room page (/rooms/:sessionId, served by the real server) in Chromium with
 * fake devices: a signed-in page per person, joining, reading the page's media statistics
 * (window.plenaryRoom), and a TCP relay between browser and server whose connections a test
 * can cut to drop the page's WebSocket (WebRTC media goes to the SFU directly, not through it).
 */
import { createServer, type Server, Socket } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchMediaBrowser } from "./media-fixture.ts";
import type { RoomPerson } from "./rooms.ts";

/** launchMediaBrowser's Chromium with a fake screen to share too, and autoplay allowed. */
export function launchRoomBrowser(): Promise<Browser> {
  return launchMediaBrowser(["--autoplay-policy=no-user-gesture-required", "--auto-select-desktop-capture-source=Entire screen", "--enable-usermedia-screen-capturing"]);
}

/** A loopback TCP relay to `target`; `cut()` drops every connection through it. */
export class Relay {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  // New connections are refused until then (an outage, not just a blip).
  #heldUntil = 0;
  url = "";

  private constructor(target: URL) {
    this.#server = createServer((client) => {
      if (Date.now() < this.#heldUntil) return void client.destroy();
      const upstream = new Socket();
      upstream.connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on("close", () => this.#sockets.delete(s));
        s.on("error", () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
  }

  static async start(target: string): Promise<Relay> {
    const relay = new Relay(new URL(target));
    await new Promise<void>((resolve) => relay.#server.listen(0, "127.0.0.1", resolve));
    relay.url = `http://127.0.0.1:${(relay.#server.address() as { port: number }).port}`;
    return relay;
  }

  /** Drops every connection, and refuses new ones for `outageMs`. */
  cut(outageMs = 0): void {
    this.#heldUntil = Date.now() + outageMs;
    for (const socket of this.#sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

export type RoomPage = { page: Page; context: BrowserContext; person: RoomPerson };

/** A signed-in page for `person` at the room of `sessionId`, not joined yet. */
export async function openRoom(browser: Browser, baseUrl: string, person: RoomPerson, sessionId: string, viewport = { width: 1280, height: 800 }): Promise<RoomPage> {
  const context = await browser.newContext({ viewport });
  await context.addCookies([{ name: "plenary_session", value: person.sessionToken, url: baseUrl }]);
  const page = await context.newPage();
  // Pages that decode several videos on a loaded 2-core machine load slowly; a real failure still fails.
  page.setDefaultTimeout(60_000);
  page.on("pageerror", (error) => console.error(`[${person.name}] ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) console.warn(`[${person.name}] HTTP ${response.status()} ${response.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "warning" || message.type() === "error") console.warn(`[${person.name}] ${message.text()}`);
  });
  await page.goto(`${baseUrl}/rooms/${sessionId}`, { waitUntil: "domcontentloaded" });
  return { page, context, person };
}

/** Clicks Join and waits until the page is in the room (or its lobby, when `lobby`). */
export async function join(room: RoomPage, options: { lobby?: boolean } = {}): Promise<void> {
  // A click that waits for no navigation: the page stays where it is and starts media.
  await room.page.getByRole("button", { name: "Join now" }).dispatchEvent("click");
  if (options.lobby) await room.page.getByTestId("lobby").waitFor();
  else await room.page.getByRole("navigation", { name: "Room controls" }).waitFor();
}

export type TrackStats = { consumerId: string; peerId: string; source: string; kind: string; framesDecoded: number; bytesReceived: number; packetsReceived: number; frameWidth: number };

/** Statistics of what `room` receives from the person with `identity`. */
export function statsFrom(room: RoomPage, identity: string): Promise<TrackStats[]> {
  return room.page.evaluate(async (identity) => {
    const media = window.plenaryRoom?.media;
    const peer = media?.view.state?.stage.find((p) => p.identity === identity);
    if (!media || !peer) return [];
    return (await media.stats()).filter((s) => s.peerId === peer.peerId);
  }, identity);
}

/** One counter of one source received from `identity` (0 when nothing is received). */
export async function received(room: RoomPage, identity: string, source: string, counter: "framesDecoded" | "packetsReceived" | "bytesReceived"): Promise<number> {
  const stats = await statsFrom(room, identity);
  return stats.find((s) => s.source === source)?.[counter] ?? 0;
}
