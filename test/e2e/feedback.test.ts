/**
 * Feedback over HTTP against the real server: only attendees rate (ticket holders for the
 * event and organizer; for a session and its speakers, those who entered its live room, or
 * were checked in at the door for a session held in person), one rating each per
 * target, editable for 14 days; averages, counts and the NPS-style summary computed right;
 * hidden comments shown nowhere; organizer replies, testimonials, survey and CSV; and
 * invitations to rate sent once through the notifier (in-app row and outbox mail), and
 * re-planned when the agenda moves a session's end.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { TestClient } from "../support/http-client.ts";
import * as seed from "../support/seed.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { type EventWorld, eventWorld, giveTicket, openDb, type Person, person, until } from "./chat-support.ts";

let server: TestServer;
let db: Kysely<DB>;
let owner: Person;
let admin: Person;
let alice: Person; // ticket for everything
let bob: Person; // ticket for everything
let carol: Person; // ticket for everything
let dave: Person; // ticket for session 2 only
let outsider: Person; // no ticket
let erin: Person; // ticket for everything, never entered session 1's room
let frank: Person; // ticket for everything, checked in at the door (session 3 is in person)
let world: EventWorld;
let speakerId: string;
const HOUR = 3_600_000;

beforeAll(async () => {
  server = await startServer();
  db = openDb(server);
  [owner, admin, alice, bob, carol, dave, outsider, erin, frank] = await Promise.all([
    person(server, db, "Olga Owner"), person(server, db, "Adam Admin", "admin"), person(server, db, "Alice Attendee"),
    person(server, db, "Bob Builder"), person(server, db, "Carol Critic"), person(server, db, "Dave Dayticket"), person(server, db, "Otto Outsider"),
    person(server, db, "Erin Elsewhere"), person(server, db, "Frank Frontdoor"),
  ]);
  // Session 1 took place yesterday; session 2 is next week (so the event has started, not ended);
  // session 3, in person (no live room), started an hour ago.
  world = await eventWorld(db, owner, { sessions: [new Date(Date.now() - 26 * HOUR), new Date(Date.now() + 7 * 24 * HOUR), new Date(Date.now() - HOUR)], title: "Feedback Summit" });
  await db.updateTable("event_sessions").set({ live_room: 0, ends_at: new Date(Date.now() + HOUR).toISOString() }).where("id", "=", world.sessionIds[2]).execute();
  await db.updateTable("events").set({ ends_at: new Date(Date.now() + 7 * 24 * HOUR + HOUR).toISOString() }).where("id", "=", world.eventId).execute();
  const tickets = new Map<Person, string>();
  for (const p of [alice, bob, carol, erin, frank]) tickets.set(p, await giveTicket(db, world, p));
  // Alice, Bob and Carol entered session 1's live room; so did the owner, who holds no ticket.
  for (const p of [alice, bob, carol, owner]) await attended(world.sessionIds[0], p);
  const dayTwo = await seed.write(db, seed.ticketType({ eventId: world.eventId, name: "Day 2", quantity: 10, sessionIds: [world.sessionIds[1]] }));
  await giveTicket(db, world, dave, dayTwo.id);
  speakerId = await seed.write(db, seed.speaker({
    eventId: world.eventId, name: "Grace Hopper", bio: "Compilers.", links: [{ label: "Site", url: "https://example.org/grace" }], sessionIds: [world.sessionIds[0]],
  }));
  const now = new Date().toISOString();
  // Frank's ticket was scanned at the door.
  const listId = randomUUID();
  await db.insertInto("checkin_lists").values({ id: listId, event_id: world.eventId, name: "Main door", ticket_type_ids: null, created_at: now, updated_at: now }).execute();
  await db.insertInto("checkins").values({ id: randomUUID(), list_id: listId, ticket_id: tickets.get(frank)!, nonce: randomUUID(), source: "scan", scanned_by: owner.id, scanned_at: now, synced_at: now }).execute();
}, 60_000);

async function attended(sessionId: string, who: Person) {
  const at = new Date().toISOString();
  await db.insertInto("session_attendance").values({ session_id: sessionId, user_id: who.id, first_joined_at: at, last_joined_at: at, joins: 1 }).execute();
}

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

const rate = (who: TestClient, targetType: string, targetId: string, stars: number, comment = "") =>
  who.request("PUT", `/api/events/${world.eventId}/ratings`, { targetType, targetId, stars, comment });

describe("who may rate", () => {
  it("refuses anonymous callers, people without a ticket, and people who did not attend the session", async () => {
    expect((await rate(new TestClient(server.url), "event", world.eventId, 5)).status).toBe(401);
    const outsiderTry = await rate(outsider.http, "event", world.eventId, 5);
    expect(outsiderTry.status).toBe(403);
    expect(outsiderTry.body.error.code).toBe("not_an_attendee");
    // Dave's day-2 ticket does not grant session 1, nor its speaker, and he was not there.
    expect((await rate(dave.http, "session", world.sessionIds[0], 4)).body.error.code).toBe("not_an_attendee");
    expect((await rate(dave.http, "speaker", speakerId, 4)).body.error.code).toBe("not_an_attendee");
    // Session 2 has not started yet.
    const early = await rate(dave.http, "session", world.sessionIds[1], 4);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("not_started");
    // A target from elsewhere, and stars out of range.
    expect((await rate(alice.http, "session", randomUUID(), 4)).status).toBe(404);
    const zero = await rate(alice.http, "event", world.eventId, 0);
    expect(zero.status).toBe(400);
    expect(zero.body.error.fields[0].path).toBe("stars");
  });

  it("keeps one rating per attendee and target: a second one edits the first", async () => {
    const first = await rate(alice.http, "session", world.sessionIds[0], 3, "Good");
    expect(first.status).toBe(201);
    const again = await rate(alice.http, "session", world.sessionIds[0], 5, "Great, on reflection");
    expect(again.status).toBe(200);
    expect(again.body.rating.id).toBe(first.body.rating.id);
    expect(again.body.summary).toMatchObject({ average: 5, count: 1 });
    const rows = await db.selectFrom("feedback_ratings").selectAll().where("user_id", "=", alice.id).where("target_id", "=", world.sessionIds[0]).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ stars: 5, comment: "Great, on reflection" });
  });

  it("lets a rating be changed for 14 days after it was given, not after", async () => {
    const given = await rate(bob.http, "speaker", speakerId, 4, "Clear");
    expect(given.status).toBe(201);
    // Thirteen days ago: still open.
    await db.updateTable("feedback_ratings").set({ created_at: new Date(Date.now() - 13 * 24 * HOUR).toISOString() }).where("id", "=", given.body.rating.id).execute();
    expect((await rate(bob.http, "speaker", speakerId, 5, "Very clear")).status).toBe(200);
    // Fifteen days ago: closed, and the rating stays as it was.
    await db.updateTable("feedback_ratings").set({ created_at: new Date(Date.now() - 15 * 24 * HOUR).toISOString() }).where("id", "=", given.body.rating.id).execute();
    const late = await rate(bob.http, "speaker", speakerId, 1, "Changed my mind");
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("edit_window_closed");
    const row = await db.selectFrom("feedback_ratings").select(["stars", "comment"]).where("id", "=", given.body.rating.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ stars: 5, comment: "Very clear" });
  });

  it("shows an attendee what they may rate and what they gave", async () => {
    const form = await dave.http.request("GET", `/api/events/${world.eventId}/feedback/form`);
    expect(form.status).toBe(200);
    const types = form.body.targets.map((t: { type: string; id: string; open: boolean }) => [t.type, t.id, t.open]);
    // Dave has attended no session yet: he may rate the event and its organizer only.
    expect(types).toEqual([["event", world.eventId, true], ["organizer", world.organizationId, true]]);
    expect((await outsider.http.request("GET", `/api/events/${world.eventId}/feedback/form`)).status).toBe(403);
    const aliceForm = await alice.http.request("GET", `/api/events/${world.eventId}/feedback/form`);
    expect(aliceForm.body.targets.map((t: { type: string; id: string }) => [t.type, t.id])).toEqual([
      ["event", world.eventId], ["organizer", world.organizationId], ["session", world.sessionIds[0]], ["speaker", speakerId],
    ]);
  });

  it("lets only those who entered a session's live room rate it and its speakers", async () => {
    // Erin's ticket grants session 1, but she never entered its room.
    const session = await rate(erin.http, "session", world.sessionIds[0], 5);
    expect(session.status).toBe(403);
    expect(session.body.error.code).toBe("not_an_attendee");
    expect((await rate(erin.http, "speaker", speakerId, 5)).body.error.code).toBe("not_an_attendee");
    const form = await erin.http.request("GET", `/api/events/${world.eventId}/feedback/form`);
    expect(form.body.targets.map((t: { type: string }) => t.type)).toEqual(["event", "organizer"]);
    // The owner entered the room as a host, without a ticket: the team does not rate its own sessions.
    expect((await rate(owner.http, "session", world.sessionIds[0], 5)).body.error.code).toBe("not_an_attendee");
  });

  it("counts a door check-in as attending a session held in person", async () => {
    const form = await frank.http.request("GET", `/api/events/${world.eventId}/feedback/form`);
    expect(form.body.targets.map((t: { type: string; id: string }) => [t.type, t.id])).toEqual([
      ["event", world.eventId], ["organizer", world.organizationId], ["session", world.sessionIds[2]],
    ]);
    expect((await rate(frank.http, "session", world.sessionIds[2], 4, "Good room")).status).toBe(201);
    // Frank was at the door, not in session 1's live room.
    expect((await rate(frank.http, "session", world.sessionIds[0], 4)).body.error.code).toBe("not_an_attendee");
    // Erin holds the same ticket but was never checked in.
    expect((await rate(erin.http, "session", world.sessionIds[2], 4)).body.error.code).toBe("not_an_attendee");
  });
});

describe("averages, comments and the organizer's report", () => {
  it("computes averages with counts, the distribution and the NPS-style summary", async () => {
    expect((await rate(alice.http, "event", world.eventId, 5, "Loved it")).status).toBe(201);
    expect((await rate(bob.http, "event", world.eventId, 4, "Solid")).status).toBe(201);
    expect((await rate(carol.http, "event", world.eventId, 2, "You are all idiots")).status).toBe(201);
    expect((await rate(dave.http, "organizer", world.organizationId, 3)).status).toBe(201);

    const summary = await new TestClient(server.url).request("GET", `/api/events/${world.eventId}/ratings/summary`);
    expect(summary.status).toBe(200);
    expect(summary.body.event).toEqual({ average: 3.67, count: 3, distribution: [0, 1, 0, 1, 1] });
    expect(summary.body.organizer).toMatchObject({ average: 3, count: 1 });
    expect(summary.body.sessions.find((s: { id: string }) => s.id === world.sessionIds[0])).toMatchObject({ average: 5, count: 1 });
    expect(summary.body.sessions.find((s: { id: string }) => s.id === world.sessionIds[1])).toMatchObject({ average: null, count: 0 });
    expect(summary.body.speakers[0]).toMatchObject({ id: speakerId, average: 5, count: 1 });

    const report = await owner.http.request("GET", `/api/organize/events/${world.eventId}/feedback`);
    expect(report.status).toBe(200);
    // One promoter (5), one passive (4), one detractor (2): (1 − 1) / 3 = 0.
    expect(report.body.report.nps).toEqual({ promoters: 1, passives: 1, detractors: 1, responses: 3, score: 0 });
    expect((await outsider.http.request("GET", `/api/organize/events/${world.eventId}/feedback`)).status).toBe(404);
    expect((await alice.http.request("GET", `/api/organize/events/${world.eventId}/feedback.csv`)).status).toBe(404);
  });

  it("publishes the organizer's replies and featured testimonials; admins hide abusive comments everywhere", async () => {
    const comments = (await new TestClient(server.url).request("GET", `/api/events/${world.eventId}/ratings?targetType=event`)).body.comments;
    expect(comments.map((c: { comment: string }) => c.comment).sort()).toEqual(["Loved it", "Solid", "You are all idiots"]);
    expect(comments.find((c: { comment: string }) => c.comment === "Loved it").author).toBe("Alice A.");
    const byText = (text: string) => comments.find((c: { comment: string }) => c.comment === text).id as string;

    expect((await owner.http.request("PUT", `/api/organize/ratings/${byText("Solid")}/reply`, { reply: "Thanks Bob, see you next year" })).status).toBe(200);
    expect((await owner.http.request("PUT", `/api/organize/ratings/${byText("Loved it")}/featured`, { featured: true })).status).toBe(200);
    expect((await owner.http.request("PUT", `/api/organize/ratings/${byText("You are all idiots")}/featured`, { featured: true })).status).toBe(200);
    // Attendees cannot reply for the organizer.
    expect((await alice.http.request("PUT", `/api/organize/ratings/${byText("Solid")}/reply`, { reply: "me too" })).status).toBe(404);

    // Carol's comment is reported, then hidden by an admin (not by the organizer, not by a user).
    expect((await bob.http.request("POST", `/api/ratings/${byText("You are all idiots")}/report`)).status).toBe(202);
    expect((await owner.http.request("PUT", `/api/admin/ratings/${byText("You are all idiots")}/hidden`, { hidden: true, reason: "abuse" })).status).toBe(403);
    const reported = await admin.http.request("GET", "/api/admin/ratings/reported");
    expect(reported.body.ratings.map((r: { id: string }) => r.id)).toContain(byText("You are all idiots"));
    expect((await admin.http.request("PUT", `/api/admin/ratings/${byText("You are all idiots")}/hidden`, { hidden: true, reason: "abuse" })).status).toBe(200);

    const anonymous = new TestClient(server.url);
    const after = (await anonymous.request("GET", `/api/events/${world.eventId}/ratings`)).body.comments;
    expect(after.map((c: { comment: string }) => c.comment)).not.toContain("You are all idiots");
    expect(after.find((c: { comment: string }) => c.comment === "Solid").reply).toBe("Thanks Bob, see you next year");
    const summary = (await anonymous.request("GET", `/api/events/${world.eventId}/ratings/summary`)).body;
    expect(summary.testimonials.map((t: { comment: string }) => t.comment)).toEqual(["Loved it"]);
    // Hiding removes the words, not the stars.
    expect(summary.event).toMatchObject({ average: 3.67, count: 3 });
    const organizerView = (await owner.http.request("GET", `/api/organize/events/${world.eventId}/feedback`)).body.comments;
    expect(organizerView.find((c: { id: string }) => c.id === byText("You are all idiots"))).toMatchObject({ hidden: true, comment: "", featured: false });
  });

  it("runs the organizer's survey and exports every rating as CSV", async () => {
    const stars = await owner.http.request("POST", `/api/organize/events/${world.eventId}/survey-questions`, { label: "How was the venue?", kind: "stars" });
    const text = await owner.http.request("POST", `/api/organize/events/${world.eventId}/survey-questions`, { label: "What should we change?", kind: "text", position: 1 });
    expect(stars.status).toBe(201);
    expect((await alice.http.request("POST", `/api/organize/events/${world.eventId}/survey-questions`, { label: "x", kind: "text" })).status).toBe(404);
    const answer = (who: Person, answers: unknown) => who.http.request("PUT", `/api/events/${world.eventId}/survey-answers`, { answers });
    expect((await answer(alice, [{ questionId: stars.body.question.id, value: "6" }])).status).toBe(400);
    expect((await answer(outsider, [{ questionId: stars.body.question.id, value: "5" }])).status).toBe(403);
    expect((await answer(alice, [{ questionId: stars.body.question.id, value: "5" }, { questionId: text.body.question.id, value: "More coffee" }])).status).toBe(200);
    expect((await answer(bob, [{ questionId: stars.body.question.id, value: "2" }])).status).toBe(200);
    // Answering again replaces the answer.
    expect((await answer(bob, [{ questionId: stars.body.question.id, value: "4" }])).status).toBe(200);

    const report = (await owner.http.request("GET", `/api/organize/events/${world.eventId}/feedback`)).body.report;
    expect(report.questions).toEqual([
      { id: stars.body.question.id, label: "How was the venue?", kind: "stars", responses: 2, average: 4.5, texts: [] },
      { id: text.body.question.id, label: "What should we change?", kind: "text", responses: 1, average: null, texts: ["More coffee"] },
    ]);

    const csv = await fetch(`${server.url}/api/organize/events/${world.eventId}/feedback.csv`, { headers: { cookie: owner.http.cookieHeader } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe("target_type,target_id,target,stars,comment,reply,featured,hidden,created_at,updated_at");
    const total = await db.selectFrom("feedback_ratings").select((eb) => eb.fn.countAll<number>().as("n")).where("event_id", "=", world.eventId).executeTakeFirstOrThrow();
    expect(lines).toHaveLength(Number(total.n) + 1);
    expect(lines.find((l) => l.includes("Session 1"))).toMatch(/^session,[0-9a-f-]{36},Session 1,5,"Great, on reflection",,no,no,/);
    expect(lines.find((l) => l.includes("idiots"))).toMatch(/,2,You are all idiots,,no,yes,/);
  });
});

describe("public speaker page", () => {
  it("shows the speaker's sessions, bio, links and rating", async () => {
    const page = await new TestClient(server.url).request("GET", `/api/speakers/${speakerId}`);
    expect(page.status).toBe(200);
    expect(page.body.speaker).toMatchObject({ name: "Grace Hopper", bio: "Compilers.", links: [{ label: "Site", url: "https://example.org/grace" }] });
    expect(page.body.sessions.map((s: { id: string }) => s.id)).toEqual([world.sessionIds[0]]);
    expect(page.body.rating).toMatchObject({ average: 5, count: 1 });
    expect(page.body.event).toEqual({ id: world.eventId, slug: world.slug, title: "Feedback Summit" });
    // A draft event's speakers are not public.
    await db.updateTable("events").set({ status: "draft" }).where("id", "=", world.eventId).execute();
    expect((await new TestClient(server.url).request("GET", `/api/speakers/${speakerId}`)).status).toBe(404);
    await db.updateTable("events").set({ status: "approved" }).where("id", "=", world.eventId).execute();
  });
});

describe("invitations to rate", () => {
  it("asks each attendee of an ended session once, in-app and by e-mail through the outbox", async () => {
    const invite = () => owner.http.request("POST", `/api/organize/events/${world.eventId}/feedback/invitations`);
    const first = await invite();
    expect(first.status).toBe(202);
    expect(first.body.targets).toBe(1); // session 1 only: session 2 and the event have not ended
    const sessionKey = `feedback-invite:session:${world.sessionIds[0]}:%`;
    const invited = () => db.selectFrom("notifications").select(["user_id", "title", "link"]).where("dedupe_key", "like", sessionKey).execute();
    // Alice, Bob and Carol entered session 1's room; Erin (ticket, never there), Dave and the owner (no ticket) are not asked.
    const rows = await until(async () => {
      const found = await invited();
      return found.length === 3 && found;
    });
    expect(rows.map((r) => r.user_id).sort()).toEqual([alice.id, bob.id, carol.id].sort());
    expect(rows[0]).toMatchObject({ title: "How was Session 1?", link: `/events/${world.slug}/feedback` });
    const mails = await until(async () => {
      const found = await db.selectFrom("outbox").select("to_address").where("subject", "like", "%How was Session 1?%").execute();
      return found.length === 3 && found;
    });
    expect(mails.map((m) => m.to_address).sort()).toEqual([alice.email, bob.email, carol.email].sort());

    // Asking again invites nobody a second time.
    expect((await invite()).status).toBe(202);
    await until(async () => {
      const job = await db.selectFrom("jobs").select("status").where("kind", "=", "feedback.invite").executeTakeFirst();
      return job?.status === "done";
    });
    expect(await invited()).toHaveLength(3);
    expect((await alice.http.request("POST", `/api/organize/events/${world.eventId}/feedback/invitations`)).status).toBe(404);
  });

  it("re-plans a session's invitation when the agenda moves its end, and never invites anyone twice", async () => {
    const move = (sessionId: string, startsAt: number, endsAt: number) =>
      owner.http.request("PATCH", `/api/organize/sessions/${sessionId}`, { startsAt: new Date(startsAt).toISOString(), endsAt: new Date(endsAt).toISOString() });
    const planned = (sessionId: string) =>
      db.selectFrom("jobs").select(["key", "run_at", "status"]).where("kind", "=", "feedback.invite").where("key", "like", `feedback-invite:session:${sessionId}:%`).execute();
    const day = 24 * HOUR;
    const base = Date.now();

    // Session 2 (next week) is pulled forward to the day after tomorrow: its invitation is planned for the new end.
    const first = await move(world.sessionIds[1], base + 2 * day, base + 2 * day + HOUR);
    expect(first.status).toBe(200);
    const firstEnd = first.body.session.endsAt as string;
    expect(await planned(world.sessionIds[1])).toEqual([{ key: `feedback-invite:session:${world.sessionIds[1]}:${firstEnd}`, run_at: firstEnd, status: "queued" }]);
    // Moved again: the job for the old end is gone, one waits for the new end.
    const second = await move(world.sessionIds[1], base + 3 * day, base + 3 * day + 2 * HOUR);
    const secondEnd = second.body.session.endsAt as string;
    expect(await planned(world.sessionIds[1])).toEqual([{ key: `feedback-invite:session:${world.sessionIds[1]}:${secondEnd}`, run_at: secondEnd, status: "queued" }]);

    // Session 1's attendees were invited already; its end moves (still in the past): the new job runs and asks nobody again.
    const notifications = () => db.selectFrom("notifications").select("user_id").where("dedupe_key", "like", `feedback-invite:session:${world.sessionIds[0]}:%`).execute();
    const mails = () => db.selectFrom("outbox").select("id").where("subject", "like", "%How was Session 1?%").execute();
    expect(await notifications()).toHaveLength(3);
    const moved = await move(world.sessionIds[0], base - 3 * HOUR, base - 2 * HOUR);
    expect(moved.status).toBe(200);
    const movedKey = `feedback-invite:session:${world.sessionIds[0]}:${moved.body.session.endsAt}`;
    await until(async () => (await planned(world.sessionIds[0])).some((j) => j.key === movedKey && j.status === "done"));
    expect(await notifications()).toHaveLength(3);
    expect(await mails()).toHaveLength(3);
  });

  it("offers 'Rate this event' on the event page to ticket holders only, once the event has started", async () => {
    const { slug } = await db.selectFrom("events").select("slug").where("id", "=", world.eventId).executeTakeFirstOrThrow();
    const viewer = async (p: Person) => (await p.http.request("GET", `/api/discover/events/${slug}`)).body.event.viewer;
    expect(await viewer(alice)).toMatchObject({ rate: true });
    expect(await viewer(outsider)).toMatchObject({ rate: false });
    expect(await viewer(owner)).toMatchObject({ rate: false });
  });

  it("re-plans the event's invitation when its end moves, through re-review and approval", async () => {
    const planned = () =>
      db.selectFrom("jobs").select(["key", "status"]).where("kind", "=", "feedback.invite").where("key", "like", `feedback-invite:event:${world.eventId}:%`).where("status", "=", "queued").execute();
    const before = await db.selectFrom("events").select(["ends_at", "status"]).where("id", "=", world.eventId).executeTakeFirstOrThrow();
    const newEnd = new Date(new Date(before.ends_at).getTime() + 24 * HOUR).toISOString();
    const patched = await owner.http.request("PATCH", `/api/organize/events/${world.eventId}`, { endsAt: newEnd });
    expect(patched.status).toBe(200);
    const after = await db.selectFrom("events").select(["ends_at", "status"]).where("id", "=", world.eventId).executeTakeFirstOrThrow();
    expect(after.ends_at).toBe(newEnd);
    if (after.status === "approved") {
      expect(await planned()).toEqual([{ key: `feedback-invite:event:${world.eventId}:${newEnd}`, status: "queued" }]);
    } else {
      // A public event whose dates change goes back to review: nothing waits for either end until it is approved again.
      expect(await planned()).toEqual([]);
      const review = await admin.http.request("POST", `/api/admin/events/${world.eventId}/review`, { decision: "approved", comment: "" });
      expect(review.status).toBe(200);
      expect(await planned()).toEqual([{ key: `feedback-invite:event:${world.eventId}:${newEnd}`, status: "queued" }]);
    }
    // Put the end back for the tests that follow: the job follows it again.
    await owner.http.request("PATCH", `/api/organize/events/${world.eventId}`, { endsAt: before.ends_at });
    if ((await db.selectFrom("events").select("status").where("id", "=", world.eventId).executeTakeFirstOrThrow()).status !== "approved") {
      await admin.http.request("POST", `/api/admin/events/${world.eventId}/review`, { decision: "approved", comment: "" });
    }
    expect(await planned()).toEqual([{ key: `feedback-invite:event:${world.eventId}:${before.ends_at}`, status: "queued" }]);
  });

  it("turns a stale invitation that comes due (its event's end moved unannounced) into one for the new end", async () => {
    const event = await db.selectFrom("events").select("ends_at").where("id", "=", world.eventId).executeTakeFirstOrThrow();
    const staleEnd = new Date(Date.now() - HOUR).toISOString();
    const stamp = new Date().toISOString();
    await db.insertInto("jobs").values({
      id: randomUUID(), kind: "feedback.invite", key: `feedback-invite:event:${world.eventId}:${staleEnd}`, status: "queued", run_at: stamp, max_attempts: 3,
      payload: JSON.stringify({ targetType: "event", targetId: world.eventId, endsAt: staleEnd }), last_error: null, locked_by: null, locked_until: null,
      created_at: stamp, updated_at: stamp, finished_at: null,
    }).execute();
    const replanned = await until(() =>
      db.selectFrom("jobs").select(["run_at", "status"]).where("key", "=", `feedback-invite:event:${world.eventId}:${event.ends_at}`).executeTakeFirst(),
    );
    expect(replanned).toEqual({ run_at: event.ends_at, status: "queued" });
    // Nobody was invited to rate the event, which has not ended.
    expect(await db.selectFrom("notifications").select("id").where("dedupe_key", "like", `feedback-invite:event:${world.eventId}:%`).execute()).toEqual([]);
  });
});
