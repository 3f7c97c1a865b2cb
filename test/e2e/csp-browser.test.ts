/**
 * The key pages under the server's Content-Security-Policy in real Chromium: the app shell,
 * an event page, and a room with a (fake) camera, each without one `securitypolicyviolation`
 * or console CSP error. A planted inline script proves the policy is enforced at all.
 * Needs the client built into client/dist.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join, launchRoomBrowser, openRoom } from "../support/room-browser.ts";
import { RoomFixture } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

let server: TestServer;
let fixture: RoomFixture;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  fixture = await RoomFixture.create(server);
  browser = await launchRoomBrowser();
});
afterAll(async () => {
  await browser?.close();
  await fixture?.close();
  await server?.stop();
});

/** Collects violations from the page (the event) and from the console (Chromium's message). */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const console: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) console.push(message.text());
  });
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.cspViolations!.push(`${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  return async () => [...(await page.evaluate(() => window.cspViolations ?? [])), ...console];
}

describe("pages under the Content-Security-Policy", () => {
  it("the app shell runs (theme script, bundle) and refuses a planted inline script", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations = await watchCsp(page);
    const response = await page.goto(`${server.url}/`);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    // theme-init.js ran (a file, allowed) and the bundle rendered the shell.
    expect(await page.locator("html").getAttribute("data-theme")).toMatch(/^(light|dark)$/);
    await page.locator("#app > *").first().waitFor();
    expect(await violations()).toEqual([]);

    const ran = await page.evaluate(async () => {
      const script = document.createElement("script");
      script.textContent = "window.plantedRan = true";
      document.body.append(script);
      await new Promise((r) => setTimeout(r, 100));
      return (window as unknown as { plantedRan?: boolean }).plantedRan === true;
    });
    expect(ran).toBe(false);
    expect((await violations()).some((v) => v.includes("script-src"))).toBe(true);
    await context.close();
  });

  it("an event page loads without a violation", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations = await watchCsp(page);
    await page.goto(`${server.url}/events/${fixture.slug}`);
    await page.getByRole("heading", { name: "Live Event" }).first().waitFor();
    expect(await violations()).toEqual([]);
    await context.close();
  });

  it("a room with a camera joins and shows its own video without a violation", async () => {
    const host = await fixture.person("Camera Host");
    await fixture.teamMember(host, "owner");
    const session = await fixture.session();
    const room = await openRoom(browser, server.url, host, session);
    const violations = await watchCsp(room.page);
    // addInitScript applies from the next document on: load the room again under the watcher.
    await room.page.reload({ waitUntil: "domcontentloaded" });
    await join(room);
    // The camera preview plays: getUserMedia worked and its video element is on the stage.
    await room.page.locator("video").first().waitFor();
    await room.page.waitForFunction(() => [...document.querySelectorAll("video")].some((v) => v.readyState >= 2));
    expect(await violations()).toEqual([]);
    await room.context.close();
  });
});
