/**
 * The organizer's pages in Debian's Chromium: editing and deleting ticket types on the
 * Tickets tab (with the server's rules shown on the fields), and the dashboard's check-in
 * count following the door live, without a reload.
 */
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, PASSWORD, verifiedUser } from "../support/accounts.ts";
import { launchBrowser } from "../support/browser.ts";
import { EventFixture } from "../support/event-fixture.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

// Page loads on a busy 2-core machine: poll generously (nothing here measures speed).
const eventually = { timeout: 20_000 };

let server: TestServer;
let smtp: TestSmtpServer;
let fixture: EventFixture;
let owner: TestClient, staff: TestClient;
let browser: Browser;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  await firstAdmin(server);
  owner = await verifiedUser(server, smtp, "owner@example.org");
  staff = await verifiedUser(server, smtp, "staff@example.org");
  fixture = new EventFixture(server);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  fixture?.close();
  await server?.stop();
  await smtp?.close();
});

async function ownerPage(viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(20_000);
  await context.addCookies([{ name: "plenary_session", value: owner.cookies.get("plenary_session")!, url: server.url }]);
  return { context, page: await context.newPage() };
}

describe("ticket types on the Tickets tab", { timeout: 120_000 }, () => {
  it("are edited in place, keep their rules once sold, and are deleted only without sales", async () => {
    const { eventId } = fixture.event("owner@example.org", "Editing Conf");
    const keynote = fixture.session(eventId, "Opening keynote");
    fixture.session(eventId, "Closing panel");
    const sold = fixture.ticketType(eventId, "Sold pass");
    fixture.ticket(eventId, sold, "Ada", "ada@example.org");
    fixture.ticket(eventId, sold, "Bob", "bob@example.org");
    const draft = (await owner.post(`/api/events/${eventId}/ticket-types`, { name: "Draft pass", price: 0, quantity: 50, description: "For now" })).body.ticketType;
    const spare = (await owner.post(`/api/events/${eventId}/ticket-types`, { name: "Spare pass", price: 0, quantity: 5 })).body.ticketType;

    const { context, page } = await ownerPage({ width: 390, height: 844 });
    await page.goto(`${server.url}/organize/events/${eventId}/tickets`);
    await page.getByRole("button", { name: "Edit Draft pass" }).click();
    const form = page.getByRole("form", { name: "Edit Draft pass" });
    await expect.poll(() => form.getByLabel("Description").inputValue(), eventually).toBe("For now");
    await form.getByLabel("Name", { exact: true }).fill("Early bird");
    await form.getByLabel("Description").fill("The first fifty seats");
    await form.getByLabel("Quantity", { exact: true }).fill("40");
    await form.getByLabel("Most per order").fill("4");
    await form.getByLabel("Sales open").fill("2031-03-01T09:00");
    await form.getByLabel("Sales close").fill("2031-03-31T18:00");
    await form.getByLabel("Hidden: offered only with an access code").check();
    await form.getByLabel("Access code", { exact: true }).fill("BIRDS");
    await form.getByLabel("Opening keynote").check();
    await form.getByRole("button", { name: "Save ticket type" }).click();
    await page.getByRole("cell", { name: "Early bird", exact: true }).waitFor();

    const types = (await owner.get(`/api/events/${eventId}/ticket-types`)).body.ticketTypes as Record<string, unknown>[];
    // The fixture's event is in Europe/Paris: 09:00 in March is 08:00 UTC.
    expect(types.find((t) => t.id === draft.id)).toMatchObject({
      name: "Early bird", description: "The first fifty seats", quantity: 40, maxPerOrder: 4, hidden: true, hasAccessCode: true,
      saleStartsAt: "2031-03-01T08:00:00.000Z", saleEndsAt: "2031-03-31T16:00:00.000Z", sessionIds: [keynote],
    });

    // The form sends only what the organizer changed: what someone else changed meanwhile (here a script) stays.
    const open = page.getByRole("form", { name: "Edit Early bird" });
    await expect.poll(() => open.getByLabel("Description").inputValue(), eventually).toBe("The first fifty seats");
    expect((await owner.patch(`/api/ticket-types/${draft.id}`, { quantity: 45, position: 7 })).status).toBe(200);
    await open.getByLabel("Description").fill("Fifty seats, first come");
    await open.getByRole("button", { name: "Save ticket type" }).click();
    const current = async () => ((await owner.get(`/api/events/${eventId}/ticket-types`)).body.ticketTypes as { id: string; description: string }[]).find((t) => t.id === draft.id);
    await expect.poll(async () => (await current())?.description, eventually).toBe("Fifty seats, first come");
    expect(await current()).toMatchObject({ name: "Early bird", quantity: 45, position: 7, maxPerOrder: 4, hasAccessCode: true, sessionIds: [keynote] });

    // A sold type: its price is fixed, its quantity cannot drop below what is sold, it cannot be deleted.
    await page.getByRole("button", { name: "Edit Sold pass" }).click();
    const soldForm = page.getByRole("form", { name: "Edit Sold pass" });
    expect(await soldForm.getByLabel("Price (EUR)").getAttribute("readonly")).not.toBeNull();
    await soldForm.getByLabel("Quantity", { exact: true }).fill("1");
    await soldForm.getByRole("button", { name: "Save ticket type" }).click();
    await soldForm.getByText("2 are sold or held; the quantity cannot be lower").waitFor();
    expect(await soldForm.getByLabel("Quantity", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByRole("button", { name: "Delete Sold pass" }).count()).toBe(0);
    // A price change on a sold type, sent anyway, is refused by the server with its reason.
    const priced = await owner.patch(`/api/ticket-types/${sold.id}`, { name: "Sold pass", price: 500, quantity: 100 });
    expect(priced.status).toBe(409);
    expect(priced.body.error.code).toBe("price_locked");

    await page.getByRole("button", { name: "Delete Spare pass" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "Spare pass", exact: true }).count(), eventually).toBe(0);
    expect((await owner.get(`/api/events/${eventId}/ticket-types`)).body.ticketTypes.map((t: { id: string }) => t.id)).not.toContain(spare.id);

    // The dashboard's recent activity says who changed which type.
    await page.goto(`${server.url}/organize/events/${eventId}`);
    await page.getByText("owner changed a ticket type “Early bird”").first().waitFor();
    await page.getByText("owner deleted a ticket type “Spare pass”").waitFor();
    await context.close();
  });
});

describe("team invitations", { timeout: 120_000 }, () => {
  it("are accepted from the mail's link after logging in, and the newcomer sees the dashboard", async () => {
    const { eventId } = fixture.event("owner@example.org", "Invite Conf");
    await verifiedUser(server, smtp, "helper@example.org", "Hana Helper");
    const sent = await owner.post(`/api/organize/events/${eventId}/team/invites`, { email: "helper@example.org", role: "moderator" });
    expect(sent.status).toBe(202);
    const mail = await smtp.next("helper@example.org", (m) => m.subject === "Join the team of Invite Conf");
    const link = /https?:\/\/\S+\/invitations\/accept\?token=[\w-]+/.exec(mail.text)![0];

    // A browser that is not logged in is sent to log in first (the address filled in) and comes back to accept.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    await page.goto(link.replace(/^https?:\/\/[^/]+/, server.url));
    await page.getByText("invited you to help run Invite Conf as moderator").waitFor();
    await page.getByRole("link", { name: "Log in to accept" }).click();
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await page.getByText("You are now part of Invite Conf.").waitFor();
    await page.getByRole("link", { name: "Open Invite Conf" }).click();
    await page.getByRole("heading", { name: "At a glance" }).waitFor();
    await page.getByText("Hana Helper joined the team").waitFor();
    const team = (await owner.get(`/api/organize/events/${eventId}`)).body.team as { email: string; role: string }[];
    expect(team).toContainEqual(expect.objectContaining({ email: "helper@example.org", role: "moderator" }));
    await context.close();
  });
});

describe("the public event page", { timeout: 120_000 }, () => {
  it("shows the cover the organizer uploaded", async () => {
    const { eventId } = fixture.event("owner@example.org", "Cover Page Conf");
    const png = await sharp({ create: { width: 1200, height: 600, channels: 3, background: "#884422" } }).png().toBuffer();
    const uploaded = await fetch(`${server.url}/api/organize/events/${eventId}/cover`, { method: "PUT", body: png, headers: { "content-type": "image/png", cookie: owner.cookieHeader, origin: server.url } });
    expect(uploaded.status).toBe(200);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/events/${fixture.eventSlug(eventId)}`);
    const cover = page.locator("img.event-hero__cover");
    await expect.poll(() => cover.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), eventually).toBe(1600);
    // At phone width it fits the screen.
    expect(await cover.evaluate((img) => img.getBoundingClientRect().right <= window.innerWidth)).toBe(true);
    await context.close();
  });
});

describe("the event dashboard", { timeout: 120_000 }, () => {
  it("shows each check-in as the door scans it", async () => {
    const { eventId } = fixture.event("owner@example.org", "Live Dashboard Conf");
    fixture.teamMember(eventId, "staff@example.org", "check_in_staff");
    const type = fixture.ticketType(eventId, "General");
    const [ada, bob, cleo] = ["Ada", "Bob", "Cleo"].map((name) => fixture.ticket(eventId, type, name, `${name.toLowerCase()}@example.org`));
    const list = (await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Main entrance" })).body.list;
    const scan = (code: string) => ({ nonce: randomUUID(), scannedAt: new Date().toISOString(), code });

    const { context, page } = await ownerPage();
    await page.goto(`${server.url}/organize/events/${eventId}`);
    const count = page.getByTestId("checked-in");
    await expect.poll(() => count.textContent(), eventually).toBe("0");

    // The page loads its numbers once; from here on only the socket changes them (the watch's
    // answer if it came after this scan, else a push), and by the time "1" shows it is watching.
    await staff.post(`/api/checkin-lists/${list.id}/scans`, { scans: [scan(ada.code)] });
    await expect.poll(() => count.textContent(), eventually).toBe("1");
    // An offline queue synced in one upload: this one can only arrive as a push.
    await staff.post(`/api/checkin-lists/${list.id}/scans`, { scans: [scan(bob.code), scan(cleo.code)] });
    await expect.poll(() => count.textContent(), eventually).toBe("3");
    await context.close();
  });
});
