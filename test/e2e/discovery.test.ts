/**
 * Discovery over HTTP against the real server and its SQLite file: which events are listed,
 * full-text search, filters, pagination, and who may open an event page (drafts, unlisted,
 * invite-only by invitation or access code, hidden ticket types).
 */
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../server/accounts/sessions.ts";
import { createUser } from "../../server/accounts/users.ts";
import { MAX_WRONG_CODES } from "../../server/discovery/access-codes.ts";
import type { DB } from "../../server/db/schema.ts";
import { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { inDays, openServerDb, seedEvent, seedOrganization } from "./discovery-seed.ts";

let server: TestServer;
let db: Kysely<DB>;
let anonymous: TestClient;
let orgId: string;

const slugsOf = (body: { events: { slug: string }[] }) => body.events.map((e) => e.slug);

async function signedIn(email: string, options: { verified: boolean; orgRole?: "member" } = { verified: true }): Promise<TestClient> {
  const user = await createUser(db, { email, displayName: email.split("@")[0], password: "a long test password" }, "user", { emailVerified: options.verified });
  if (options.orgRole) {
    await db.insertInto("organization_members").values({ organization_id: orgId, user_id: user.id, role: options.orgRole, created_at: new Date().toISOString() }).execute();
  }
  const session = await createSession(db, user.id, { userAgent: "test", ip: "127.0.0.1" }, 1);
  const client = new TestClient(server.url);
  client.cookies.set("plenary_session", session.token);
  return client;
}

beforeAll(async () => {
  server = await startServer();
  db = openServerDb(server.dataDir);
  anonymous = new TestClient(server.url);
  orgId = await seedOrganization(db);
  const other = await seedOrganization(db, "Zeta Guild", "zeta");
  const base = { ticketTypes: [{ name: "General", price: 0 }] };
  await seedEvent(db, orgId, { ...base, slug: "webrtc-summit", title: "WebRTC Summit", summary: "Real-time media for the web", tags: ["webrtc", "video"], category: "Technology", startsAt: inDays(10) });
  await seedEvent(db, orgId, {
    slug: "cafe-culture", title: "Café culture evening", description: "A tasting of espresso from small roasters", category: "Food", language: "fr",
    startsAt: inDays(3), ticketTypes: [{ name: "Seat", price: 1_500 }],
  });
  await seedEvent(db, other, {
    slug: "open-source-day", title: "Open source day", summary: "Maintainers talk about sustainability", tags: ["community"], category: "Technology",
    startsAt: inDays(20), ticketTypes: [{ name: "Free", price: 0 }, { name: "Supporter", price: 3_000 }],
  });
  // Running now: started yesterday, ends tomorrow; still listed.
  await seedEvent(db, orgId, { ...base, slug: "running-now", title: "Marathon hackathon", startsAt: inDays(-1), endsAt: inDays(1) });
  // Never listed.
  for (const status of ["draft", "submitted", "changes_requested", "rejected", "cancelled"] as const) {
    await seedEvent(db, orgId, { ...base, slug: `webrtc-${status}`, title: `WebRTC ${status}`, status, startsAt: inDays(5) });
  }
  await seedEvent(db, orgId, { ...base, slug: "webrtc-past", title: "WebRTC past", startsAt: inDays(-10) });
  await seedEvent(db, orgId, { ...base, slug: "webrtc-unlisted", title: "WebRTC unlisted", visibility: "unlisted", startsAt: inDays(5) });
  await seedEvent(db, orgId, {
    slug: "webrtc-secret", title: "WebRTC secret", visibility: "invite_only", accessCode: "OPEN-SESAME", startsAt: inDays(5),
    ticketTypes: [{ name: "Invitee", price: 0 }],
  });
  await db.insertInto("event_invitees").values({ event_id: (await db.selectFrom("events").select("id").where("slug", "=", "webrtc-secret").executeTakeFirstOrThrow()).id, email: "guest@example.org", created_at: new Date().toISOString() }).execute();
});

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

describe("the public event list", () => {
  it("lists only approved public events that have not ended, soonest first", async () => {
    const res = await anonymous.get("/api/discover/events");
    expect(res.status).toBe(200);
    expect(slugsOf(res.body)).toEqual(["running-now", "cafe-culture", "webrtc-summit", "open-source-day"]);
    expect(res.body).toMatchObject({ total: 4, page: 1, pages: 1 });
    expect(res.body.facets).toEqual({ categories: ["Food", "Technology"], languages: ["en", "fr"] });
    const summit = res.body.events.find((e: { slug: string }) => e.slug === "webrtc-summit");
    expect(summit).toMatchObject({ title: "WebRTC Summit", tags: ["webrtc", "video"], organization: { name: "Acme Events", slug: "acme" }, priceRange: { min: 0, max: 0, currency: "eur" } });
  });

  it("searches titles, descriptions and tags, with prefixes and without accents", async () => {
    const search = async (q: string) => slugsOf((await anonymous.get(`/api/discover/events?q=${encodeURIComponent(q)}`)).body);
    expect(await search("webrtc")).toEqual(["webrtc-summit"]);
    expect(await search("espresso")).toEqual(["cafe-culture"]);
    expect(await search("cafe")).toEqual(["cafe-culture"]);
    expect(await search("communit")).toEqual(["open-source-day"]);
    expect(await search("sustainability maintainers")).toEqual(["open-source-day"]);
    expect(await search("video media")).toEqual(["webrtc-summit"]);
    expect(await search("nothing-like-this")).toEqual([]);
  });

  it("treats FTS syntax in the query as plain words", async () => {
    for (const q of ['"unbalanced', "title: OR AND (", "NEAR(a b", "*", "-webrtc", "^summit"]) {
      const res = await anonymous.get(`/api/discover/events?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
    }
    expect(slugsOf((await anonymous.get(`/api/discover/events?q=${encodeURIComponent("^summit")}`)).body)).toEqual(["webrtc-summit"]);
    expect((await anonymous.get("/api/discover/events?q=%2A")).body.total).toBe(0);
  });

  it("filters by category, language, free or paid, and dates", async () => {
    const list = async (query: string) => slugsOf((await anonymous.get(`/api/discover/events?${query}`)).body);
    expect(await list("category=technology")).toEqual(["webrtc-summit", "open-source-day"]);
    expect(await list("language=fr")).toEqual(["cafe-culture"]);
    expect(await list("price=paid")).toEqual(["cafe-culture"]);
    expect(await list("price=free")).toEqual(["running-now", "webrtc-summit", "open-source-day"]);
    expect(await list(`from=${inDays(8).slice(0, 10)}`)).toEqual(["webrtc-summit", "open-source-day"]);
    expect(await list(`to=${inDays(4).slice(0, 10)}`)).toEqual(["running-now", "cafe-culture"]);
    expect(await list(`from=${inDays(8).slice(0, 10)}&to=${inDays(12).slice(0, 10)}&q=summit`)).toEqual(["webrtc-summit"]);
  });

  it("rejects filters it cannot read", async () => {
    for (const query of ["price=cheap", "from=yesterday", "pageSize=500", "page=0"]) {
      const res = await anonymous.get(`/api/discover/events?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
  });

  it("pages through many events without repeating or skipping one", async () => {
    const many = await seedOrganization(db, "Bulk", "bulk");
    for (let i = 0; i < 23; i++) {
      await seedEvent(db, many, { slug: `meetup-${i}`, title: `Monthly meetup ${i}`, category: "Meetups", startsAt: inDays(30 + i) });
    }
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await anonymous.get(`/api/discover/events?category=meetups&pageSize=10&page=${page}`);
      expect(res.body).toMatchObject({ total: 23, pages: 3, page, pageSize: 10 });
      expect(res.body.events).toHaveLength(page < 3 ? 10 : 3);
      seen.push(...slugsOf(res.body));
    }
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `meetup-${i}`));
    expect((await anonymous.get("/api/discover/events?category=meetups&pageSize=10&page=4")).body.events).toEqual([]);
  });
});

describe("an event page", () => {
  it("shows a public event's schedule, speakers, tickets and organizer to anyone", async () => {
    await seedEvent(db, orgId, {
      slug: "full-program", title: "Full program", startsAt: inDays(7), timeZone: "America/New_York",
      sessions: [
        { title: "Second talk", startsAt: inDays(7.1), endsAt: inDays(7.15), speakers: ["Bo"] },
        { title: "Opening", startsAt: inDays(7), endsAt: inDays(7.05), speakers: ["Ana", "Bo"] },
      ],
      ticketTypes: [
        { name: "Standard", price: 2_000, quantity: 10, sold: 4 },
        { name: "Gone", price: 1_000, quantity: 5, sold: 5 },
        { name: "Later", price: 500, saleStartsAt: inDays(2) },
        { name: "Staff", price: 0, hidden: true, accessCode: "STAFF-ONLY" },
      ],
    });
    const res = await anonymous.get("/api/discover/events/full-program");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    const event = res.body.event;
    expect(event).toMatchObject({ title: "Full program", timeZone: "America/New_York", preview: false, organization: { name: "Acme Events", contactEmail: "hello@acme.example" } });
    expect(event.sessions.map((s: { title: string }) => s.title)).toEqual(["Opening", "Second talk"]);
    const names = new Map(event.speakers.map((s: { id: string; name: string }) => [s.id, s.name]));
    expect(event.sessions[0].speakerIds.map((id: string) => names.get(id)).sort()).toEqual(["Ana", "Bo"]);
    expect(event.ticketTypes.map((t: { name: string; state: string; remaining: number }) => [t.name, t.state, t.remaining])).toEqual([
      ["Standard", "on_sale", 6],
      ["Gone", "sold_out", 0],
      ["Later", "not_started", 100],
    ]);
    // A hidden type appears with its own code (or the event's), and only then.
    const unlocked = await anonymous.get("/api/discover/events/full-program?code=STAFF-ONLY");
    expect(unlocked.body.event.ticketTypes.map((t: { name: string }) => t.name)).toContain("Staff");
    const wrong = await anonymous.get("/api/discover/events/full-program?code=GUESS");
    expect(wrong.body.event.ticketTypes.map((t: { name: string }) => t.name)).not.toContain("Staff");
  });

  it("hides drafts and other unpublished states from everyone but the organizers", async () => {
    const member = await signedIn("member@example.org", { verified: true, orgRole: "member" });
    const stranger = await signedIn("stranger@example.org", { verified: true });
    for (const status of ["draft", "submitted", "changes_requested", "rejected"]) {
      expect((await anonymous.get(`/api/discover/events/webrtc-${status}`)).status, status).toBe(404);
      expect((await stranger.get(`/api/discover/events/webrtc-${status}`)).status, status).toBe(404);
      const preview = await member.get(`/api/discover/events/webrtc-${status}`);
      expect(preview.status, status).toBe(200);
      expect(preview.body.event).toMatchObject({ preview: true, status });
      expect(preview.body.event.ticketTypes.every((t: { state: string }) => t.state === "unavailable")).toBe(true);
    }
    // A cancelled event stays readable, so ticket holders learn what happened; nothing is on sale.
    const cancelled = await anonymous.get("/api/discover/events/webrtc-cancelled");
    expect(cancelled.body.event).toMatchObject({ status: "cancelled", preview: false });
    expect(cancelled.body.event.ticketTypes[0].state).toBe("unavailable");
    // Same answer as for a slug nobody uses.
    expect((await anonymous.get("/api/discover/events/webrtc-draft")).body.error.code).toBe("not_found");
    expect((await anonymous.get("/api/discover/events/no-such-event")).status).toBe(404);
  });

  it("opens an unlisted event by its link only", async () => {
    expect((await anonymous.get("/api/discover/events/webrtc-unlisted")).status).toBe(200);
    expect(slugsOf((await anonymous.get("/api/discover/events?q=unlisted")).body)).toEqual([]);
  });

  it("shows an invite-only event to invitees with a verified address and to holders of its code", async () => {
    expect((await anonymous.get("/api/discover/events/webrtc-secret")).status).toBe(404);
    expect((await anonymous.get("/api/discover/events/webrtc-secret?code=OPEN-SESAMY")).status).toBe(404);
    // Codes are read the way the organizer side stores them: trimmed, in any case.
    expect((await anonymous.get("/api/discover/events/webrtc-secret?code=%20open-sesame%20")).status).toBe(200);
    const withCode = await anonymous.get("/api/discover/events/webrtc-secret?code=OPEN-SESAME");
    expect(withCode.status).toBe(200);
    expect(withCode.body.event).toMatchObject({ visibility: "invite_only", preview: false });

    expect((await (await signedIn("guest@example.org")).get("/api/discover/events/webrtc-secret")).status).toBe(200);
    expect((await (await signedIn("not-invited@example.org")).get("/api/discover/events/webrtc-secret")).status).toBe(404);
    // An address nobody has proven is not an invitation.
    const unverified = await signedIn("unproven@example.org", { verified: false });
    await db.insertInto("event_invitees").values({ event_id: withCode.body.event.id, email: "unproven@example.org", created_at: new Date().toISOString() }).execute();
    expect((await unverified.get("/api/discover/events/webrtc-secret")).status).toBe(404);
    expect(slugsOf((await anonymous.get("/api/discover/events?q=secret")).body)).toEqual([]);
  });
});

describe("access codes", () => {
  it("says whether a code opened anything, and pauses an address that keeps guessing", async () => {
    expect((await anonymous.get("/api/discover/events/webrtc-secret?code=OPEN-SESAME")).body.event.accessCode).toBe("accepted");
    expect((await anonymous.get("/api/discover/events/webrtc-summit")).body.event.accessCode).toBe("none");
    let status = 0;
    for (let guess = 0; guess <= MAX_WRONG_CODES && status !== 429; guess++) {
      const res = await anonymous.get(`/api/discover/events/webrtc-secret?code=GUESS-${guess}`);
      status = res.status;
      if (status !== 429) expect(res.status).toBe(404);
    }
    expect(status).toBe(429);
    // Paused: even the right code is refused for now; pages without a code still open.
    const right = await anonymous.get("/api/discover/events/webrtc-secret?code=OPEN-SESAME");
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe("rate_limited");
    expect((await anonymous.get("/api/discover/events/webrtc-summit")).status).toBe(200);
  });
});
