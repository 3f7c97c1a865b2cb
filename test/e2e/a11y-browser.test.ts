/**
 * The web app's key pages checked by axe-core (WCAG 2.0/2.1 A and AA rules, and axe's best
 * practices: landmarks, heading order) in Debian's Chromium, at desktop (1280 px) and phone
 * (375 px) width, in the light and the dark theme: discovery, an event page with sessions,
 * speakers and tickets, checkout (signed in and as a guest), an order, my tickets, log-in,
 * sign-up, the account page, the inbox, the organizer's event editor and its dashboard,
 * tickets, revenue and check-in pages, the door scanner and its results, the admin pages, the
 * phone menu opened, and the room's join screen; and the dialogs and states a page does not open
 * in (the chat's report dialog, the order's cancel confirmation, forms showing their errors), a
 * guest's order, the watch, recordings, sponsors, speaker and organizer pages. A serious or critical violation fails the
 * test and is printed with its page, viewport, theme, selectors and help URL; lesser ones are
 * printed as warnings.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Kysely } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { orderKey } from "../../server/ticketing/guest-links.ts";
import { TicketKeys } from "../../server/tickets/ticket-keys.ts";
import { launchMediaBrowser } from "../support/media-fixture.ts";
import * as seed from "../support/seed.ts";
import { startServer, type TestServer } from "../support/server.ts";

// Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not
// govern, so the pages are checked under their real policy; a <script> tag would be refused.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 812 } } as const;
const THEMES = ["light", "dark"] as const;

type Who = "guest" | "attendee" | "organizer" | "admin";
type Check = {
  name: string;
  who: Who;
  path: string;
  /** A locator that is there once the page has its data. */
  ready: string;
  /** What a person does before the check (to reach a state the page does not open in). */
  act?: (page: Page) => Promise<void>;
};
type Violation = { id: string; impact: string | null; help: string; helpUrl: string; nodes: { target: unknown[]; failureSummary?: string }[] };

let server: TestServer;
let db: Kysely<DB>;
let browser: Browser;
const cookies: Partial<Record<Who, string>> = {};
const checks: Check[] = [];

beforeAll(async () => {
  server = await startServer();
  db = seed.openServerDb(server.dataDir);
  const people = {} as Record<Exclude<Who, "guest">, string>;
  for (const [who, name, role] of [["admin", "Ada Admin", "admin"], ["organizer", "Olga Organizer", "user"], ["attendee", "Tom Attendee", "user"]] as const) {
    people[who] = await seed.user(db, { email: `${who}@example.org`, name, role });
    cookies[who] = (await seed.signedIn(db, people[who])).token;
  }
  const organization = await seed.write(db, seed.organization({ name: "Accessible Events Ltd", ownerId: people.organizer }));
  const event = await seed.write(db, seed.event({
    organizationId: organization.id, ownerId: people.organizer, title: "Open Web Summit", summary: "Two days on the open web.",
    description: "Talks and workshops on building for everyone.", tags: ["web", "a11y"], category: "technology", timeZone: "Europe/Paris",
  }));
  const keynote = await seed.write(db, seed.session({ eventId: event.id, title: "Opening keynote" }));
  await seed.write(db, seed.session({ eventId: event.id, title: "Workshop: forms that work", startsAt: new Date(Date.now() + 2 * 3_600_000).toISOString() }));
  const speakerId = await seed.write(db, seed.speaker({ eventId: event.id, name: "Sam Speaker", bio: "Builds accessible things.", sessionIds: [keynote] }));
  const free = await seed.write(db, seed.ticketType({ eventId: event.id, name: "Community pass" }));
  await seed.write(db, seed.ticketType({ eventId: event.id, name: "Supporter pass", price: 4_900 }));
  const order = await seed.write(db, seed.order({ eventId: event.id, userId: people.attendee, buyerName: "Tom Attendee", buyerEmail: "attendee@example.org", seats: [{ ticketTypeId: free.id, holderName: "Tom Attendee", holderEmail: "attendee@example.org" }], keys: TicketKeys.load(path.join(server.dataDir, "keys")) }));
  const list = await fetch(`${server.url}/api/events/${event.id}/checkin-lists`, {
    method: "POST",
    headers: { cookie: `plenary_session=${cookies.organizer}`, origin: server.url, "content-type": "application/json" },
    body: JSON.stringify({ name: "Main entrance" }),
  });
  if (list.status !== 201) throw new Error(`check-in list: ${list.status} ${await list.text()}`);
  const listId = ((await list.json()) as { list: { id: string } }).list.id;
  const keys = TicketKeys.load(path.join(server.dataDir, "keys"));
  const guestOrder = await seed.write(db, seed.order({ eventId: event.id, buyerName: "Gina Guest", buyerEmail: "gina@example.org", seats: [{ ticketTypeId: free.id, holderName: "Gina Guest", holderEmail: "gina@example.org" }], keys }));
  // An event far enough ahead to cancel an order of it: the cancel confirmation.
  const later = await seed.write(db, seed.event({ organizationId: organization.id, ownerId: people.organizer, title: "Later Conf", startsAt: new Date(Date.now() + 10 * 86_400_000).toISOString(), cancelDeadlineHours: 24 }));
  const laterPass = await seed.write(db, seed.ticketType({ eventId: later.id, name: "Later pass" }));
  const laterOrder = await seed.write(db, seed.order({ eventId: later.id, userId: people.attendee, buyerName: "Tom Attendee", buyerEmail: "attendee@example.org", seats: [{ ticketTypeId: laterPass.id, holderName: "Tom Attendee", holderEmail: "attendee@example.org" }], keys }));
  // Someone else's message in the session's chat, for the attendee to report.
  await db.insertInto("chat_messages").values({ channel: `session:${keynote}`, event_id: event.id, author_id: people.organizer, text: "Welcome to the keynote!", reply_to: null, created_at: new Date().toISOString() }).execute();
  // A pending invitation, so the organization page lists one and its link has a page to check.
  const invited = await fetch(`${server.url}/api/organizations/${organization.id}/invitations`, {
    method: "POST",
    headers: { cookie: `plenary_session=${cookies.organizer}`, origin: server.url, "content-type": "application/json" },
    body: JSON.stringify({ email: "newcomer@example.org", role: "member" }),
  });
  if (invited.status !== 202) throw new Error(`invitation: ${invited.status} ${await invited.text()}`);
  const invitationMail = await db.selectFrom("outbox").select("text_body").where("to_address", "=", "newcomer@example.org").executeTakeFirstOrThrow();
  const invitationLink = /\/invitations\/accept\?token=[\w-]+/.exec(invitationMail.text_body)![0];

  const editor = `/organize/events/${event.id}`;
  checks.push(
    { name: "discover", who: "guest", path: "/", ready: "text=Open Web Summit" },
    { name: "event page", who: "guest", path: `/events/${event.slug}`, ready: "text=Sam Speaker" },
    { name: "checkout (guest)", who: "guest", path: `/events/${event.slug}/checkout`, ready: "text=Supporter pass" },
    { name: "log in", who: "guest", path: "/log-in", ready: "form" },
    { name: "sign up", who: "guest", path: "/sign-up", ready: "form" },
    {
      // At phone width the navigation folds behind Menu: checked open.
      name: "open menu", who: "attendee", path: "/", ready: "text=Open Web Summit",
      act: async (page) => {
        if (page.viewportSize()!.width > VIEWPORTS.phone.width) return;
        await page.getByRole("button", { name: "Menu" }).click();
        await page.locator(".main-nav--open").waitFor();
      },
    },
    { name: "checkout (signed in)", who: "attendee", path: `/events/${event.slug}/checkout`, ready: "text=Supporter pass" },
    { name: "order", who: "attendee", path: `/orders/${order.id}`, ready: "[data-order-status]" },
    { name: "my tickets", who: "attendee", path: "/tickets", ready: "text=Open Web Summit" },
    { name: "account", who: "attendee", path: "/account", ready: "form" },
    { name: "notifications", who: "attendee", path: "/notifications", ready: "main h1" },
    { name: "room join screen", who: "attendee", path: `/rooms/${keynote}`, ready: "button:has-text('Join now')" },
    { name: "organize home", who: "organizer", path: "/organize", ready: "text=Open Web Summit" },
    { name: "organization settings", who: "organizer", path: `/organize/organizations/${organization.id}`, ready: "text=newcomer@example.org" },
    { name: "invitation", who: "guest", path: invitationLink, ready: "text=Log in to accept" },
    { name: "editor: dashboard", who: "organizer", path: editor, ready: "main h1" },
    ...["details", "agenda", "speakers", "team", "visibility"].map((tab): Check => ({ name: `editor: ${tab}`, who: "organizer", path: `${editor}/${tab}`, ready: "main h1" })),
    { name: "editor: tickets", who: "organizer", path: `${editor}/tickets`, ready: "text=Community pass" },
    { name: "editor: revenue", who: "organizer", path: `${editor}/revenue`, ready: "main h1" },
    { name: "editor: check-in", who: "organizer", path: `${editor}/checkin`, ready: "text=Main entrance" },
    { name: "scanner", who: "organizer", path: `/scan/${listId}`, ready: "[data-testid=scanner-counts]" },
    {
      // Admitted the first time, already checked in after: the result's coloured fills.
      name: "scanner result", who: "organizer", path: `/scan/${listId}`, ready: "[data-testid=scanner-counts]",
      act: async (page) => {
        await page.getByLabel("Ticket code").fill(order.tickets[0].code);
        await page.getByRole("button", { name: "Check", exact: true }).click();
        await page.locator(".scanner__result:not([data-outcome=idle])").waitFor({ timeout: 30_000 });
      },
    },
    {
      name: "scanner refusal", who: "organizer", path: `/scan/${listId}`, ready: "[data-testid=scanner-counts]",
      act: async (page) => {
        await page.getByLabel("Ticket code").fill("not-a-ticket");
        await page.getByRole("button", { name: "Check", exact: true }).click();
        await page.locator(".scanner__result[data-outcome=refused]").waitFor({ timeout: 30_000 });
      },
    },
    { name: "guest order", who: "guest", path: `/orders/${guestOrder.id}?key=${await orderKey(db, guestOrder.id)}`, ready: "[data-order-status]" },
    {
      name: "order cancel confirmation", who: "attendee", path: `/orders/${laterOrder.id}`, ready: "text=Cancel my tickets…",
      act: async (page) => {
        await page.getByRole("button", { name: "Cancel my tickets…" }).click();
        await page.getByRole("button", { name: "Yes, cancel my tickets" }).waitFor();
      },
    },
    {
      name: "log in with errors", who: "guest", path: "/log-in", ready: "form",
      act: async (page) => {
        await page.locator("main form button[type=submit]").first().click();
        await page.locator(".field__error, [role=alert]").first().waitFor();
      },
    },
    {
      name: "new event with errors", who: "organizer", path: "/organize", ready: "text=New event",
      act: async (page) => {
        await page.getByRole("button", { name: "Create event" }).click();
        await page.locator(".field__error, [role=alert]").first().waitFor();
      },
    },
    {
      name: "chat report dialog", who: "attendee", path: `/sessions/${keynote}/chat`, ready: "text=Welcome to the keynote!",
      act: async (page) => {
        await page.getByRole("button", { name: "Report", exact: true }).first().click();
        await page.locator("dialog.report-dialog[open]").waitFor();
      },
    },
    { name: "watch", who: "attendee", path: `/watch/${keynote}`, ready: "main h1" },
    { name: "recordings", who: "attendee", path: `/events/${event.id}/recordings`, ready: "main h1" },
    { name: "speaker", who: "guest", path: `/speakers/${speakerId}`, ready: "text=Sam Speaker" },
    { name: "organizer", who: "guest", path: `/organizers/${organization.slug}`, ready: "text=Accessible Events Ltd" },
    { name: "editor: sponsors", who: "organizer", path: `${editor}/sponsors`, ready: "main h1" },
    ...["", "/events", "/audit", "/outbox", "/jobs", "/revenue", "/ratings"].map((sub): Check => ({ name: `admin${sub || " users"}`, who: "admin", path: `/admin${sub}`, ready: "main h1" })),
  );
  // PLENARY_A11Y_PAGES=watch,recordings checks only the pages whose names contain one of the words (while fixing).
  const only = process.env.PLENARY_A11Y_PAGES?.split(",").map((w) => w.trim()).filter(Boolean);
  if (only?.length) checks.splice(0, checks.length, ...checks.filter((c) => only.some((w) => c.name.includes(w))));
  browser = await launchMediaBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await server?.stop();
});

/** Opens the page and waits until it has its data: the ready locator is there and nothing says Loading. */
async function settle(page: Page, check: Check): Promise<void> {
  await page.goto(`${server.url}${check.path}`, { waitUntil: "networkidle" });
  try {
    await page.locator(check.ready).first().waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => !document.querySelector(".loading, .app-loading"), undefined, { timeout: 30_000 });
    await check.act?.(page);
  } catch (error) {
    throw new Error(`${check.name} (${check.path}) did not reach its state (${check.ready}${check.act ? ", then its action" : ""}): ${(await page.locator("body").innerText()).slice(0, 400)}`, { cause: error });
  }
  // Let transitions (theme colors, fades) finish so contrast is measured on what a person sees.
  await page.waitForTimeout(300);
}

/** axe-core's serious and critical WCAG 2.x A/AA violations on the page, plus the lesser ones apart. */
async function audit(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }, resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

function describeViolations(where: string, violations: Violation[]): string {
  return violations
    .map((v) => `${where}: [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.slice(0, 8).map((n) => `    ${n.target.join(" ")}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, "\n      ")}` : ""}`).join("\n")}`)
    .join("\n");
}

describe("accessibility (axe-core, WCAG 2.1 A/AA)", () => {
  for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
    for (const theme of THEMES) {
      it(`has no serious or critical violations at ${viewportName} width in the ${theme} theme`, { timeout: 600_000 }, async () => {
        const serious: string[] = [];
        const lesser: string[] = [];
        const contexts = new Map<Who, Awaited<ReturnType<Browser["newContext"]>>>();
        try {
          for (const check of checks) {
            let context = contexts.get(check.who);
            if (!context) {
              context = await browser.newContext({ viewport, colorScheme: theme, locale: "en-US", reducedMotion: "reduce" });
              const token = cookies[check.who];
              if (token) await context.addCookies([{ name: "plenary_session", value: token, url: server.url }]);
              contexts.set(check.who, context);
            }
            const page = await context.newPage();
            try {
              await settle(page, check);
            } catch (error) {
              serious.push(String(error));
              await page.close();
              continue;
            }
            try {
              const violations = await audit(page);
              const where = `${check.name} ${check.path} @${viewport.width}px ${theme}`;
              const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
              if (bad.length) serious.push(describeViolations(where, bad));
              const minor = violations.filter((v) => !bad.includes(v));
              if (minor.length) lesser.push(describeViolations(where, minor));
            } finally {
              await page.close();
            }
          }
        } finally {
          for (const context of contexts.values()) await context.close();
        }
        if (lesser.length) console.warn(`moderate/minor axe findings:\n${lesser.join("\n")}`);
        expect(serious.join("\n"), "serious or critical axe violations").toBe("");
      });
    }
  }
});
