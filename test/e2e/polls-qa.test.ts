/**
 * Polls, Q&A and reactions against the real server: hosts' rights, one vote per person
 * (changeable until close when allowed), results for hosts only, live counts, results
 * surviving a restart, CSV export; questions asked anonymously, upvoted once, held for
 * approval, answered, dismissed and pinned; reactions rate-limited and aggregated.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import type { TestSocket } from "../support/ws-client.ts";
import { type EventWorld, eventWorld, giveTicket, ok, openDb, type Person, person, pushes, refused, socketOf, until } from "./chat-support.ts";

const dataDir = mkdtempSync(path.join(tmpdir(), "plenary-polls-"));
let server: TestServer;
let db: Kysely<DB>;
let world: EventWorld;
let host: Person, alice: Person, bob: Person, outsider: Person;
let sessionId: string;
const sockets: TestSocket[] = [];
const open = async (who: Person) => {
  const socket = await socketOf(server, who);
  sockets.push(socket);
  return socket;
};
const closeAll = () => sockets.splice(0).forEach((s) => s.close());

beforeAll(async () => {
  server = await startServer({ dataDir });
  db = openDb(server);
  [host, alice, bob, outsider] = await Promise.all(["Host", "Alice", "Bob", "Outsider"].map((name) => person(server, db, name)));
  world = await eventWorld(db, host);
  sessionId = world.sessionIds[0];
  for (const who of [alice, bob]) await giveTicket(db, world, who);
});
afterAll(async () => {
  closeAll();
  await db?.destroy();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The same cookies against the restarted server's new address. */
function rebase(client: TestClient, url: string): TestClient {
  const moved = new TestClient(url);
  for (const [name, value] of client.cookies) moved.cookies.set(name, value);
  return moved;
}

describe("polls", () => {
  let pollId: string;
  let options: { id: string; text: string }[];

  it("lets only hosts create and open polls, and only participants see them", async () => {
    const h = await open(host);
    const a = await open(alice);
    expect((await ok(h, "poll.subscribe", { sessionId })).isHost).toBe(true);
    expect((await ok(a, "poll.subscribe", { sessionId })).isHost).toBe(false);
    expect(await refused(await open(outsider), "poll.subscribe", { sessionId })).toBe("not_found");
    const input = { sessionId, question: "Tabs or spaces?", options: ["Tabs", "Spaces"], multiple: false, anonymous: false, resultsVisibility: "all", allowChange: true };
    expect(await refused(a, "poll.create", input)).toBe("forbidden");
    expect(await refused(h, "poll.create", { ...input, options: ["Only one"] })).toBe("validation_failed");
    const { poll } = await ok(h, "poll.create", input);
    expect(poll.status).toBe("draft");
    pollId = poll.id;
    options = poll.options;
    // A draft is for hosts only; voting waits for it to open.
    expect((await ok(a, "poll.subscribe", { sessionId })).polls).toEqual([]);
    expect(await refused(a, "poll.vote", { pollId, optionIds: [options[0].id] })).toBe("poll_not_open");
    expect(await refused(a, "poll.open", { pollId })).toBe("forbidden");
    await ok(h, "poll.open", { pollId });
    await until(() => pushes(a, "poll.updated").some((p) => p.poll.id === pollId && p.poll.status === "open"));
  });

  it("counts one vote per person, changeable until close, with live results", async () => {
    const a = await open(alice);
    const b = await open(bob);
    await ok(a, "poll.subscribe", { sessionId });
    expect(await refused(a, "poll.vote", { pollId, optionIds: [options[0].id, options[1].id] })).toBe("single_choice");
    await ok(a, "poll.vote", { pollId, optionIds: [options[0].id] });
    await ok(a, "poll.vote", { pollId, optionIds: [options[0].id] });
    await ok(b, "poll.vote", { pollId, optionIds: [options[0].id] });
    await ok(b, "poll.vote", { pollId, optionIds: [options[1].id] });
    const counts = (poll: { options: { votes: number }[] }) => poll.options.map((o) => o.votes);
    await until(() => pushes(a, "poll.updated").some((p) => p.poll.id === pollId && counts(p.poll).join() === "1,1"));
    const mine = await ok(b, "poll.subscribe", { sessionId });
    expect(mine.myVotes[pollId]).toEqual([options[1].id]);
    expect(mine.polls[0].voters).toBe(2);
  });

  it("refuses votes after close and a second vote where changes are off", async () => {
    const h = await open(host);
    const a = await open(alice);
    const b = await open(bob);
    await ok(h, "poll.close", { pollId });
    expect(await refused(a, "poll.vote", { pollId, optionIds: [options[1].id] })).toBe("poll_not_open");
    expect(await refused(h, "poll.close", { pollId })).toBe("poll_state");

    const { poll } = await ok(h, "poll.create", {
      sessionId, question: "Lunch?", options: ["Pizza", "Salad", "Soup"], multiple: true, anonymous: true, resultsVisibility: "hosts", allowChange: false,
    });
    await ok(h, "poll.open", { pollId: poll.id });
    await ok(a, "poll.vote", { pollId: poll.id, optionIds: [poll.options[0].id, poll.options[2].id] });
    expect(await refused(a, "poll.vote", { pollId: poll.id, optionIds: [poll.options[1].id] })).toBe("already_voted");
    await ok(b, "poll.vote", { pollId: poll.id, optionIds: [poll.options[2].id] });
    // Results for hosts only: attendees see the options without counts.
    const seen = (await ok(a, "poll.subscribe", { sessionId })).polls.find((p: { id: string }) => p.id === poll.id);
    expect(seen.options.map((o: { votes: number | null }) => o.votes)).toEqual([null, null, null]);
    const hostView = (await ok(h, "poll.subscribe", { sessionId })).polls.find((p: { id: string }) => p.id === poll.id);
    expect(hostView.options.map((o: { votes: number }) => o.votes)).toEqual([1, 0, 2]);
  });

  it("exports results as CSV for hosts, without names for anonymous polls", async () => {
    const csv = await host.http.get(`/api/polls/${pollId}/results.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.body).toContain("Tabs,1\r\nSpaces,1");
    expect(csv.body).toContain(`Alice,${alice.email},Tabs`);
    expect((await alice.http.get(`/api/polls/${pollId}/results.csv`)).status).toBe(403);
  });

  it("keeps results across a restart", async () => {
    closeAll();
    await db.destroy();
    await server.stop();
    server = await startServer({ dataDir });
    db = openDb(server);
    for (const who of [host, alice, bob]) who.http = rebase(who.http, server.url);
    const view = (await ok(await open(host), "poll.subscribe", { sessionId })).polls.find((p: { id: string }) => p.id === pollId);
    expect(view).toMatchObject({ status: "closed", voters: 2 });
    expect(view.options.map((o: { votes: number }) => o.votes)).toEqual([1, 1]);
  });
});

describe("Q&A", () => {
  it("is asked, upvoted once, held for approval, answered, dismissed and pinned", async () => {
    const h = await open(host);
    const a = await open(alice);
    const b = await open(bob);
    for (const s of [h, a, b]) await ok(s, "qa.subscribe", { sessionId });

    const { question: open1 } = await ok(a, "qa.ask", { sessionId, text: "Will the slides be shared?", anonymous: true });
    expect(open1.author).toBeNull();
    expect(open1.status).toBe("open");
    await until(() => pushes(b, "qa.updated").some((p) => p.question.id === open1.id));
    expect(await refused(a, "qa.ask", { sessionId, text: "?" })).toBe("validation_failed");

    expect((await ok(b, "qa.upvote", { questionId: open1.id })).votes).toBe(1);
    expect(await refused(b, "qa.upvote", { questionId: open1.id })).toBe("already_voted");
    expect((await ok(a, "qa.upvote", { questionId: open1.id })).votes).toBe(2);

    expect(await refused(a, "qa.settings", { sessionId, premoderation: true })).toBe("forbidden");
    await ok(h, "qa.settings", { sessionId, premoderation: true });
    const { question: held } = await ok(b, "qa.ask", { sessionId, text: "Is there a recording?", anonymous: false });
    expect(held.status).toBe("pending");
    expect(held.author.name).toBe("Bob");
    await until(() => pushes(h, "qa.updated").some((p) => p.question.id === held.id));
    const aliceSees = (await ok(a, "qa.subscribe", { sessionId })).questions.map((q: { id: string }) => q.id);
    expect(aliceSees).not.toContain(held.id);
    expect(await refused(a, "qa.upvote", { questionId: held.id })).toBe("not_open");
    expect(await refused(a, "qa.moderate", { questionId: held.id, action: "approve" })).toBe("forbidden");
    await ok(h, "qa.moderate", { questionId: held.id, action: "approve" });
    await until(() => pushes(a, "qa.updated").some((p) => p.question.id === held.id && p.question.status === "open"));

    await ok(h, "qa.moderate", { questionId: held.id, action: "pin" });
    const { question: pinnedOther } = await ok(h, "qa.moderate", { questionId: open1.id, action: "pin" });
    expect(pinnedOther.pinned).toBe(true);
    await until(() => pushes(a, "qa.updated").some((p) => p.question.id === held.id && p.question.pinned === false));

    const { question: answered } = await ok(h, "qa.moderate", { questionId: open1.id, action: "answer", answer: "Yes, after the talk." });
    expect(answered).toMatchObject({ status: "answered", answer: "Yes, after the talk.", answeredLive: false });
    const { question: live } = await ok(h, "qa.moderate", { questionId: held.id, action: "answer_live" });
    expect(live).toMatchObject({ status: "answered", answeredLive: true, pinned: false });
    const { question: spam } = await ok(b, "qa.ask", { sessionId, text: "Buy my course!!!", anonymous: false });
    await ok(h, "qa.moderate", { questionId: spam.id, action: "dismiss" });
    const after = (await ok(a, "qa.subscribe", { sessionId })).questions;
    expect(after.map((q: { id: string; status: string }) => [q.id, q.status])).toEqual(
      expect.arrayContaining([[open1.id, "answered"], [held.id, "answered"]]),
    );
    expect(after.find((q: { id: string }) => q.id === spam.id)).toBeUndefined();
    // The anonymous asker is told in the inbox, though nobody learns who asked.
    const inbox = await alice.http.get("/api/notifications");
    expect(inbox.body.notifications.map((n: { kind: string }) => n.kind)).toContain("qa_answer");
  });
});

describe("reactions", () => {
  it("aggregates reactions into bursts and limits each sender", async () => {
    const a = await open(alice);
    const b = await open(bob);
    expect(await refused(a, "reaction.send", { sessionId, emoji: "👍" })).toBe("not_subscribed");
    for (const s of [a, b]) await ok(s, "reaction.subscribe", { sessionId });
    const results = [];
    for (let i = 0; i < 10; i++) results.push((await a.request("reaction.send", { sessionId, emoji: "👏" })).t === "ok" ? "ok" : "limited");
    expect(results.slice(0, 6)).toEqual(Array(6).fill("ok"));
    expect(results).toContain("limited");
    await ok(b, "reaction.send", { sessionId, emoji: "🔥" });
    const accepted = results.filter((r) => r === "ok").length;
    await until(() => {
      const total = (emoji: string) => pushes(b, "reaction.burst").reduce((sum, p) => sum + (p.counts[emoji] ?? 0), 0);
      return total("👏") === accepted && total("🔥") === 1;
    });
    // Far fewer frames than reactions: they arrive added up.
    expect(pushes(b, "reaction.burst").length).toBeLessThan(accepted + 1);
  });
});
