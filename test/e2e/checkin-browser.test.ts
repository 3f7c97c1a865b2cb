/**
 * The door scanner in Debian's Chromium at phone width: a code typed by hand, scans made
 * while the page is offline and synced when it comes back (counted once), and a ticket's QR
 * image read from the (fake) camera by the page's own decoder.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatShortCode } from "../../server/tickets/short-code.ts";
import { ticketQr } from "../../server/tickets/ticket-qr.ts";
import { firstAdmin, verifiedUser } from "../support/accounts.ts";
import { launchBrowser } from "../support/browser.ts";
import { EventFixture, type SeededTicket } from "../support/event-fixture.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

const phone = { width: 390, height: 844 };
// Page loads on a busy 2-core machine: poll generously (nothing here measures speed).
const eventually = { timeout: 20_000 };

let server: TestServer;
let smtp: TestSmtpServer;
let fixture: EventFixture;
let staff: TestClient;
let owner: TestClient;
let listId: string;
let eventId: string;
let tickets: SeededTicket[];
const browsers: Browser[] = [];

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  // Until an admin exists the app shows only the first-run page.
  await firstAdmin(server);
  [owner, staff] = await Promise.all(["owner", "staff"].map((name) => verifiedUser(server, smtp, `${name}@example.org`)));
  fixture = new EventFixture(server);
  ({ eventId } = fixture.event("owner@example.org", "Door Test Conference"));
  fixture.teamMember(eventId, "staff@example.org", "check_in_staff");
  const type = fixture.ticketType(eventId, "General admission");
  tickets = ["Ada Lovelace", "Bob Barker", "Cleo Patra", "Dan Dare"].map((name) =>
    fixture.ticket(eventId, type, name, `${name.split(" ")[0].toLowerCase()}@example.org`));
  listId = (await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Main entrance" })).body.list.id;
});
afterAll(async () => {
  for (const browser of browsers) await browser.close();
  fixture?.close();
  await server?.stop();
  await smtp?.close();
});

async function scannerContext(browser: Browser, as: TestClient = staff): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: phone, permissions: ["camera"] });
  context.setDefaultTimeout(15_000);
  const session = as.cookies.get("plenary_session")!;
  await context.addCookies([{ name: "plenary_session", value: session, url: server.url }]);
  return context;
}

async function launch(extraArgs: string[] = []) {
  const browser = await launchBrowser(extraArgs);
  browsers.push(browser);
  return browser;
}

/** One 640×480 frame in YUV4MPEG2 (4:2:0) showing the ticket's QR symbol, for Chromium's fake camera. */
function qrVideoFile(code: string): string {
  const symbol = ticketQr(code);
  const size = symbol.modules.size;
  const width = 640, height = 480, quiet = 4;
  const scale = Math.floor(440 / (size + 2 * quiet));
  const left = Math.floor((width - (size + 2 * quiet) * scale) / 2);
  const top = Math.floor((height - (size + 2 * quiet) * scale) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const col = Math.floor((x - left) / scale) - quiet;
      const row = Math.floor((y - top) / scale) - quiet;
      if (row >= 0 && col >= 0 && row < size && col < size && symbol.modules.get(row, col)) luma[y * width + x] = 16;
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const file = path.join(mkdtempSync(path.join(tmpdir(), "plenary-qr-")), "ticket.y4m");
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\nFRAME\n`), luma, chroma, chroma]));
  return file;
}

describe("the door scanner", { timeout: 120_000 }, () => {
  it("admits a typed code once, then queues scans while offline and syncs them once when back online", async () => {
    const browser = await launch();
    const context = await scannerContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/scan/${listId}`);
    await expect.poll(() => page.getByTestId("scanner-counts").textContent(), eventually).toBe("0 of 4 checked in");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent(), eventually).toBe("Main entrance");

    const result = page.locator(".scanner__result");
    await page.getByLabel("Ticket code").fill(tickets[0].code);
    await page.getByRole("button", { name: "Check", exact: true }).click();
    await expect.poll(() => result.getAttribute("data-outcome"), eventually).toBe("admitted");
    expect(await result.textContent()).toContain("Ada Lovelace");
    await expect.poll(() => page.getByTestId("scanner-queue").textContent(), eventually).toBe("All scans synced");

    await page.getByLabel("Ticket code").fill(tickets[0].code);
    await page.getByRole("button", { name: "Check", exact: true }).click();
    await expect.poll(() => result.getAttribute("data-outcome"), eventually).toBe("already_checked_in");

    // Offline: decisions still come at once, from the signature and the downloaded list.
    await context.setOffline(true);
    await expect.poll(() => page.getByText("Offline", { exact: true }).count(), eventually).toBe(1);
    await page.getByLabel("Ticket code").fill(tickets[1].code);
    await page.getByRole("button", { name: "Check", exact: true }).click();
    await expect.poll(() => result.textContent(), eventually).toContain("Bob Barker");
    await page.getByLabel("Find by name").fill("cleo");
    await page.getByRole("button", { name: "Check in Cleo Patra" }).click();
    await expect.poll(() => result.textContent(), eventually).toContain("Cleo Patra");
    expect(await result.getAttribute("data-outcome")).toBe("admitted");
    await expect.poll(() => page.getByTestId("scanner-queue").textContent(), eventually).toBe("2 scans waiting to sync");
    expect((await staff.get(`/api/checkin-lists/${listId}/attendees?q=`)).body.counts.checkedIn).toBe(1);

    await context.setOffline(false);
    await expect.poll(() => page.getByTestId("scanner-queue").textContent(), eventually).toBe("All scans synced");
    const counts = (await staff.get(`/api/checkin-lists/${listId}/attendees?q=`)).body.counts;
    expect(counts).toEqual({ checkedIn: 3, expected: 4 });
    expect(await page.getByTestId("scanner-counts").textContent()).toBe("3 of 4 checked in");
    await context.close();
  });

  it("reads a ticket's QR image from the camera", async () => {
    const browser = await launch([
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${qrVideoFile(tickets[3].code)}`,
    ]);
    const context = await scannerContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/scan/${listId}`);
    await expect.poll(() => page.getByTestId("scanner-counts").textContent(), eventually).toMatch(/of 4 checked in/);
    await page.getByRole("button", { name: "Start camera" }).click();
    const result = page.locator(".scanner__result");
    await expect.poll(() => result.getAttribute("data-outcome"), eventually).toBe("admitted");
    expect(await result.textContent()).toContain("Dan Dare");
    await page.getByRole("button", { name: "Stop camera" }).click();
    await expect.poll(async () => (await staff.get(`/api/checkin-lists/${listId}/attendees?q=dan`)).body.attendees[0].checkedInAt, eventually).not.toBeNull();
    await context.close();
  });

  it("stops calling the server once door staff leave the scanner, and links back to the check-in lists", async () => {
    const browser = await launch();
    const context = await scannerContext(browser);
    const page = await context.newPage();
    // A fake clock, so an hour of the scanner's timers passes in a moment.
    await page.clock.install();
    const calls: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/api/checkin-lists/")) calls.push(request.url());
    });
    await page.goto(`${server.url}/scan/${listId}`);
    await expect.poll(() => page.getByTestId("scanner-counts").textContent(), eventually).toMatch(/of 4 checked in/);

    // Leave the way the app's own links do: a client-side route change, not a page load.
    await page.evaluate(() => {
      history.pushState(null, "", "/tickets");
      dispatchEvent(new PopStateEvent("popstate"));
    });
    await expect.poll(() => page.locator(".scanner").count(), eventually).toBe(0);
    const before = calls.length;
    await page.clock.runFor(60 * 60_000);
    // Give any request the timers started a moment to reach the network.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(calls.slice(before)).toEqual([]);

    await page.goto(`${server.url}/scan/${listId}`);
    await page.getByRole("link", { name: "Back to check-in lists" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent(), eventually).toBe("Check-in");
    expect(new URL(page.url()).pathname).toBe(`/organize/events/${eventId}/checkin`);
    await context.close();
  });

  it("shows each ticket's door code under its QR image, and the scanner admits it typed, online and offline", async () => {
    // My tickets, for an attendee with a ticket of another event.
    const other = fixture.event("owner@example.org", "Other Conference").eventId;
    const mine = fixture.ticket(other, fixture.ticketType(other, "General"), "Owen Owner", "owner@example.org", "owner@example.org");
    const browser = await launch();
    const attendee = await scannerContext(browser, owner);
    const tickets_ = await attendee.newPage();
    await tickets_.goto(`${server.url}/tickets`);
    await expect.poll(() => tickets_.getByTestId("door-code").textContent(), eventually).toBe(formatShortCode(mine.shortCode));
    expect(await tickets_.getByText(mine.code).count()).toBe(0);
    await attendee.close();

    // A second door: the first tests' check-ins were on the main list.
    const side = (await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Side door" })).body.list.id;
    const context = await scannerContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/scan/${side}`);
    await expect.poll(() => page.getByTestId("scanner-counts").textContent(), eventually).toBe("0 of 4 checked in");
    const result = page.locator(".scanner__result");
    // Typed the way people type: lower case, the dash as printed.
    await page.getByLabel("Ticket code").fill(formatShortCode(tickets[0].shortCode).toLowerCase());
    await page.getByRole("button", { name: "Check", exact: true }).click();
    await expect.poll(() => result.getAttribute("data-outcome"), eventually).toBe("admitted");
    expect(await result.textContent()).toContain("Ada Lovelace");
    await expect.poll(() => page.getByTestId("scanner-queue").textContent(), eventually).toBe("All scans synced");

    await context.setOffline(true);
    await expect.poll(() => page.getByText("Offline", { exact: true }).count(), eventually).toBe(1);
    await page.getByLabel("Ticket code").fill(tickets[1].shortCode);
    await page.getByRole("button", { name: "Check", exact: true }).click();
    await expect.poll(() => result.textContent(), eventually).toContain("Bob Barker");
    expect(await result.getAttribute("data-outcome")).toBe("admitted");
    await page.getByLabel("Ticket code").fill("ZZZZ-ZZZZ");
    await page.getByRole("button", { name: "Check", exact: true }).click();
    await expect.poll(() => result.getAttribute("data-outcome"), eventually).toBe("refused");
    await context.setOffline(false);
    await expect.poll(() => page.getByTestId("scanner-queue").textContent(), eventually).toBe("All scans synced");
    const attendees = (await staff.get(`/api/checkin-lists/${side}/attendees?q=`)).body;
    expect(attendees.counts).toEqual({ checkedIn: 2, expected: 4 });

    // The server takes a door code too (a scanner whose list is older than the ticket).
    const scan = await staff.post(`/api/checkin-lists/${side}/scans`, { scans: [{ nonce: randomUUID(), scannedAt: new Date().toISOString(), code: formatShortCode(tickets[2].shortCode) }] });
    expect(scan.body.results[0]).toMatchObject({ outcome: "admitted", ticket: { holderName: "Cleo Patra" } });
    const wrong = await staff.post(`/api/checkin-lists/${side}/scans`, { scans: [{ nonce: randomUUID(), scannedAt: new Date().toISOString(), code: mine.shortCode }] });
    expect(wrong.body.results[0]).toMatchObject({ outcome: "refused", reason: "unknown_ticket" });
    await context.close();
  });
});
