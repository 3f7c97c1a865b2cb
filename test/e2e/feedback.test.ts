/**
 * Feedback over HTTP against the real server: only attendees rate, one rating each per
 * target, editable for 14 days; averages, counts and the NPS-style summary computed right;
 * hidden comments shown nowhere; organizer replies, testimonials, survey and CSV; and
 * invitations to rate sent once through the notifier (in-app row and outbox mail).
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { TestClient } from "../support/http-client.ts";
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
let world: EventWorld;
let speakerId: string;
const HOUR = 3_600_000;

beforeAll(async () => {
  server = await startServer();
  db = openDb(server);
  [owner, admin, alice, bob, carol, dave, outsider] = await Promise.all([
    person(server, db, "Olga Owner"), person(server, db, "Adam Admin", "admin"), person(server, db, "Alice Attendee"),
    person(server, db, "Bob Builder"), person(server, db, "Carol Critic"), person(server, db, "Dave Dayticket"), person(server, db, "Otto Outsider"),
  ]);
  // Session 1 took place yesterday; session 2 is next week (so the event has started, not ended).
  world = await eventWorld(db, owner, { sessions: [new Date(Date.now() - 26 * HOUR), new Date(Date.now() + 7 * 24 * HOUR)], title: "Feedback Summit" });
  for (const p of [alice, bob, carol]) await giveTicket(db, world, p);
  const dayTwo = randomUUID();
  const now = new Date().toISOString();
  await db.insertInto("ticket_types").values({ id: dayTwo, event_id: world.eventId, name: "Day 2", price: 0, currency: "eur", quantity: 10, created_at: now, updated_at: now }).execute();
  await db.insertInto("ticket_type_sessions").values({ ticket_type_id: dayTwo, session_id: world.sessionIds[1] }).execute();
  await giveTicket(db, world, dave, dayTwo);
  speakerId = randomUUID();
  await db.insertInto("speakers").values({ id: speakerId, event_id: world.eventId, name: "Grace Hopper", bio: "Compilers.", links: JSON.stringify([{ label: "Site", url: "https://example.org/grace" }]), created_at: now, updated_at: now }).execute();
  await db.insertInto("session_speakers").values({ session_id: world.sessionIds[0], speaker_id: speakerId }).execute();
}, 60_000);

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

const rate = (who: TestClient, targetType: string, targetId: string, stars: number, comment = "") =>
  who.request("PUT", `/api/events/${world.eventId}/ratings`, { targetType, targetId, stars, comment });

describe("who may rate", () => {
  it("refuses anonymous callers, people without a ticket, and tickets that do not include the session", async () => {
    expect((await rate(new TestClient(server.url), "event", world.eventId, 5)).status).toBe(401);
    const outsiderTry = await rate(outsider.http, "event", world.eventId, 5);
    expect(outsiderTry.status).toBe(403);
    expect(outsiderTry.body.error.code).toBe("not_an_attendee");
    // Dave's day-2 ticket does not grant session 1, nor its speaker.
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
    expect(types).toEqual([["event", world.eventId, true], ["organizer", world.organizationId, true], ["session", world.sessionIds[1], false]]);
    expect((await outsider.http.request("GET", `/api/events/${world.eventId}/feedback/form`)).status).toBe(403);
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
    // Alice, Bob and Carol hold tickets that include session 1; Dave's does not.
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
});
