/**
 * Notifications against the real server and a real SMTP server: reminders planned,
 * re-planned when a session moves, and sent exactly once across a restart (and when a
 * runner dies after sending); announcements reaching the inbox (live) and e-mail, for a
 * whole event or one session; the unsubscribe link without logging in; the jobs admin API.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { TestClient } from "../support/http-client.ts";
import * as seed from "../support/seed.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";
import type { TestSocket } from "../support/ws-client.ts";
import { type EventWorld, eventWorld, giveTicket, ok, openDb, type Person, person, socketOf, until } from "./chat-support.ts";

const dataDir = mkdtempSync(path.join(tmpdir(), "plenary-notify-"));
let smtp: TestSmtpServer;
let server: TestServer;
let db: Kysely<DB>;
let owner: Person, alice: Person, bob: Person, admin: Person;
const guest = { email: "guest@example.org", name: "Gina Guest" };
const sockets: TestSocket[] = [];
const env = () => ({ ...smtp.env, PLENARY_JOBS_POLL_INTERVAL_MS: "100" });

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ dataDir, env: env() });
  db = openDb(server);
  [owner, alice, bob] = await Promise.all(["Owner", "Alice", "Bob"].map((name) => person(server, db, name)));
  admin = await person(server, db, "Admin", "admin");
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await db?.destroy();
  await server?.stop();
  await smtp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const reminderJobs = (sessionId: string) =>
  db.selectFrom("jobs").select(["key", "run_at", "status"]).where("key", "like", `reminder:${sessionId}:%`).orderBy("key").execute();

/** Restarts the server on the same data folder; the people's cookies follow to its new address. */
async function restart() {
  await db.destroy();
  await server.stop();
  server = await startServer({ dataDir, env: env() });
  db = openDb(server);
  for (const who of [owner, alice, bob, admin]) {
    const moved = new TestClient(server.url);
    for (const [name, value] of who.http.cookies) moved.cookies.set(name, value);
    who.http = moved;
  }
}

describe("reminders", () => {
  it("plans one per attendee and offset, and re-plans them when the session moves", async () => {
    const start = new Date(Date.now() + 2 * 86_400_000);
    const world = await eventWorld(db, owner, { sessions: [start] });
    await giveTicket(db, world, alice);
    const [sessionId] = world.sessionIds;
    expect((await alice.http.post(`/api/events/${world.eventId}/reminders/plan`)).status).toBe(404);
    const plan = await owner.http.post(`/api/events/${world.eventId}/reminders/plan`);
    expect(plan.status).toBe(200);
    expect(plan.body.planned).toBe(2);
    const expected = (at: Date) => [1_440, 60].map((m) => new Date(at.getTime() - m * 60_000).toISOString());
    expect((await reminderJobs(sessionId)).map((j) => j.run_at).sort()).toEqual(expected(start).sort());

    const moved = new Date(start.getTime() + 86_400_000);
    await db.updateTable("event_sessions").set({ starts_at: moved.toISOString() }).where("id", "=", sessionId).execute();
    await owner.http.post(`/api/events/${world.eventId}/reminders/plan`);
    const jobs = await reminderJobs(sessionId);
    expect(jobs).toHaveLength(2);
    expect(jobs.map((j) => j.run_at).sort()).toEqual(expected(moved).sort());

    // A refunded ticket takes its reminders with it.
    await db.updateTable("tickets").set({ status: "refunded" }).where("user_id", "=", alice.id).where("event_id", "=", world.eventId).execute();
    expect((await owner.http.post(`/api/events/${world.eventId}/reminders/plan`)).body.cancelled).toBe(2);
    expect(await reminderJobs(sessionId)).toEqual([]);
  });

  // Two restarts: on a loaded machine each server start can take tens of seconds.
  it("sends a reminder exactly once across a restart, and not again when its runner died after sending", { timeout: 240_000 }, async () => {
    // The reminder falls due 4 s from now, while the server is down.
    const start = new Date(Date.now() + 64_000);
    const world = await eventWorld(db, owner, { sessions: [start], reminderOffsets: [1], title: "Remind Fest" });
    await giveTicket(db, world, bob);
    const [sessionId] = world.sessionIds;
    expect((await owner.http.post(`/api/events/${world.eventId}/reminders/plan`)).body.planned).toBe(1);
    await db.destroy();
    await server.stop();
    await new Promise((r) => setTimeout(r, Math.max(0, start.getTime() - 60_000 - Date.now()) + 500));
    server = await startServer({ dataDir, env: env() });
    db = openDb(server);

    const mail = await smtp.next(bob.email, (m) => m.subject.startsWith("Remind Fest:"), 15_000);
    expect(mail.subject).toBe("Remind Fest: Session 1 starts in a minute");
    expect(mail.text).toContain("Join the session");
    expect(mail.text).toMatch(/Stop these e-mails: http:\/\/\S+\/unsubscribe\?token=/);
    const [job] = await until(async () => {
      const rows = await reminderJobs(sessionId);
      return rows[0]?.status === "done" && rows;
    });

    // As if the runner had died after sending but before recording it: the job runs again.
    await db.updateTable("jobs").set({ status: "queued", run_at: new Date().toISOString(), finished_at: null }).where("key", "=", job.key).execute();
    await restart();
    await until(async () => (await reminderJobs(sessionId))[0]?.status === "done");
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.to(bob.email).filter((m) => m.subject.startsWith("Remind Fest:"))).toHaveLength(1);
    const rows = await db.selectFrom("notifications").select("id").where("user_id", "=", bob.id).where("kind", "=", "event_reminder").execute();
    expect(rows).toHaveLength(1);
  });
});

describe("schedule changes", () => {
  it("tell the session's attendees once per move, in the inbox and by e-mail, and move the reminders", async () => {
    const start = new Date(Date.now() + 3 * 86_400_000);
    const world = await eventWorld(db, owner, { sessions: [start], title: "Move Expo" });
    await giveTicket(db, world, alice);
    await giveTicket(db, world, guest);
    const [sessionId] = world.sessionIds;
    // Planning records the times people know; a later move is told against them.
    await owner.http.post(`/api/events/${world.eventId}/reminders/plan`);
    expect((await owner.http.patch(`/api/organize/sessions/${sessionId}`, { title: "Keynote" })).status).toBe(200);
    const moved = new Date(start.getTime() + 2 * 3_600_000);
    const patch = { startsAt: moved.toISOString(), endsAt: new Date(moved.getTime() + 3_600_000).toISOString() };
    expect((await owner.http.patch(`/api/organize/sessions/${sessionId}`, patch)).status).toBe(200);

    const mail = await smtp.next(alice.email, (m) => m.subject === "Move Expo: Keynote has moved", 10_000);
    expect(mail.text).toContain("now starts");
    await smtp.next(guest.email, (m) => m.subject === "Move Expo: Keynote has moved", 10_000);
    expect((await alice.http.get("/api/notifications")).body.notifications[0]).toMatchObject({ kind: "event_update", title: "Keynote has moved" });
    expect((await reminderJobs(sessionId)).map((j) => j.run_at).sort()).toEqual(
      [1_440, 60].map((m) => new Date(moved.getTime() - m * 60_000).toISOString()).sort(),
    );
    // Saving the same times again tells nobody anything new.
    await owner.http.patch(`/api/organize/sessions/${sessionId}`, patch);
    await owner.http.patch(`/api/organize/sessions/${sessionId}`, { title: "Keynote" });
    await until(async () => (await db.selectFrom("jobs").select("status").where("key", "like", `schedule:${sessionId}:%`).execute()).every((j) => j.status === "done"));
    expect(smtp.to(alice.email).filter((m) => m.subject === "Move Expo: Keynote has moved")).toHaveLength(1);
  });
});

describe("announcements", () => {
  let world: EventWorld;

  beforeAll(async () => {
    world = await eventWorld(db, owner, { title: "Announce Con", sessions: [new Date(Date.now() + 86_400_000), new Date(Date.now() + 2 * 86_400_000)] });
    await giveTicket(db, world, alice);
    await giveTicket(db, world, guest);
    const dayTwo = await seed.write(db, seed.ticketType({ eventId: world.eventId, name: "Day 2", quantity: 5, sessionIds: [world.sessionIds[1]] }));
    await giveTicket(db, world, bob, dayTwo.id);
  });

  it("reaches ticket holders in the inbox, live, and by e-mail, with an unsubscribe link", async () => {
    const socket = await socketOf(server, alice);
    sockets.push(socket);
    const { unread } = await ok(socket, "notify.subscribe");
    expect((await alice.http.post(`/api/events/${world.eventId}/announcements`, { subject: "Room change", body: "We moved to room B." })).status).toBe(404);
    const posted = await owner.http.post(`/api/events/${world.eventId}/announcements`, { subject: "Room change", body: "We moved to room B." });
    expect(posted.status).toBe(202);

    const push = await socket.next((f) => f.t === "notify.new", 10_000);
    expect(push).toMatchObject({ notification: { kind: "announcement", title: "Room change" }, unread: unread + 1 });
    const mail = await smtp.next(alice.email, (m) => m.subject === "Announce Con: Room change", 10_000);
    expect(mail.text).toContain("We moved to room B.");
    expect(mail.html).toContain("Stop these e-mails");
    const guestMail = await smtp.next(guest.email, (m) => m.subject === "Announce Con: Room change", 10_000);
    expect(guestMail.text).not.toContain("unsubscribe");
    const bobMail = await smtp.next(bob.email, (m) => m.subject === "Announce Con: Room change", 10_000);
    expect(bobMail.text).toContain("Hello Bob");

    const inbox = await alice.http.get("/api/notifications");
    expect(inbox.body.notifications[0]).toMatchObject({ kind: "announcement", title: "Room change", readAt: null });
    const read = await alice.http.post("/api/notifications/read", { ids: [inbox.body.notifications[0].id] });
    expect(read.body.unread).toBe(inbox.body.unread - 1);
    const listed = await owner.http.get(`/api/events/${world.eventId}/announcements`);
    expect(listed.body.announcements[0]).toMatchObject({ subject: "Room change", recipients: 3 });
  });

  it("goes only to one session's attendees when it names the session", async () => {
    const posted = await owner.http.post(`/api/events/${world.eventId}/announcements`, {
      subject: "Day 1 starts late", body: "Coffee first.", sessionId: world.sessionIds[0],
    });
    expect(posted.status).toBe(202);
    await smtp.next(alice.email, (m) => m.subject === "Announce Con: Day 1 starts late", 10_000);
    await smtp.next(guest.email, (m) => m.subject === "Announce Con: Day 1 starts late", 10_000);
    const id = posted.body.announcement.id;
    await until(async () => (await db.selectFrom("jobs").select("status").where("key", "=", `announcement:${id}`).executeTakeFirst())?.status === "done");
    const reached = await db.selectFrom("announcement_deliveries").select(["address", "user_id"]).where("announcement_id", "=", id).orderBy("address").execute();
    expect(reached).toEqual([{ address: alice.email, user_id: alice.id }, { address: guest.email, user_id: null }].sort((x, y) => (x.address < y.address ? -1 : 1)));
  });

  it("mails each address once when its job fails part-way and runs again", async () => {
    const fest = await eventWorld(db, owner, { title: "Retry Fest" });
    // Addresses sort as aaron, guest-b, guest-y, mia, zoe: the job walks them in that order.
    const [aaron, mia, zoe] = await Promise.all(["Aaron", "Mia", "Zoe"].map((name) => person(server, db, name)));
    const guests = [{ email: "guest-b@example.org", name: "Guest B" }, { email: "guest-y@example.org", name: "Guest Y" }];
    for (const holder of [aaron, mia, zoe, ...guests]) await giveTicket(db, fest, holder);
    // Mia's row makes delivery throw (her preferences are not JSON): the job fails after three recipients.
    await db.updateTable("users").set({ notification_prefs: "{broken" }).where("id", "=", mia.id).execute();

    const posted = await owner.http.post(`/api/events/${fest.eventId}/announcements`, { subject: "Venue change", body: "Hall 2." });
    const key = `announcement:${posted.body.announcement.id}`;
    const failed = await until(async () => {
      const job = await db.selectFrom("jobs").select(["status", "attempts", "last_error"]).where("key", "=", key).executeTakeFirst();
      return job?.status === "queued" && job.attempts === 1 && job;
    });
    expect(failed.last_error).toMatch(/JSON/);
    const firstAttempt = await db.selectFrom("announcement_deliveries").select("address").where("announcement_id", "=", posted.body.announcement.id).orderBy("address").execute();
    expect(firstAttempt.map((d) => d.address)).toEqual([aaron.email, ...guests.map((g) => g.email)].map((e) => e.toLowerCase()));

    await db.updateTable("users").set({ notification_prefs: "{}" }).where("id", "=", mia.id).execute();
    await db.updateTable("jobs").set({ run_at: new Date().toISOString() }).where("key", "=", key).execute();
    await until(async () => (await db.selectFrom("jobs").select("status").where("key", "=", key).executeTakeFirst())?.status === "done");
    const addresses = [aaron.email, mia.email, zoe.email, ...guests.map((g) => g.email)];
    // Every outbox row of the announcement handed to SMTP; the SMTP server saw each address once.
    await until(async () => {
      const rows = await db.selectFrom("outbox").select("status").where("subject", "=", "Retry Fest: Venue change").execute();
      return rows.length === addresses.length && rows.every((r) => r.status === "sent");
    });
    for (const address of addresses) expect(smtp.to(address).filter((m) => m.subject === "Retry Fest: Venue change"), address).toHaveLength(1);
    expect(await db.selectFrom("notifications").select("user_id").where("title", "=", "Venue change").execute()).toHaveLength(3);
  });

  it("unsubscribes by the link without logging in, and respects it", async () => {
    const mail = smtp.to(alice.email).find((m) => m.subject === "Announce Con: Room change")!;
    const token = /unsubscribe\?token=([\w.-]+)/.exec(mail.text)![1];
    const stranger = new TestClient(server.url, { origin: null });
    expect((await stranger.post("/api/notifications/unsubscribe", { token: token.slice(0, -2) + "xx" })).status).toBe(400);
    const done = await stranger.post("/api/notifications/unsubscribe", { token });
    expect(done.body).toEqual({ kind: "announcement", email: false });

    const posted = await owner.http.post(`/api/events/${world.eventId}/announcements`, { subject: "Last call", body: "Doors close soon." });
    const id = posted.body.announcement.id;
    await smtp.next(guest.email, (m) => m.subject === "Announce Con: Last call", 10_000);
    await until(async () => (await db.selectFrom("jobs").select("status").where("key", "=", `announcement:${id}`).executeTakeFirst())?.status === "done");
    expect(smtp.to(alice.email).filter((m) => m.subject === "Announce Con: Last call")).toEqual([]);
    // Still in the inbox: only e-mail was turned off.
    expect((await alice.http.get("/api/notifications")).body.notifications[0].title).toBe("Last call");
  });
});

describe("the jobs admin API", () => {
  it("lists jobs by status and retries a dead one", async () => {
    expect((await alice.http.get("/api/admin/jobs")).status).toBe(403);
    const done = await admin.http.get("/api/admin/jobs?status=done");
    expect(done.status).toBe(200);
    expect(done.body.counts.done).toBeGreaterThan(0);
    expect(done.body.jobs.every((j: { status: string }) => j.status === "done")).toBe(true);

    const late = await eventWorld(db, owner, { title: "Late Show" });
    await giveTicket(db, late, { email: "late@example.org", name: "Late" });
    const announcementId = randomUUID();
    const now = new Date().toISOString();
    await db.insertInto("announcements").values({ id: announcementId, event_id: late.eventId, session_id: null, author_id: owner.id, subject: "Doors", body: "Open.", created_at: now }).execute();
    const id = randomUUID();
    await db.insertInto("jobs").values({
      id, kind: "notification.announcement", key: `announcement:${announcementId}`, status: "dead", run_at: now,
      payload: JSON.stringify({ announcementId }),
      attempts: 5, max_attempts: 5, last_error: "smtp down", locked_by: null, locked_until: null, created_at: now, updated_at: now, finished_at: now,
    }).execute();
    const dead = await admin.http.get("/api/admin/jobs?status=dead");
    expect(dead.body.jobs.map((j: { id: string }) => j.id)).toContain(id);
    expect((await admin.http.post(`/api/admin/jobs/${id}/retry`)).body).toEqual({ id, status: "queued" });
    await smtp.next("late@example.org", () => true, 10_000);
    expect((await admin.http.post(`/api/admin/jobs/${id}/retry`)).status).toBe(409);
  });
});
