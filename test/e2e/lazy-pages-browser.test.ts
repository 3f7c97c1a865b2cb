/**
 * The web client split by route, in a real browser: the event list and an event page come
 * with the first load and nothing heavier (no room, player, scanner, organizer or admin
 * code); another page's chunk is fetched when it is visited, says so when it is slow, and
 * offers a reload when it is gone (as after an upgrade replaced the files). Needs the client
 * built into client/dist.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin } from "../support/accounts.ts";
import { launchBrowser } from "../support/browser.ts";
import { event, openServerDb, organization, write } from "../support/seed.ts";
import { startServer, type TestServer } from "../support/server.ts";

// The single-chunk app was 491 kB; split, the first load is about 130 kB. The budget leaves
// room to grow, and fails if a heavy page or library is imported into the first load again.
const FIRST_LOAD_BUDGET = 250 * 1024;
// Chunks named after pages and libraries that must not come with the event list or an event page.
const LATER_CHUNKS = /^\/assets\/(RoomPage|WatchPage|RecordingsPage|ScannerPage|hls|OrganizePage|EventEditorPage|Admin\w*|CheckinPage|LogInPage)-/;
// The chunk of the page the tests open from the header's "Log in" link.
const LOG_IN_CHUNK = /\/assets\/LogInPage-[^/]+\.js$/;

// Screenshots for a human (or a reviewer) to look at; nothing compares them.
const screenshotDir = path.join(tmpdir(), "plenary-lazy-pages-screenshots");
let server: TestServer;
let browser: Browser;
let eventSlug: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  server = await startServer();
  // Past the first-run page, which a server without an admin shows instead of the app.
  await firstAdmin(server);
  const db = openServerDb(server.dataDir);
  const org = await write(db, organization());
  eventSlug = (await write(db, event({ organizationId: org.id, title: "Split Conference" }))).slug;
  await db.destroy();
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

/** A fresh visitor at phone width, and the app scripts (path → bytes) their browser has fetched so far. */
async function visitor(): Promise<{ page: Page; scripts: () => Promise<Map<string, number>> }> {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  contexts.push(context);
  context.setDefaultTimeout(45_000);
  const fetched: Promise<[string, number] | null>[] = [];
  context.on("requestfinished", (request) => {
    const url = new URL(request.url());
    if (url.origin !== new URL(server.url).origin || !url.pathname.endsWith(".js")) return;
    fetched.push(
      (async () => {
        const response = await request.response();
        return response?.status() === 200 ? [url.pathname, (await response.body()).length] : null;
      })(),
    );
  });
  const scripts = async () => new Map((await Promise.all(fetched)).filter((entry) => entry !== null));
  return { page: await context.newPage(), scripts };
}

const total = (scripts: Map<string, number>) => [...scripts.values()].reduce((sum, n) => sum + n, 0);
const later = (scripts: Map<string, number>) => [...scripts.keys()].filter((p) => LATER_CHUNKS.test(p));

/** What the page has loaded, by path, as the page itself counts it (no lag behind the network events). */
async function loadedPaths(page: Page): Promise<string[]> {
  return page.evaluate(() => performance.getEntriesByType("resource").map((entry) => new URL(entry.name).pathname));
}

async function openLogIn(page: Page) {
  await page.getByRole("link", { name: "Log in" }).click();
}

describe("pages split by route", { timeout: 120_000 }, () => {
  it("shows the event list and an event page with the first load only, and fetches another page's chunk on its visit", async () => {
    const { page, scripts } = await visitor();
    await page.goto(`${server.url}/events`);
    await page.getByRole("heading", { level: 1, name: "Events" }).waitFor();
    await page.getByRole("link", { name: /Split Conference/ }).first().click();
    await page.getByRole("heading", { level: 1, name: "Split Conference" }).waitFor();
    await page.waitForLoadState("networkidle");
    const firstLoad = await scripts();
    expect(later(firstLoad)).toEqual([]);
    expect(total(firstLoad)).toBeLessThan(FIRST_LOAD_BUDGET);

    await openLogIn(page);
    await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
    expect((await loadedPaths(page)).some((p) => LOG_IN_CHUNK.test(p))).toBe(true);
    expect(await page.title()).toBe("Log in · Plenary");
    // In-app navigation still starts keyboards and screen readers at the new page's content.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
  });

  it("serves chunks as immutable, the page that names them as no-cache, and a gone chunk as a 404", async () => {
    const { page } = await visitor();
    await page.goto(`${server.url}/events`);
    await page.getByRole("heading", { level: 1, name: "Events" }).waitFor();
    await openLogIn(page);
    await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
    const chunk = (await loadedPaths(page)).find((p) => LOG_IN_CHUNK.test(p));
    expect(chunk).toBeDefined();
    const served = await fetch(`${server.url}${chunk}`, { headers: { accept: "*/*" } });
    expect(served.status).toBe(200);
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(served.headers.get("content-type")).toMatch(/javascript/);

    for (const pathname of ["/", "/log-in"]) {
      const index = await fetch(`${server.url}${pathname}`, { headers: { accept: "text/html" } });
      expect(index.status).toBe(200);
      expect(index.headers.get("cache-control")).toBe("no-cache");
      expect(await index.text()).toMatch(/<script type="module"[^>]+src="\/assets\/index-[^"]+\.js"/);
    }

    // A chunk an older build named is not answered with index.html, so its import fails plainly.
    const gone = await fetch(`${server.url}/assets/LogInPage-0ld0ld0l.js`, { headers: { accept: "*/*" } });
    expect(gone.status).toBe(404);
    expect(gone.headers.get("content-type")).toMatch(/json/);
  });

  it("opens an event page directly with the first load only", async () => {
    const { page, scripts } = await visitor();
    await page.goto(`${server.url}/events/${eventSlug}`);
    await page.getByRole("heading", { level: 1, name: "Split Conference" }).waitFor();
    await page.waitForLoadState("networkidle");
    const firstLoad = await scripts();
    expect(later(firstLoad)).toEqual([]);
    expect(total(firstLoad)).toBeLessThan(FIRST_LOAD_BUDGET);
  });

  it("says a slow page is loading, in a status screen readers announce, until it arrives", async () => {
    const { page } = await visitor();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(LOG_IN_CHUNK, async (route: Route) => {
      await released;
      await route.continue();
    });
    await page.goto(`${server.url}/events`);
    await page.getByRole("heading", { level: 1, name: "Events" }).waitFor();
    await openLogIn(page);
    const loading = page.getByRole("status").filter({ hasText: "Loading page…" });
    await loading.waitFor();
    await page.screenshot({ path: path.join(screenshotDir, "phone-page-loading.png") });
    release();
    await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
    expect(await loading.count()).toBe(0);
  });

  it("offers a reload when a page's chunk is gone, and the reload brings the page", async () => {
    const { page } = await visitor();
    // As after an upgrade: the tab's index named a chunk the server no longer has.
    await page.route(LOG_IN_CHUNK, (route: Route) => route.fulfill({ status: 404, contentType: "application/json", body: '{"error":{"code":"not_found"}}' }));
    await page.goto(`${server.url}/events`);
    await page.getByRole("heading", { level: 1, name: "Events" }).waitFor();
    await openLogIn(page);

    const alert = page.getByRole("alert");
    await alert.getByRole("heading", { level: 1, name: "This page didn't load" }).waitFor();
    expect(await alert.textContent()).toContain("Reload to get the current version.");
    expect(await page.title()).toBe("Page didn't load · Plenary");
    // The shell stays usable around the message.
    expect(await page.getByRole("button", { name: "Menu" }).count()).toBe(1);
    await page.screenshot({ path: path.join(screenshotDir, "phone-page-load-failed.png"), fullPage: true });

    await page.unroute(LOG_IN_CHUNK);
    await alert.getByRole("button", { name: "Reload page" }).click();
    await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/log-in");
  });
});
