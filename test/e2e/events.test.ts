/**
 * The organizer side of events through the real server: organization settings, event CRUD,
 * the agenda and speakers, the team and its invitations, every team role against what it may
 * do, visibility, the approval flow with its e-mails, cancellation and deletion with sales.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, verifiedUser } from "../support/accounts.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import * as seed from "../support/seed.ts";
import { linkToken, TestSmtpServer } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let admin: TestClient, owner: TestClient, orgAdmin: TestClient, coHost: TestClient, moderator: TestClient, staff: TestClient, outsider: TestClient;
let orgId = "";
let eventId = "";

const when = (days: number, hour = 9) => new Date(Date.UTC(2031, 4, 10 + days, hour)).toISOString();
const eventBody = (title: string) => ({ organizationId: orgId, title, timeZone: "Europe/Lisbon", startsAt: when(0), endsAt: when(1, 18) });
const db = () => new Database(path.join(server.dataDir, "plenary.sqlite"));

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  admin = await firstAdmin(server);
  [owner, orgAdmin, coHost, moderator, staff, outsider] = await Promise.all(
    ["owner", "orgadmin", "cohost", "moderator", "staff", "outsider"].map((name) => verifiedUser(server, smtp, `${name}@example.org`)),
  );
  const org = await owner.post("/api/organizations", { name: "Conf Co", slug: "conf-co" });
  orgId = org.body.organization.id;
  expect((await owner.post(`/api/organizations/${orgId}/invitations`, { email: "orgadmin@example.org", role: "admin" })).status).toBe(202);
  const joinMail = await smtp.next("orgadmin@example.org", (m) => m.subject === "Join Conf Co on Plenary");
  expect((await orgAdmin.post("/api/invitations/accept", { token: linkToken(joinMail) })).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

describe("organization settings", () => {
  it("keeps contact, currency and receipt details, a logo, and says when payouts cannot be connected", async () => {
    const patched = await orgAdmin.patch(`/api/organizations/${orgId}`, { contactEmail: "hello@conf.example", defaultCurrency: "USD", legalAddress: "1 Main St", vatId: "PT123" });
    expect(patched.status).toBe(200);
    expect((await orgAdmin.patch(`/api/organizations/${orgId}`, { defaultCurrency: "dollars" })).body.error.fields[0].path).toBe("defaultCurrency");
    const png = await sharp({ create: { width: 900, height: 300, channels: 3, background: "#3366ff" } }).png().toBuffer();
    const upload = await owner.request("PUT", `/api/organizations/${orgId}/logo`, undefined, { "content-type": "image/png" });
    expect(upload.status).toBe(415);
    const logo = await fetch(`${server.url}/api/organizations/${orgId}/logo`, {
      method: "PUT", body: png, headers: { "content-type": "image/png", cookie: owner.cookieHeader, origin: server.url },
    });
    expect(logo.status).toBe(200);
    const { logoUrl } = (await logo.json()) as { logoUrl: string };
    const image = await fetch(server.url + logoUrl);
    expect(image.headers.get("content-type")).toBe("image/webp");
    expect((await sharp(Buffer.from(await image.arrayBuffer())).metadata()).width).toBe(512);

    const read = await owner.get(`/api/organizations/${orgId}`);
    expect(read.body.organization).toMatchObject({ contactEmail: "hello@conf.example", defaultCurrency: "usd", legalAddress: "1 Main St", vatId: "PT123", logoUrl, payout: { connected: false, ready: false } });
    expect((await owner.post(`/api/organizations/${orgId}/payout/onboarding`)).body.error.code).toBe("payments_not_configured");
    expect((await outsider.post(`/api/organizations/${orgId}/payout/onboarding`)).status).toBe(404);
  });
});

describe("events", () => {
  it("creates an event in an organization with its creator as owner, validating zone, times and venue", async () => {
    expect((await outsider.post("/api/organize/events", eventBody("Nope"))).status).toBe(404);
    const bad = await owner.post("/api/organize/events", { ...eventBody("Bad"), timeZone: "Mars/Olympus", endsAt: when(-1) });
    expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toEqual(["timeZone"]);
    const backwards = await owner.post("/api/organize/events", { ...eventBody("Backwards"), endsAt: when(-1), venueType: "in_person" });
    expect(backwards.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(["endsAt", "venueAddress"]);

    const created = await owner.post("/api/organize/events", {
      ...eventBody("Rust Conf 2031!"),
      description: "# Welcome\n\nHello **world** <script>alert(1)</script> [x](javascript:alert(1)) [site](https://rust.example)",
      tags: ["Rust", "rust", "systems"],
      capacity: 500,
    });
    expect(created.status).toBe(201);
    const event = created.body.event;
    eventId = event.id;
    expect(event).toMatchObject({ slug: "rust-conf-2031", currency: "usd", status: "draft", visibility: "public", tags: ["rust", "systems"], timeZone: "Europe/Lisbon" });
    expect(event.descriptionHtml).toContain("<h2>Welcome</h2>");
    expect(event.descriptionHtml).toContain("<strong>world</strong>");
    expect(event.descriptionHtml).not.toMatch(/script|javascript/);
    expect(event.descriptionHtml).toContain('href="https://rust.example" rel="noopener noreferrer nofollow"');
    // The same title again gets the next free address.
    const again = await owner.post("/api/organize/events", eventBody("Rust Conf 2031"));
    expect(again.body.event.slug).toBe("rust-conf-2031-2");
    expect((await owner.patch(`/api/organize/events/${again.body.event.id}`, { slug: "rust-conf-2031" })).body.error.code).toBe("slug_taken");

    const detail = await owner.get(`/api/organize/events/${eventId}`);
    expect(detail.body.team).toEqual([expect.objectContaining({ email: "owner@example.org", role: "owner" })]);
    expect(detail.body.permissions).toMatchObject({ update: true, delete: true, cancel: true, manageTeam: true });
    expect((await owner.get("/api/organize/events")).body.events.map((e: { id: string }) => e.id)).toContain(eventId);
  });

  it("builds a team through e-mailed invitations that only the invited address can accept", async () => {
    for (const [email, role] of [["cohost@example.org", "co_host"], ["moderator@example.org", "moderator"], ["staff@example.org", "check_in_staff"]]) {
      expect((await owner.post(`/api/organize/events/${eventId}/team/invites`, { email, role })).status).toBe(202);
    }
    const mail = await smtp.next("cohost@example.org", (m) => m.subject.startsWith("Join the team"));
    expect((await outsider.post("/api/invitations/accept", { token: linkToken(mail) })).body.error.code).toBe("wrong_account");
    expect((await coHost.post("/api/invitations/accept", { token: linkToken(mail) })).body.accepted.role).toBe("co_host");
    expect((await coHost.post("/api/invitations/accept", { token: linkToken(mail) })).status).toBe(410);
    for (const [client, email] of [[moderator, "moderator@example.org"], [staff, "staff@example.org"]] as const) {
      const invite = await smtp.next(email, (m) => m.subject.startsWith("Join the team"));
      expect((await client.post("/api/invitations/accept", { token: linkToken(invite) })).status).toBe(200);
    }
    const team = (await owner.get(`/api/organize/events/${eventId}`)).body.team;
    expect(team.map((m: { role: string }) => m.role).sort()).toEqual(["check_in_staff", "co_host", "moderator", "owner"]);
    expect((await owner.post(`/api/organize/events/${eventId}/team/invites`, { email: "staff@example.org", role: "moderator" })).body.error.code).toBe("already_member");
  });

  it("lets each role do exactly what the permission matrix says", async () => {
    const callers = { owner, coHost, moderator, staff, orgAdmin, outsider };
    const status = async (client: TestClient, method: string, url: string, body?: unknown) => (await client.request(method, url, body)).status;
    const expectations: [string, string, unknown, Record<keyof typeof callers, number>][] = [
      ["GET", `/api/organize/events/${eventId}`, undefined, { owner: 200, coHost: 200, moderator: 200, staff: 200, orgAdmin: 200, outsider: 404 }],
      ["GET", `/api/organize/events/${eventId}/dashboard`, undefined, { owner: 200, coHost: 200, moderator: 200, staff: 200, orgAdmin: 200, outsider: 404 }],
      ["PATCH", `/api/organize/events/${eventId}`, { summary: "Two days of Rust" }, { owner: 200, coHost: 200, moderator: 403, staff: 403, orgAdmin: 200, outsider: 404 }],
      ["POST", `/api/organize/events/${eventId}/speakers`, { name: "Speaker" }, { owner: 201, coHost: 201, moderator: 403, staff: 403, orgAdmin: 201, outsider: 404 }],
      ["POST", `/api/organize/events/${eventId}/team/invites`, { email: "x@example.org", role: "moderator" }, { owner: 202, coHost: 202, moderator: 403, staff: 403, orgAdmin: 202, outsider: 404 }],
      // Cancelling takes the owner; nobody may cancel with a missing reason, so this stays a permission probe.
      ["POST", `/api/organize/events/${eventId}/cancel`, {}, { owner: 400, coHost: 403, moderator: 403, staff: 403, orgAdmin: 400, outsider: 404 }],
      ["DELETE", `/api/organize/events/${eventId}/team/00000000-0000-4000-8000-000000000000`, undefined, { owner: 404, coHost: 404, moderator: 403, staff: 403, orgAdmin: 404, outsider: 404 }],
    ];
    const mismatches: string[] = [];
    for (const [method, url, body, expected] of expectations) {
      for (const [name, client] of Object.entries(callers)) {
        const got = await status(client, method, url, body);
        if (got !== expected[name as keyof typeof callers]) mismatches.push(`${method} ${url} as ${name}: ${got}`);
      }
    }
    expect(mismatches).toEqual([]);
    // A co-host cannot touch owners; the owner cannot leave as the last owner.
    const team = (await owner.get(`/api/organize/events/${eventId}`)).body.team as { userId: string; role: string }[];
    const ownerId = team.find((m) => m.role === "owner")!.userId;
    const staffId = team.find((m) => m.role === "check_in_staff")!.userId;
    expect((await coHost.patch(`/api/organize/events/${eventId}/team/${ownerId}`, { role: "moderator" })).status).toBe(403);
    expect((await coHost.patch(`/api/organize/events/${eventId}/team/${staffId}`, { role: "owner" })).status).toBe(403);
    expect((await owner.delete(`/api/organize/events/${eventId}/team/${ownerId}`)).body.error.code).toBe("last_owner");
    expect((await coHost.patch(`/api/organize/events/${eventId}/team/${staffId}`, { role: "moderator" })).status).toBe(200);
    expect((await owner.patch(`/api/organize/events/${eventId}/team/${staffId}`, { role: "check_in_staff" })).status).toBe(200);
    // Staff may leave on their own.
    const extra = await owner.post("/api/organize/events", eventBody("Team leave test"));
    await owner.post(`/api/organize/events/${extra.body.event.id}/team/invites`, { email: "staff@example.org", role: "check_in_staff" });
    const invite = await smtp.next("staff@example.org", (m) => m.subject === "Join the team of Team leave test");
    expect((await staff.post("/api/invitations/accept", { token: linkToken(invite) })).status).toBe(200);
    expect((await staff.delete(`/api/organize/events/${extra.body.event.id}/team/${staffId}`)).status).toBe(204);
    expect((await staff.get(`/api/organize/events/${extra.body.event.id}`)).status).toBe(404);
  });

  it("keeps an agenda of sessions with speakers linked to accounts by accepted invitations", async () => {
    const linked = await owner.post(`/api/organize/events/${eventId}/speakers`, {
      name: "Grace", title: "Keynote", bio: "Compilers", links: [{ label: "Site", url: "https://grace.example" }], userEmail: "moderator@example.org",
    });
    expect(linked.status).toBe(201);
    // Invited, not linked, until the address's owner accepts; an address without an account gets the same answer.
    expect(linked.body.speaker).toMatchObject({ userId: null, userEmail: null, invitation: { email: "moderator@example.org", status: "invited" }, links: [{ label: "Site", url: "https://grace.example" }] });
    expect((await owner.post(`/api/organize/events/${eventId}/speakers`, { name: "Nobody", userEmail: "ghost@example.org" })).status).toBe(201);
    const speakerMail = await smtp.next("moderator@example.org", (m) => m.subject === "Speak at Rust Conf 2031!");
    expect((await moderator.post("/api/invitations/accept", { token: linkToken(speakerMail) })).status).toBe(200);
    expect((await owner.get(`/api/organize/events/${eventId}`)).body.speakers.find((s: { name: string }) => s.name === "Grace")).toMatchObject({ userEmail: "moderator@example.org", invitation: null });
    const photo = await sharp({ create: { width: 50, height: 80, channels: 3, background: "#aa0000" } }).jpeg().toBuffer();
    const photoUpload = await fetch(`${server.url}/api/organize/speakers/${linked.body.speaker.id}/photo`, {
      method: "PUT", body: photo, headers: { "content-type": "image/jpeg", cookie: owner.cookieHeader, origin: server.url },
    });
    const { speaker } = (await photoUpload.json()) as { speaker: { photoUrl: string } };
    const served = await fetch(server.url + speaker.photoUrl, { headers: { cookie: owner.cookieHeader } });
    expect((await sharp(Buffer.from(await served.arrayBuffer())).metadata()).height).toBe(400);
    // A draft's images are for its team only.
    expect((await fetch(server.url + speaker.photoUrl)).status).toBe(404);

    const session = await coHost.post(`/api/organize/events/${eventId}/sessions`, {
      title: "Opening keynote", startsAt: when(0, 9), endsAt: when(0, 10), track: "Main", capacity: 300, recording: true, lobbyMode: "knock",
      maxPeers: 50, maxPublishers: 4, speakerIds: [linked.body.speaker.id],
    });
    expect(session.status).toBe(201);
    expect(session.body.session).toMatchObject({ track: "Main", recording: true, liveRoom: true, lobbyMode: "knock", speakerIds: [linked.body.speaker.id], ticketTypeIds: [] });
    const sessionId = session.body.session.id;
    expect((await coHost.patch(`/api/organize/sessions/${sessionId}`, { endsAt: when(0, 8) })).body.error.fields[0].path).toBe("endsAt");
    expect((await coHost.patch(`/api/organize/sessions/${sessionId}`, { maxPublishers: 60 })).body.error.fields[0].path).toBe("maxPublishers");
    expect((await coHost.patch(`/api/organize/sessions/${sessionId}`, { speakerIds: ["00000000-0000-4000-8000-000000000000"] })).body.error.fields[0].path).toBe("speakerIds");
    expect((await moderator.patch(`/api/organize/sessions/${sessionId}`, { title: "Mine" })).status).toBe(403);
    // Which ticket types admit to it; a type's last session cannot be taken away (no sessions means all).
    const stored = db();
    const { id: vip } = seed.writeNow(stored, seed.ticketType({ eventId, name: "VIP", price: 5000, currency: "usd", quantity: 10 }));
    stored.close();
    expect((await coHost.patch(`/api/organize/sessions/${sessionId}`, { ticketTypeIds: [vip] })).body.session.ticketTypeIds).toEqual([vip]);
    expect((await coHost.patch(`/api/organize/sessions/${sessionId}`, { ticketTypeIds: [] })).body.error.fields[0].path).toBe("ticketTypeIds");
    const moved = await coHost.patch(`/api/organize/sessions/${sessionId}`, { startsAt: "2031-05-10T11:00:00+02:00", endsAt: "2031-05-10T12:00:00+02:00" });
    expect(moved.body.session.startsAt).toBe("2031-05-10T09:00:00.000Z");
    const other = await owner.post(`/api/organize/events/${eventId}/sessions`, { title: "Workshop", startsAt: when(1, 9), endsAt: when(1, 12), liveRoom: false });
    expect((await owner.delete(`/api/organize/sessions/${other.body.session.id}`)).status).toBe(204);
    const detail = (await staff.get(`/api/organize/events/${eventId}`)).body;
    expect(detail.sessions.map((s: { title: string }) => s.title)).toEqual(["Opening keynote"]);
    expect(detail.permissions).toMatchObject({ update: false, checkIn: true });
  });

  it("runs the approval flow with e-mails, and sends an approved event back to review when key fields change", async () => {
    expect((await owner.post(`/api/admin/events/${eventId}/review`, { decision: "approved" })).status).toBe(403);
    expect((await admin.post(`/api/admin/events/${eventId}/review`, { decision: "approved" })).body.error.code).toBe("not_submitted");
    expect((await owner.post(`/api/organize/events/${eventId}/submit`)).body.event.status).toBe("submitted");
    await smtp.next("admin@example.org", (m) => m.subject === "Review needed: Rust Conf 2031!");
    expect((await owner.post(`/api/organize/events/${eventId}/submit`)).body.error.code).toBe("not_submittable");
    const queue = await admin.get("/api/admin/events?status=submitted&q=rust");
    expect(queue.body.events.map((e: { id: string }) => e.id)).toEqual([eventId]);
    expect((await admin.get("/api/admin/events?status=approved")).body.events).toEqual([]);

    expect((await admin.post(`/api/admin/events/${eventId}/review`, { decision: "changes_requested" })).body.error.fields[0].path).toBe("comment");
    const asked = await admin.post(`/api/admin/events/${eventId}/review`, { decision: "changes_requested", comment: "Add a cover image" });
    expect(asked.body.event).toMatchObject({ status: "changes_requested", reviewComment: "Add a cover image" });
    const decisionMail = await smtp.next("owner@example.org", (m) => m.subject === "Rust Conf 2031!: changes requested");
    expect(decisionMail.text).toContain("Add a cover image");
    await smtp.next("cohost@example.org", (m) => m.subject === "Rust Conf 2031!: changes requested");

    await coHost.post(`/api/organize/events/${eventId}/submit`);
    expect((await admin.post(`/api/admin/events/${eventId}/review`, { decision: "approved" })).body.event.status).toBe("approved");
    await smtp.next("owner@example.org", (m) => m.subject === "Rust Conf 2031!: approved and published");

    // A summary is not a key field; the title is.
    expect((await owner.patch(`/api/organize/events/${eventId}`, { summary: "Now with more Rust" })).body.event.status).toBe("approved");
    const retitled = await owner.patch(`/api/organize/events/${eventId}`, { title: "RustConf 2031" });
    expect(retitled.body.event.status).toBe("submitted");
    await smtp.next("admin@example.org", (m) => m.subject === "Review needed: RustConf 2031" && m.text.includes("approved event changed"));
    const reviews = (await owner.get(`/api/organize/events/${eventId}`)).body.reviews.map((r: { decision: string }) => r.decision);
    expect(reviews).toEqual(["re_review", "approved", "submitted", "changes_requested", "submitted"]);
    expect((await admin.post(`/api/admin/events/${eventId}/review`, { decision: "approved" })).body.event.status).toBe("approved");
  });

  it("makes an event invite-only with invitees and a hashed access code", async () => {
    const changed = await owner.put(`/api/organize/events/${eventId}/visibility`, {
      visibility: "invite_only", invitees: ["A@Example.org", "b@example.org", "a@example.org"], accessCode: " vip-2031 ",
    });
    expect(changed.body.event).toMatchObject({ visibility: "invite_only", hasAccessCode: true, status: "submitted" });
    expect((await owner.get(`/api/organize/events/${eventId}`)).body.invitees).toEqual(["a@example.org", "b@example.org"]);
    const stored = db();
    const row = stored.prepare("select access_code_hash from events where id = ?").get(eventId) as { access_code_hash: string };
    stored.close();
    expect(row.access_code_hash).toBe(createHash("sha256").update("VIP-2031").digest("hex"));
    expect((await owner.put(`/api/organize/events/${eventId}/visibility`, { visibility: "invite_only", accessCode: null })).body.event.hasAccessCode).toBe(false);
    await admin.post(`/api/admin/events/${eventId}/review`, { decision: "approved" });
  });

  it("duplicates an event with its agenda and speakers as a new draft", async () => {
    expect((await coHost.post(`/api/organize/events/${eventId}/duplicate`)).status).toBe(403);
    const copy = await orgAdmin.post(`/api/organize/events/${eventId}/duplicate`);
    expect(copy.status).toBe(201);
    expect(copy.body.event).toMatchObject({ title: "RustConf 2031 (copy)", slug: "rust-conf-2031-copy", status: "draft", coverUrl: null });
    const detail = (await orgAdmin.get(`/api/organize/events/${copy.body.event.id}`)).body;
    expect(detail.sessions.map((s: { title: string }) => s.title)).toEqual(["Opening keynote"]);
    expect(detail.sessions[0].speakerIds).toEqual([detail.speakers.find((s: { name: string }) => s.name === "Grace").id]);
    // Ticket types come along unsold, still granting the copied session.
    expect(detail.ticketTypes.map((t: { name: string }) => t.name)).toEqual(["VIP"]);
    expect(detail.sessions[0].ticketTypeIds).toEqual([detail.ticketTypes[0].id]);
    expect(detail.team).toEqual([expect.objectContaining({ email: "orgadmin@example.org", role: "owner" })]);
    expect((await orgAdmin.delete(`/api/organize/events/${copy.body.event.id}`)).status).toBe(204);
  });

  it("refuses to delete an event with sales, cancels it instead, tells ticket holders and records who changed what", async () => {
    sellFreeTicket(eventId, "holder@example.org");
    expect((await coHost.delete(`/api/organize/events/${eventId}`)).status).toBe(403);
    expect((await owner.delete(`/api/organize/events/${eventId}`)).body.error.code).toBe("has_orders");
    const dashboard = (await staff.get(`/api/organize/events/${eventId}/dashboard`)).body;
    expect(dashboard).toMatchObject({ registrations: 1, checkIns: 1, sales: { orders: 1, gross: 0 }, currency: "usd", });
    expect(dashboard.ticketTypes).toEqual(expect.arrayContaining([expect.objectContaining({ name: "Free", sold: 1, quantity: 10 })]));
    expect(dashboard.activity.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(["event.session.create", "event.session.update", "event.team.join", "event.review", "event.visibility"]));
    const keynote = dashboard.activity.find((a: { action: string; after: { title?: string } | null }) => a.action === "event.session.create" && a.after?.title === "Opening keynote");
    expect(keynote.by).toBe("cohost");

    const cancelled = await owner.post(`/api/organize/events/${eventId}/cancel`, { reason: "The venue flooded" });
    expect(cancelled.body.event).toMatchObject({ status: "cancelled", cancelReason: "The venue flooded" });
    expect(cancelled.body.notified).toBe(1);
    // The revenue module cancelled the free order's ticket (paid ones would be refunded).
    expect(cancelled.body.refunds).toMatchObject({ cancelled: 1, failed: [] });
    const mail = await smtp.next("holder@example.org", (m) => m.subject === "Cancelled: RustConf 2031");
    expect(mail.text).toContain("The venue flooded");
    expect((await owner.patch(`/api/organize/events/${eventId}`, { title: "Back" })).body.error.code).toBe("event_cancelled");
    expect((await owner.post(`/api/organize/events/${eventId}/cancel`, { reason: "Twice" })).status).toBe(409);
  });
});

/** A completed free order with one ticket, checked in, written the way the checkout and check-in modules store them. */
function sellFreeTicket(event: string, email: string) {
  const now = new Date().toISOString();
  const stored = db();
  stored.exec("pragma foreign_keys = on");
  stored.transaction(() => {
    const type = seed.writeNow(stored, seed.ticketType({ eventId: event, name: "Free", currency: "usd", quantity: 10 }));
    const [ticket] = seed.writeNow(stored, seed.order({ eventId: event, buyerName: "Holder", buyerEmail: email, currency: "usd", seats: [{ ticketTypeId: type.id, holderName: "Holder", holderEmail: email }] })).tickets;
    // Scanned at two doors: one attendee checked in.
    stored.prepare("insert into checkin_lists (id, event_id, name, created_at, updated_at) values ('l1', ?, 'Main', ?, ?), ('l2', ?, 'Workshop', ?, ?)").run(event, now, now, event, now, now);
    stored.prepare("insert into checkins (id, list_id, ticket_id, nonce, source, scanned_at, synced_at) values ('c1', 'l1', ?, 'n1', 'scan', ?, ?), ('c2', 'l2', ?, 'n2', 'manual', ?, ?)").run(ticket.id, now, now, ticket.id, now, now);
  })();
  stored.close();
}
