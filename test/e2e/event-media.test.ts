/**
 * An event's images and files beyond its page: the cover as the link preview's image, covers
 * and speaker photos served only to those who may see the event (drafts, invite-only; the
 * latter also with the access code that opened the page, counted against guessing), and
 * the confirmation mail's calendar file as a real text/calendar attachment over SMTP.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import ICAL from "ical.js";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_WRONG_CODES } from "../../server/discovery/access-codes.ts";
import { hashAccessCode } from "../../server/events/fields.ts";
import { verifiedUser } from "../support/accounts.ts";
import { EventFixture } from "../support/event-fixture.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let fixture: EventFixture;
let owner: TestClient, invitee: TestClient, outsider: TestClient;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  // One at a time: parallel sign-ups (password hashing) on a loaded machine can outlast the mail wait.
  owner = await verifiedUser(server, smtp, "owner@example.org", "owner");
  invitee = await verifiedUser(server, smtp, "invitee@example.org", "invitee");
  outsider = await verifiedUser(server, smtp, "outsider@example.org", "outsider");
  fixture = new EventFixture(server);
}, 120_000);
afterAll(async () => {
  fixture?.close();
  await server?.stop();
  await smtp?.close();
});

async function upload(client: TestClient, url: string): Promise<Record<string, { coverUrl?: string; photoUrl?: string }>> {
  const png = await sharp({ create: { width: 1200, height: 700, channels: 3, background: "#228844" } }).png().toBuffer();
  const response = await fetch(server.url + url, { method: "PUT", body: png, headers: { "content-type": "image/png", cookie: client.cookieHeader, origin: server.url } });
  expect(response.status).toBe(200);
  return (await response.json()) as never;
}

/** An approved public event with a cover and one speaker with a photo. */
async function eventWithImages(title: string) {
  const { eventId } = fixture.event("owner@example.org", title);
  const coverUrl = (await upload(owner, `/api/organize/events/${eventId}/cover`)).event.coverUrl!;
  const speaker = await owner.post(`/api/organize/events/${eventId}/speakers`, { name: "Ana", title: "", bio: "", links: [], position: 0, userEmail: null });
  expect(speaker.status).toBe(201);
  const photoUrl = (await upload(owner, `/api/organize/speakers/${speaker.body.speaker.id}/photo`)).speaker.photoUrl!;
  return { eventId, slug: fixture.eventSlug(eventId), coverUrl, photoUrl, speakerId: speaker.body.speaker.id as string };
}

async function image(client: TestClient | null, url: string) {
  const response = await fetch(server.url + url, { headers: client ? { cookie: client.cookieHeader } : {} });
  await response.arrayBuffer();
  return { status: response.status, cache: response.headers.get("cache-control"), type: response.headers.get("content-type") };
}

const metaContent = (html: string, key: string) => new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)" />`).exec(html)?.[1];

describe("link previews", () => {
  it("show the event's cover, with its size, and fall back to the app icon", async () => {
    const { slug, coverUrl } = await eventWithImages("Cover Conf");
    const html = await (await fetch(`${server.url}/events/${slug}`, { headers: { accept: "text/html" } })).text();
    const og = metaContent(html, "og:image")!.replaceAll("&#38;", "&");
    expect(og).toBe(server.url + coverUrl);
    expect(metaContent(html, "og:image:width")).toBe("1600");
    expect(metaContent(html, "og:image:height")).toBe("800");
    expect(metaContent(html, "twitter:card")).toBe("summary_large_image");
    expect(metaContent(html, "twitter:image")!.replaceAll("&#38;", "&")).toBe(og);
    const ld = JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(ld.image).toEqual([og]);
    // The preview's image is there for a crawler with no session.
    expect(await image(null, new URL(og).pathname + new URL(og).search)).toMatchObject({ status: 200, type: "image/webp" });

    const { eventId } = fixture.event("owner@example.org", "Plain Conf");
    const plain = await (await fetch(`${server.url}/events/${fixture.eventSlug(eventId)}`, { headers: { accept: "text/html" } })).text();
    expect(metaContent(plain, "og:image")).toBe(`${server.url}/icons/icon-512.png`);
    expect(metaContent(plain, "og:image:width")).toBe("512");
    expect(metaContent(plain, "twitter:card")).toBe("summary");
  });
});

describe("event images", () => {
  it("of a published public or unlisted event are public and cacheable", async () => {
    const { eventId, coverUrl, photoUrl } = await eventWithImages("Open Conf");
    for (const url of [coverUrl, photoUrl]) expect(await image(null, url)).toMatchObject({ status: 200, cache: "public, max-age=300" });
    fixture.setEvent(eventId, { visibility: "unlisted" });
    expect(await image(null, coverUrl)).toMatchObject({ status: 200, cache: "public, max-age=300" });
  });

  it("of an unpublished event reach only its team, never a cache", async () => {
    const { eventId, coverUrl, photoUrl } = await eventWithImages("Draft Conf");
    for (const status of ["draft", "submitted", "changes_requested", "rejected"]) {
      fixture.setEvent(eventId, { status });
      for (const url of [coverUrl, photoUrl]) {
        expect(await image(null, url), `${status} ${url} anonymous`).toMatchObject({ status: 404 });
        expect(await image(outsider, url), `${status} ${url} outsider`).toMatchObject({ status: 404 });
        expect(await image(owner, url), `${status} ${url} owner`).toMatchObject({ status: 200, cache: "private, no-store" });
      }
    }
  });

  it("of an invite-only event reach its invitees and team only", async () => {
    const { eventId, coverUrl, photoUrl, speakerId } = await eventWithImages("Secret Conf");
    fixture.setEvent(eventId, { visibility: "invite_only" });
    const sql = new Database(path.join(server.dataDir, "plenary.sqlite"));
    sql.prepare("insert into event_invitees (event_id, email, created_at) values (?, ?, ?)").run(eventId, "invitee@example.org", new Date().toISOString());
    sql.close();
    for (const url of [coverUrl, photoUrl]) {
      expect((await image(null, url)).status).toBe(404);
      expect((await image(outsider, url)).status).toBe(404);
      expect(await image(invitee, url)).toMatchObject({ status: 200, cache: "private, no-store" });
      expect(await image(owner, url)).toMatchObject({ status: 200, cache: "private, no-store" });
    }
    // So does the speaker's page, which the event page links to.
    const speakerPage = async (client: TestClient | null) => (await fetch(`${server.url}/api/speakers/${speakerId}`, { headers: client ? { cookie: client.cookieHeader } : {} })).status;
    expect([await speakerPage(null), await speakerPage(outsider), await speakerPage(invitee), await speakerPage(owner)]).toEqual([404, 404, 200, 200]);
    // A crawler would be sent to an image it cannot fetch: the preview keeps the icon.
    const html = await (await fetch(`${server.url}/events/${fixture.eventSlug(eventId)}`, { headers: { accept: "text/html", cookie: invitee.cookieHeader } })).text();
    expect(html).not.toContain(coverUrl.replaceAll("&", "&#38;"));
  });
});

describe("an invite-only event opened by its access code", () => {
  // Last of the code tests in this file: it pauses this address for further codes.
  it("shows its images with the code the page took, refuses wrong codes and pauses guessing", async () => {
    const { eventId, slug, coverUrl, photoUrl, speakerId } = await eventWithImages("Code Conf");
    fixture.setEvent(eventId, { visibility: "invite_only" });
    const sql = new Database(path.join(server.dataDir, "plenary.sqlite"));
    sql.prepare("update events set access_code_hash = ? where id = ?").run(hashAccessCode("GARDEN-GATE"), eventId);
    sql.close();
    const page = await fetch(`${server.url}/api/discover/events/${slug}?code=garden-gate`);
    expect(((await page.json()) as { event: { coverUrl: string } }).event.coverUrl).toBe(coverUrl);

    const withCode = (url: string, code: string) => `${url}${url.includes("?") ? "&" : "?"}code=${encodeURIComponent(code)}`;
    for (const url of [coverUrl, photoUrl]) {
      // Read as the page reads it: trimmed, in any case. Never kept by a shared cache.
      expect(await image(null, withCode(url, " garden-gate "))).toMatchObject({ status: 200, type: "image/webp", cache: "private, no-store" });
      expect((await image(null, url)).status).toBe(404);
      expect((await image(null, withCode(url, "GARDEN-GATES"))).status).toBe(404);
      expect((await image(outsider, withCode(url, "nope-nope"))).status).toBe(404);
    }
    // The page's speaker links pass the code on: the speaker's page, and its photo, open with it.
    const speakerPage = (code: string | null, client: TestClient | null = null) =>
      fetch(`${server.url}/api/speakers/${speakerId}${code === null ? "" : `?code=${encodeURIComponent(code)}`}`, { headers: client ? { cookie: client.cookieHeader } : {} });
    const opened = await speakerPage("garden-gate");
    expect(opened.status).toBe(200);
    const profile = (await opened.json()) as { speaker: { photoUrl: string }; event: { id: string } };
    expect(profile.event.id).toBe(eventId);
    expect(await image(null, profile.speaker.photoUrl)).toMatchObject({ status: 200, cache: "private, no-store" });
    expect((await speakerPage(null)).status).toBe(404);
    expect((await speakerPage("GARDEN-GATES")).status).toBe(404);
    // Those who may see the event need no code: its invitees and its team.
    expect((await speakerPage(null, owner)).status).toBe(200);
    // So do its sponsors (their list, the impressions the page reports, the counted link) and its ratings.
    const sponsor = await owner.post(`/api/organize/events/${eventId}/sponsors`, { name: "Acme", link: "https://acme.example/" });
    expect(sponsor.status).toBe(201);
    const sponsorId = sponsor.body.sponsor.id as string;
    const codeUrls = [
      `/api/events/${eventId}/sponsors`,
      `/api/sponsors/${sponsorId}/visit?placement=event_page`,
      `/api/events/${eventId}/ratings/summary`,
      `/api/events/${eventId}/ratings`,
    ];
    for (const url of codeUrls) {
      const opened = await fetch(server.url + withCode(url, "garden-gate"), { redirect: "manual" });
      expect([url, opened.status]).toEqual([url, url.includes("/visit") ? 302 : 200]);
      expect([url, (await fetch(server.url + url, { redirect: "manual" })).status]).toEqual([url, 404]);
    }
    const impressions = (code: string | null) =>
      fetch(`${server.url}/api/sponsors/impressions${code ? `?code=${code}` : ""}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: server.url },
        body: JSON.stringify({ sponsorIds: [sponsorId], placement: "event_page" }),
      });
    expect([(await impressions("garden-gate")).status, (await impressions(null)).status]).toEqual([202, 404]);

    // A draft stays closed to the code, as its page does.
    fixture.setEvent(eventId, { status: "draft" });
    expect((await image(null, withCode(coverUrl, "GARDEN-GATE"))).status).toBe(404);
    fixture.setEvent(eventId, { status: "approved" });

    // Wrong codes here count with the page's: past the limit even the right one waits.
    let status = 0;
    for (let guess = 0; guess <= MAX_WRONG_CODES && status !== 429; guess++) {
      status = (await image(null, withCode(coverUrl, `GUESS-${guess}`))).status;
      if (status !== 429) expect(status).toBe(404);
    }
    expect(status).toBe(429);
    expect((await image(null, withCode(coverUrl, "GARDEN-GATE"))).status).toBe(429);
    expect((await fetch(`${server.url}/api/discover/events/${slug}?code=GARDEN-GATE`)).status).toBe(429);
    // Those who need no code are not held up.
    expect((await image(owner, coverUrl)).status).toBe(200);
  });
});

describe("the confirmation mail", () => {
  it("carries the event's calendar as a text/calendar attachment that parses", async () => {
    const { eventId } = fixture.event("owner@example.org", "Calendar Conf");
    const session = fixture.session(eventId, "Opening keynote");
    const type = (await owner.post(`/api/events/${eventId}/ticket-types`, { name: "Community", price: 0, quantity: 10 })).body.ticketType;
    const placed = await invitee.request("POST", `/api/events/${eventId}/checkout`, {
      seats: [{ ticketTypeId: type.id, name: "Iris Invitee", email: "invitee@example.org", answers: {} }],
    }, { "idempotency-key": randomUUID() });
    expect(placed.status).toBe(201);

    const mail = await smtp.next("invitee@example.org", (m) => m.subject === "Your tickets: Calendar Conf", 15_000);
    const calendars = mail.raw.attachments.filter((a) => a.contentType === "text/calendar");
    expect(calendars).toHaveLength(1);
    expect(calendars[0].filename).toBe("event.ics");
    const vcalendar = new ICAL.Component(ICAL.parse(calendars[0].content.toString("utf8")));
    const events = vcalendar.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.uid).sort()).toEqual([`${eventId}@plenary`, `${session}@plenary`].sort());
    const main = events.find((e) => e.uid === `${eventId}@plenary`)!;
    expect(main.summary).toBe("Calendar Conf");
    const sql = new Database(path.join(server.dataDir, "plenary.sqlite"), { readonly: true });
    const { starts_at } = sql.prepare("select starts_at from events where id = ?").get(eventId) as { starts_at: string };
    // Calendars keep whole seconds.
    expect(main.startDate.toJSDate().getTime()).toBe(Math.floor(Date.parse(starts_at) / 1000) * 1000);

    // The outbox keeps the attachment with the message.
    const row = sql.prepare("select attachments from outbox where to_address = ? and subject = ?").get("invitee@example.org", "Your tickets: Calendar Conf") as { attachments: string };
    sql.close();
    expect(JSON.parse(row.attachments)).toMatchObject([{ filename: "event.ics", contentType: expect.stringMatching(/^text\/calendar/) }]);
  });
});
