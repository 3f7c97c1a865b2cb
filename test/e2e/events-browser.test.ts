/**
 * The organizer side in a real browser: create an organization and set its details, create
 * an event, fill its details, agenda, speakers and team, submit it for review, approve it from
 * the admin queue, and see the dashboard; the editor also works at phone width.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, verifiedUser } from "../support/accounts.ts";
import { launchBrowser } from "../support/browser.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let browser: Browser;
let admin: TestClient, organizer: TestClient;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  admin = await firstAdmin(server);
  organizer = await verifiedUser(server, smtp, "olga@example.org", "Olga Organizer");
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

/** A browser context logged in with the API client's session cookie. */
async function pageAs(client: TestClient, options: Parameters<Browser["newContext"]>[0] = {}): Promise<Page> {
  const context: BrowserContext = await browser.newContext(options);
  context.setDefaultTimeout(15_000);
  await context.addCookies([...client.cookies].map(([name, value]) => ({ name, value, url: server.url })));
  return context.newPage();
}

describe("organizing an event in the browser", { timeout: 120_000 }, () => {
  it("creates an organization and an event, fills its agenda and team, and takes it through approval", async () => {
    const page = await pageAs(organizer);
    await page.goto(`${server.url}/organize`);
    await page.getByRole("heading", { name: "Your events" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Browser Conf Co");
    await page.getByRole("button", { name: "Create organization" }).click();
    await page.getByRole("link", { name: "Browser Conf Co" }).click();
    await page.getByLabel("Contact e-mail").fill("hello@browserconf.example");
    await page.getByLabel("Default currency").fill("GBP");
    await page.getByLabel("Legal address").fill("10 Downing St, London");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    await page.getByText("Not connected: only free tickets can be sold.").waitFor();
    await page.getByRole("link", { name: "Organize" }).first().click();

    await page.getByLabel("Title", { exact: true }).fill("Solid Summit");
    await page.getByLabel("Time zone").fill("Europe/Lisbon");
    await page.getByLabel("Starts").fill("2031-06-01T10:00");
    await page.getByLabel("Ends").fill("2031-06-02T18:00");
    await page.getByRole("button", { name: "Create event" }).click();
    await page.waitForURL(/\/organize\/events\/[0-9a-f-]+\/details$/);
    const eventId = /events\/([0-9a-f-]+)\//.exec(page.url())![1];

    await page.getByLabel("Summary").fill("Two days of fine-grained reactivity");
    await page.getByLabel("Description").fill("## Welcome\n\nTalks and **workshops**.");
    await page.getByLabel("Tags").fill("solid, web");
    await page.getByLabel("Venue", { exact: true }).selectOption("hybrid");
    await page.getByRole("button", { name: "Save details" }).click();
    await page.getByText("Give the address of the venue").waitFor();
    await page.getByLabel("Venue address").fill("Rua Augusta 1, Lisboa");
    await page.getByRole("button", { name: "Save details" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();

    await page.getByRole("link", { name: "Speakers" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Ryan");
    await page.getByLabel("Title or role").fill("Creator of Solid");
    await page.getByRole("button", { name: "Add speaker" }).click();
    await page.getByRole("listitem", { name: "Ryan" }).waitFor();

    await page.getByRole("link", { name: "Agenda" }).click();
    await page.getByLabel("Session title").fill("Keynote");
    await page.getByLabel("Starts").fill("2031-06-01T10:00");
    await page.getByLabel("Ends").fill("2031-06-01T11:00");
    await page.getByLabel("Track").fill("Main");
    await page.getByLabel("Ryan").check();
    await page.getByRole("button", { name: "Add session" }).click();
    await page.getByRole("listitem", { name: "Keynote" }).getByText("Main").waitFor();

    await page.getByRole("link", { name: "Team" }).click();
    await page.getByLabel("E-mail").fill("helper@example.org");
    await page.getByLabel("Role", { exact: true }).selectOption("moderator");
    await page.getByRole("button", { name: "Send invitation" }).click();
    await page.getByText("Invitation sent to helper@example.org.").waitFor();
    await smtp.next("helper@example.org", (m) => m.subject === "Join the team of Solid Summit");

    await page.getByRole("link", { name: "Visibility & approval" }).click();
    await page.getByRole("button", { name: "Submit for review" }).click();
    await page.getByText("Submitted; an admin will review it.").waitFor();

    const adminPage = await pageAs(admin);
    await adminPage.goto(`${server.url}/admin/events`);
    const row = adminPage.getByRole("listitem", { name: "Solid Summit" });
    await row.getByRole("button", { name: "Approve" }).click();
    await adminPage.getByText("0 events").waitFor();
    await smtp.next("olga@example.org", (m) => m.subject === "Solid Summit: approved and published");

    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.reload();
    await page.getByRole("heading", { name: "At a glance" }).waitFor();
    await page.getByText("Olga Organizer submitted it for review").waitFor();
    expect(await page.locator(".status-badge").first().textContent()).toBe("Approved");

    // What the browser entered is what the server stored, times converted from Lisbon summer time.
    const detail = (await organizer.get(`/api/organize/events/${eventId}`)).body;
    expect(detail.event).toMatchObject({
      startsAt: "2031-06-01T09:00:00.000Z", endsAt: "2031-06-02T17:00:00.000Z", venueType: "hybrid", tags: ["solid", "web"], status: "approved", currency: "gbp",
    });
    expect(detail.event.descriptionHtml).toContain("<strong>workshops</strong>");
    expect(detail.sessions).toEqual([expect.objectContaining({ title: "Keynote", startsAt: "2031-06-01T09:00:00.000Z", track: "Main", speakerIds: [detail.speakers[0].id] })]);

    // At phone width the editor fits the screen: its cards and forms stay inside, and every tab of the strip is on screen (it wraps).
    const phone = await pageAs(organizer, { viewport: { width: 375, height: 740 } });
    await phone.goto(`${server.url}/organize/events/${eventId}/agenda`);
    await phone.getByRole("heading", { name: "Add a session" }).waitFor();
    const sticking = await phone.evaluate(() =>
      [...document.querySelectorAll(".organize-grid *, .organize-tabs, .page-header")]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((e) => `${e.tagName}.${e.className}`));
    expect(sticking).toEqual([]);
    const offscreen = await phone.locator(".organize-tabs__link").evaluateAll((links) =>
      links.filter((a) => a.getBoundingClientRect().right > window.innerWidth + 0.5).map((a) => a.textContent));
    expect(offscreen).toEqual([]);
    expect(await phone.locator(".organize-tabs__link").count()).toBeGreaterThan(8);
  });
});
