/**
 * What a new attendee and organizer see first, in Debian's Chromium after a fresh page load (no
 * lazily loaded page visited before): the header's account link painted at desktop and phone
 * width, with the phone menu offering the account and log-out; badges styled; Admin only for
 * admins; the event list's price range; the New event form's date fields side by side without
 * overlap; and one button look for buttons and action links in both themes.
 */
import path from "node:path";
import type { Kysely } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { TicketKeys } from "../../server/tickets/ticket-keys.ts";
import { launchBrowser } from "../support/browser.ts";
import * as seed from "../support/seed.ts";
import { startServer, type TestServer } from "../support/server.ts";

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };
const SHOTS = process.env.PLENARY_SCREENSHOTS; // a folder: the test saves what it checked, to look at

let server: TestServer;
let db: Kysely<DB>;
let browser: Browser;
const tokens: Record<"admin" | "organizer" | "attendee", string> = { admin: "", organizer: "", attendee: "" };
let attendeeId = "";
let orderId = "";

beforeAll(async () => {
  server = await startServer();
  db = seed.openServerDb(server.dataDir);
  const ids = {} as Record<keyof typeof tokens, string>;
  for (const [who, name, role] of [["admin", "Ada Admin", "admin"], ["organizer", "Olga Organizer", "user"], ["attendee", "Tom Attendee", "user"]] as const) {
    ids[who] = await seed.user(db, { email: `${who}@example.org`, name, role });
    tokens[who] = (await seed.signedIn(db, ids[who])).token;
  }
  attendeeId = ids.attendee;
  const organization = await seed.write(db, seed.organization({ name: "Shell Events", ownerId: ids.organizer }));
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  const mixed = await seed.write(db, seed.event({ organizationId: organization.id, ownerId: ids.organizer, title: "Mixed Prices Meetup", startsAt: inDays(2) }));
  const free = await seed.write(db, seed.ticketType({ eventId: mixed.id, name: "Community", price: 0 }));
  await seed.write(db, seed.ticketType({ eventId: mixed.id, name: "Supporter", price: 2_500 }));
  const paid = await seed.write(db, seed.event({ organizationId: organization.id, title: "Paid Only Forum", startsAt: inDays(3) }));
  await seed.write(db, seed.ticketType({ eventId: paid.id, name: "Early", price: 1_000 }));
  await seed.write(db, seed.ticketType({ eventId: paid.id, name: "Late", price: 2_500 }));
  await seed.write(db, seed.ticketType({ eventId: paid.id, name: "Secret", price: 9_900, hidden: true }));
  const gratis = await seed.write(db, seed.event({ organizationId: organization.id, title: "Free For All", startsAt: inDays(4) }));
  await seed.write(db, seed.ticketType({ eventId: gratis.id, name: "Entry" }));
  const order = await seed.write(db, seed.order({
    eventId: mixed.id, userId: ids.attendee, buyerName: "Tom Attendee", buyerEmail: "attendee@example.org",
    seats: [{ ticketTypeId: free.id, holderName: "Tom Attendee", holderEmail: "attendee@example.org" }], keys: TicketKeys.load(path.join(server.dataDir, "keys")),
  }));
  orderId = order.id;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await server?.stop();
});

/** A fresh page for `who` (or a session token of its own, for a test that logs out). */
async function open(who: keyof typeof tokens | "guest" | { token: string }, url: string, viewport = DESKTOP, colorScheme: "light" | "dark" = "light"): Promise<Page> {
  const context = await browser.newContext({ viewport, colorScheme, locale: "en-US", reducedMotion: "reduce" });
  context.setDefaultTimeout(20_000);
  const token = typeof who === "object" ? who.token : who === "guest" ? undefined : tokens[who];
  if (token) await context.addCookies([{ name: "plenary_session", value: token, url: server.url }]);
  const page = await context.newPage();
  await page.goto(`${server.url}${url}`);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** The element's painted size and the computed styles that tell a styled control from a bare one. */
function looks(page: Page, selector: string) {
  return page.locator(selector).first().evaluate((el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const surface = getComputedStyle(document.body).getPropertyValue("--color-surface").trim();
    const probe = document.createElement("div");
    probe.style.background = surface;
    document.body.append(probe);
    const surfaceRgb = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return {
      width: box.width, height: box.height, textDecoration: style.textDecorationLine, background: style.backgroundColor,
      borderWidth: parseFloat(style.borderTopWidth), borderStyle: style.borderTopStyle, radius: parseFloat(style.borderTopLeftRadius), surfaceRgb,
    };
  });
}

describe("the shell after a fresh load", { timeout: 120_000 }, () => {
  it("paints the account link at desktop width, without an underline", async () => {
    const page = await open("attendee", "/events");
    const link = page.getByRole("link", { name: "Your account, Tom Attendee" });
    await link.waitFor();
    await shot(page, "events-1280-light");
    const look = await looks(page, "a.account-link");
    expect(look.textDecoration).toBe("none");
    expect(look.height).toBeGreaterThanOrEqual(40);
    expect(await page.locator("a.account-link .avatar").evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThanOrEqual(24);
    await page.context().close();
  });

  it("paints the account link on a phone, and the menu offers the account and logging out", async () => {
    // A session of its own: this test logs it out.
    const page = await open(await seed.signedIn(db, attendeeId), "/events", PHONE);
    const link = page.getByRole("link", { name: "Your account, Tom Attendee" });
    await link.waitFor();
    const box = await link.boundingBox();
    expect(box, "the account link is painted").not.toBeNull();
    expect(box!.width).toBeGreaterThanOrEqual(40);
    expect(box!.height).toBeGreaterThanOrEqual(40);
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator("a.account-link .avatar").evaluate((el) => getComputedStyle(el, "::before").content)).toBe('"T"');
    await shot(page, "events-375-light");

    await page.getByRole("button", { name: "Menu" }).click();
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Your account" }).waitFor({ state: "visible" });
    await shot(page, "events-375-menu");
    await nav.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("link", { name: "Log in" }).first().waitFor();
    expect(await page.getByRole("link", { name: /Your account/ }).count()).toBe(0);
    await page.context().close();
  });

  it("styles badges on a page loaded fresh", async () => {
    const page = await open("organizer", "/organize");
    const owner = page.locator(".badge", { hasText: "Owner" }).first();
    await owner.waitFor();
    await shot(page, "organize-1280-light");
    const look = await looks(page, ".badge >> text=Owner");
    expect(look.background).not.toBe("rgba(0, 0, 0, 0)");
    expect(look.radius).toBeGreaterThan(8);
    await page.context().close();
  });

  it("shows Admin in the navigation only to platform admins", async () => {
    for (const [who, shown] of [["guest", false], ["attendee", false], ["organizer", false], ["admin", true]] as const) {
      const page = await open(who, "/events");
      await page.getByRole("link", { name: "My tickets" }).waitFor();
      // The session has loaded once the header shows the account or Log in.
      await page.locator("a.account-link").waitFor();
      expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).count(), who).toBe(shown ? 1 : 0);
      await page.context().close();
    }
  });

  it("shows each event's price range on the list", async () => {
    const page = await open("guest", "/events");
    const card = (title: string) => page.locator(".event-card", { hasText: title }).locator(".event-badge--price");
    await card("Mixed Prices Meetup").waitFor();
    expect(await card("Mixed Prices Meetup").innerText()).toBe("Free – €25");
    expect(await card("Paid Only Forum").innerText()).toBe("€10 – €25");
    expect(await card("Free For All").innerText()).toBe("Free");
    await page.context().close();
  });

  it("lays the New event form's Starts and Ends side by side without overlap at desktop width", async () => {
    const page = await open("organizer", "/organize");
    const starts = page.getByLabel("Starts");
    const ends = page.getByLabel("Ends");
    await starts.waitFor();
    await shot(page, "new-event-1280");
    const a = (await starts.boundingBox())!;
    const b = (await ends.boundingBox())!;
    const apart = a.x + a.width <= b.x || a.y + a.height <= b.y;
    expect(apart, `Starts ${JSON.stringify(a)} overlaps Ends ${JSON.stringify(b)}`).toBe(true);
    // Its calendar button and its time are inside the box, not cut off.
    for (const field of [starts, ends]) {
      expect(await field.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    }
    await page.context().close();
  });

  for (const theme of ["light", "dark"] as const) {
    it(`gives buttons and action links one button surface in the ${theme} theme`, async () => {
      const page = await open("attendee", `/orders/${orderId}`, DESKTOP, theme);
      const calendar = page.getByRole("link", { name: "Add to calendar" });
      await calendar.waitFor();
      await shot(page, `order-1280-${theme}`);
      const link = await looks(page, "a.button >> text=Add to calendar");
      expect(link.textDecoration).toBe("none");
      expect(link.borderStyle).toBe("solid");
      expect(link.borderWidth).toBeGreaterThan(0);
      expect(link.background).toBe(link.surfaceRgb);

      await page.goto(`${server.url}/account`);
      await page.getByRole("button", { name: "Log out", exact: true }).waitFor();
      const button = await looks(page, "main button.button >> text=Log out");
      // Not the browser's grey (rgb(239, 239, 239) light, rgb(107, 107, 107) dark): the theme's surface.
      expect(button.background).toBe(button.surfaceRgb);
      expect(button.borderWidth).toBeGreaterThan(0);
      await page.context().close();
    });
  }
});
