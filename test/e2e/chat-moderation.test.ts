/**
 * The moderators' reports view and mutes list, reports on private messages (seen and acted
 * on by the event's moderators only, one message at a time), private conversations started
 * from a person (chat.open) and listed with unread counts (chat.conversations), who may be
 * written to, and the configured block cache, against the real server.
 */
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import type { TestServer } from "../support/server.ts";
import type { TestSocket } from "../support/ws-client.ts";
import {
  addSpeaker, addToTeam, type ChatCast, chatCast, type EventWorld, eventWorld, ok, type Person, person, pushes, refused, until,
} from "./chat-support.ts";

let cast: ChatCast;
let server: TestServer;
let db: Kysely<DB>;
let world: EventWorld;
let owner: Person, mo: Person, alice: Person, bob: Person, carol: Person, outsider: Person;
let lobby: string;
const open = (who: Person) => cast.open(who);

// A block cache smaller than the cast, so evictions happen all through this file.
const BLOCK_CACHE_USERS = 3;

beforeAll(async () => {
  cast = await chatCast({ env: { PLENARY_CHAT_BLOCK_CACHE_USERS: String(BLOCK_CACHE_USERS) } });
  ({ server, db, world, lobby } = cast);
  ({ owner, mo, alice, bob, carol, outsider } = cast.people);
});
afterAll(() => cast?.close());

describe("the reports view", () => {
  it("closes a report by deleting the message, muting its author, or dismissing it", async () => {
    const [a, b, m] = [await open(alice), await open(bob), await open(mo)];
    for (const s of [a, b, m]) await ok(s, "chat.join", { channel: lobby });
    const spam = (await ok(b, "chat.send", { channel: lobby, text: "spam one" })).message;
    const rude = (await ok(b, "chat.send", { channel: lobby, text: "rude two" })).message;
    const fine = (await ok(b, "chat.send", { channel: lobby, text: "fine three" })).message;
    for (const message of [spam, rude, fine]) await ok(a, "chat.report", { messageId: message.id, reason: "other", note: `about ${message.text}` });
    const reportOf = async (messageId: number) =>
      (await ok(m, "chat.reports", { channel: lobby })).reports.find((r: { messageId: number }) => r.messageId === messageId);

    const spamReport = await reportOf(spam.id);
    expect(await refused(a, "chat.reports.resolve", { reportId: spamReport.id, action: "dismiss" })).toBe("forbidden");
    expect(await ok(m, "chat.reports.resolve", { reportId: spamReport.id, action: "delete" })).toEqual({ resolution: "deleted", resolved: 1 });
    await until(() => pushes(a, "chat.deleted").some((p) => p.messageId === spam.id));

    const rudeReport = await reportOf(rude.id);
    expect(await refused(m, "chat.reports.resolve", { reportId: rudeReport.id, action: "mute" })).toBe("bad_minutes");
    expect((await ok(m, "chat.reports.resolve", { reportId: rudeReport.id, action: "mute", minutes: 30 })).resolution).toBe("muted");
    expect(await refused(b, "chat.send", { channel: lobby, text: "again" })).toBe("muted");

    await ok(m, "chat.reports.resolve", { reportId: (await reportOf(fine.id)).id, action: "dismiss" });
    expect(await reportOf(fine.id)).toBeUndefined();
    const closed = (await ok(m, "chat.reports", { channel: lobby, resolved: true })).reports;
    expect(closed.map((r: { text: string; resolution: string; messageDeleted: boolean }) => [r.text, r.resolution, r.messageDeleted]).sort()).toEqual([
      ["", "deleted", true], ["fine three", "dismissed", false], ["rude two", "muted", false],
    ]);
  });

  it("takes a reason from the list and an optional note, trimmed, and names the field it refuses", async () => {
    const [a, c, b, m] = [await open(alice), await open(carol), await open(bob), await open(mo)];
    // Bob is muted in the lobby by now: the session's chat.
    const channel = `session:${world.sessionIds[0]}`;
    const send = async (text: string): Promise<number> => (await ok(b, "chat.send", { channel, text })).message.id;
    const [first, second, third] = [await send("reason check one"), await send("reason check two"), await send("reason check three")];
    const refusal = async (payload: Record<string, unknown>) => {
      const reply = await a.request("chat.report", payload);
      return { t: reply.t, code: reply.code, fields: reply.fields };
    };
    const problem = (path: string, message: string) => ({ t: "error", code: "validation_failed", fields: [{ path, message }] });
    const noReason = problem("reason", "Choose a reason: spam, harassment, off_topic, other");
    expect(await refusal({ messageId: first })).toEqual(noReason);
    expect(await refusal({ messageId: first, reason: "" })).toEqual(noReason);
    // The free text the chat panel used to send is not a reason.
    expect(await refusal({ messageId: first, reason: "Reported from the chat panel" })).toEqual(noReason);
    expect(await refusal({ messageId: first, reason: "spam", note: "x".repeat(501) })).toEqual(problem("note", "Keep the note to 500 characters or fewer"));
    expect(await refusal({ messageId: first, reason: "spam", note: 42 })).toEqual(problem("note", "The note must be text"));

    type Report = { messageId: number; reporter: { name: string }; reason: string };
    const reasons = async () => Object.fromEntries(
      ((await ok(m, "chat.reports", { channel })).reports as Report[])
        .filter((r) => [first, second, third].includes(r.messageId))
        .map((r) => [`${r.messageId} by ${r.reporter.name}`, r.reason]),
    );
    expect(await reasons()).toEqual({});

    // Trimmed before the limit (500 characters inside spaces fit); a blank note is none.
    const long = "y".repeat(500);
    await ok(a, "chat.report", { messageId: first, reason: "off_topic", note: `  ${long}\n ` });
    await ok(c, "chat.report", { messageId: first, reason: "spam", note: "   " });
    await ok(a, "chat.report", { messageId: second, reason: "harassment", note: " calls people names\nagain and again " });
    await ok(c, "chat.report", { messageId: third, reason: "other" });
    expect(await reasons()).toEqual({
      [`${first} by Alice`]: `Off-topic: ${long}`,
      [`${first} by Carol`]: "Spam",
      [`${second} by Alice`]: "Harassment or hate: calls people names\nagain and again",
      [`${third} by Carol`]: "Other",
    });
  });

  it("lists the mutes in force, which a moderator lifts", async () => {
    const [c, m] = [await open(carol), await open(mo)];
    expect(await refused(c, "chat.mutes", { channel: lobby })).toBe("forbidden");
    await ok(m, "chat.mute", { channel: lobby, userId: carol.id, minutes: 15 });
    const { mutes } = await ok(m, "chat.mutes", { channel: lobby });
    expect(mutes).toContainEqual({ user: { id: carol.id, name: "Carol" }, until: expect.any(String), mutedBy: { id: mo.id, name: "Mo" } });
    expect(await ok(m, "chat.mute", { channel: lobby, userId: carol.id, minutes: 0 })).toEqual({ until: null });
    expect((await ok(m, "chat.mutes", { channel: lobby })).mutes.map((x: { user: { id: string } }) => x.user.id)).not.toContain(carol.id);
    await ok(c, "chat.send", { channel: lobby, text: "free again" });
  });
});

describe("private conversations", () => {
  it("opens one with another participant, lists it with unread counts, and respects the switch and blocks", async () => {
    const [a, c] = [await open(alice), await open(carol)];
    expect(await refused(a, "chat.open", { eventId: world.eventId, userId: outsider.id })).toBe("not_found");
    expect(await refused(a, "chat.open", { eventId: world.eventId, userId: alice.id })).toBe("bad_peer");
    const opened = await ok(a, "chat.open", { eventId: world.eventId, userId: carol.id });
    expect(opened).toEqual({ channel: `dm:${world.eventId}:${[alice.id, carol.id].sort().join(":")}`, peer: { id: carol.id, name: "Carol" } });
    expect(await ok(c, "chat.open", { eventId: world.eventId, userId: alice.id })).toEqual({ ...opened, peer: { id: alice.id, name: "Alice" } });
    for (const text of ["hello carol", "are you there?"]) await ok(a, "chat.send", { channel: opened.channel, text });

    const listed = await ok(c, "chat.conversations", { eventId: world.eventId });
    expect(listed).toEqual({
      enabled: true,
      conversations: [{ channel: opened.channel, peer: { id: alice.id, name: "Alice" }, last: expect.objectContaining({ text: "are you there?", authorId: alice.id }), unread: 2, blocked: false }],
    });
    expect((await ok(a, "chat.conversations", { eventId: world.eventId })).conversations[0].unread).toBe(0);
    expect(await refused(await open(outsider), "chat.conversations", { eventId: world.eventId })).toBe("not_found");

    await ok(c, "chat.block", { userId: alice.id });
    expect(await refused(a, "chat.open", { eventId: world.eventId, userId: carol.id })).toBe("blocked");
    expect((await ok(c, "chat.conversations", { eventId: world.eventId })).conversations[0]).toMatchObject({ blocked: true, last: null, unread: 0 });
    await ok(c, "chat.unblock", { userId: alice.id });

    await db.updateTable("events").set({ private_messages: 0 }).where("id", "=", world.eventId).execute();
    expect(await ok(c, "chat.conversations", { eventId: world.eventId })).toEqual({ enabled: false, conversations: [] });
    expect(await refused(a, "chat.open", { eventId: world.eventId, userId: carol.id })).toBe("private_messages_off");
    await db.updateTable("events").set({ private_messages: 1 }).where("id", "=", world.eventId).execute();
  });
});

describe("reports on private messages", () => {
  const dmOf = (a: Person, b: Person) => `dm:${world.eventId}:${[a.id, b.id].sort().join(":")}`;
  const scope = () => `dm:${world.eventId}`;
  const privateReports = async (socket: TestSocket, resolved = false) => (await ok(socket, "chat.reports", { channel: scope(), resolved })).reports;

  /** Bob writes Alice privately; Alice reports the messages named in `reported`. */
  async function reportedConversation(texts: string[], reported: string[]) {
    const [a, b] = [await open(alice), await open(bob)];
    const channel = dmOf(alice, bob);
    for (const s of [a, b]) await ok(s, "chat.join", { channel });
    const sent: Record<string, { id: number }> = {};
    for (const text of texts) sent[text] = (await ok(b, "chat.send", { channel, text })).message;
    for (const text of reported) await ok(a, "chat.report", { messageId: sent[text].id, reason: "harassment", note: `alice about ${text}` });
    return { a, b, channel, sent };
  }
  const reportOn = async (socket: TestSocket, messageId: number) =>
    (await privateReports(socket)).find((r: { messageId: number }) => r.messageId === messageId);

  it("shows the event's moderators the reported message alone, its author, reporter and reason", async () => {
    const { sent } = await reportedConversation(["dm context before", "dm threat", "dm context after"], ["dm threat"]);
    const m = await open(mo);
    const report = await reportOn(m, sent["dm threat"].id);
    expect(report).toEqual({
      id: expect.any(String), messageId: sent["dm threat"].id, reason: "Harassment or hate: alice about dm threat", text: "dm threat", messageDeleted: false,
      reporter: { id: alice.id, name: "Alice" }, author: { id: bob.id, name: "Bob" }, createdAt: expect.any(String), resolution: null,
    });
    // Nothing else of the conversation, and not in the lobby's own list.
    expect(JSON.stringify(await privateReports(m))).not.toContain("dm context");
    expect((await ok(m, "chat.reports", { channel: lobby })).reports.map((r: { messageId: number }) => r.messageId)).not.toContain(sent["dm threat"].id);
    // The owner sees it too.
    expect(await reportOn(await open(owner), sent["dm threat"].id)).toMatchObject({ text: "dm threat" });
  });

  it("refuses everyone but the event's moderators, and opens no conversation to them", async () => {
    const { sent, channel } = await reportedConversation(["dm refusal bait", "dm other words"], ["dm refusal bait"]);
    const m = await open(mo);
    const report = await reportOn(m, sent["dm refusal bait"].id);

    const staff = await person(server, db, "Door Staff");
    await addToTeam(db, world, staff, "check_in_staff");
    const elsewhere = await person(server, db, "Other Moderator");
    await eventWorld(db, await person(server, db, "Other Owner"), { moderators: [elsewhere] });
    for (const who of [alice, bob, carol, staff, elsewhere, outsider]) {
      const s = await open(who);
      expect(await refused(s, "chat.reports", { channel: scope() }), who.name).toBe("forbidden");
      expect(await refused(s, "chat.reports.resolve", { reportId: report.id, action: "dismiss" }), who.name).toBe("forbidden");
      expect(await refused(s, "chat.mutes", { channel: scope() }), who.name).toBe("forbidden");
      expect(await refused(s, "chat.mute", { channel: scope(), userId: carol.id, minutes: 10 }), who.name).toBe("forbidden");
    }
    expect(await reportOn(m, sent["dm refusal bait"].id)).toBeDefined();

    // A moderator still cannot open, read or touch the conversation itself.
    expect(await refused(m, "chat.join", { channel })).toBe("not_found");
    expect(await refused(m, "chat.history", { channel, beforeId: sent["dm other words"].id + 1 })).toBe("not_found");
    expect(await refused(m, "chat.reports", { channel })).toBe("not_found");
    expect(await refused(m, "chat.mutes", { channel })).toBe("not_found");
    expect(await refused(m, "chat.delete", { messageId: sent["dm other words"].id })).toBe("not_found");
    expect(await refused(m, "chat.report", { messageId: sent["dm other words"].id, reason: "spam" })).toBe("not_found");
    expect(await refused(m, "chat.react", { messageId: sent["dm other words"].id, emoji: "👍" })).toBe("not_found");
    expect(await refused(m, "chat.join", { channel: scope() })).toBe("validation_failed");
  });

  it("deletes a reported private message, live for both people", async () => {
    const { a, b, sent } = await reportedConversation(["dm delete me", "dm keep me"], ["dm delete me"]);
    const [aTopic, bTopic] = [await open(alice), await open(bob)];
    for (const s of [aTopic, bTopic]) await ok(s, "notify.subscribe");
    const m = await open(mo);
    const report = await reportOn(m, sent["dm delete me"].id);
    expect(await ok(m, "chat.reports.resolve", { reportId: report.id, action: "delete" })).toEqual({ resolution: "deleted", resolved: 1 });
    const id = sent["dm delete me"].id;
    // In the open conversation, and on each person's own topic (their "Messages" list).
    for (const s of [a, b, aTopic, bTopic]) await until(() => pushes(s, "chat.deleted").some((p) => p.messageId === id));
    const history = (await ok(a, "chat.join", { channel: dmOf(alice, bob) })).messages;
    expect(history.find((x: { id: number }) => x.id === id)).toMatchObject({ deleted: true, text: "" });
    expect(history.find((x: { id: number }) => x.id === sent["dm keep me"].id)).toMatchObject({ deleted: false, text: "dm keep me" });
    expect(await reportOn(m, id)).toBeUndefined();
    expect((await privateReports(m, true)).find((r: { messageId: number }) => r.messageId === id)).toMatchObject({ resolution: "deleted", messageDeleted: true, text: "" });
  });

  it("mutes the author from private messages in the whole event, until a moderator lifts it", async () => {
    const { b, channel, sent } = await reportedConversation(["dm mute me"], ["dm mute me"]);
    const m = await open(mo);
    const report = await reportOn(m, sent["dm mute me"].id);
    expect(await refused(m, "chat.reports.resolve", { reportId: report.id, action: "mute" })).toBe("bad_minutes");
    expect(await ok(m, "chat.reports.resolve", { reportId: report.id, action: "mute", minutes: 30 })).toEqual({ resolution: "muted", resolved: 1 });

    // Every conversation of Bob's in the event, not only the reported one; the public chats are another matter.
    expect(await refused(b, "chat.send", { channel, text: "still here" })).toBe("muted");
    const withCarol = (await ok(b, "chat.open", { eventId: world.eventId, userId: carol.id })).channel;
    const reply = await b.request("chat.send", { channel: withCarol, text: "hello carol" });
    expect(reply).toMatchObject({ t: "error", code: "muted", message: expect.stringContaining("from private messages in this event") });
    await ok(b, "chat.send", { channel: `session:${world.sessionIds[0]}`, text: "the session chat is fine" });
    // The others still write to Bob.
    await ok(await open(alice), "chat.send", { channel, text: "you are muted" });

    const { mutes } = await ok(m, "chat.mutes", { channel: `dm:${world.eventId}` });
    expect(mutes).toContainEqual({ user: { id: bob.id, name: "Bob" }, until: expect.any(String), mutedBy: { id: mo.id, name: "Mo" } });
    expect((await ok(m, "chat.mutes", { channel: `session:${world.sessionIds[0]}` })).mutes).toEqual([]);
    expect(await ok(await open(owner), "chat.mute", { channel: `dm:${world.eventId}`, userId: bob.id, minutes: 0 })).toEqual({ until: null });
    await ok(b, "chat.send", { channel, text: "free to write again" });
  });

  it("dismisses a report and keeps it among the closed ones", async () => {
    const { sent } = await reportedConversation(["dm harmless"], ["dm harmless"]);
    const m = await open(mo);
    const report = await reportOn(m, sent["dm harmless"].id);
    expect(await ok(m, "chat.reports.resolve", { reportId: report.id, action: "dismiss" })).toEqual({ resolution: "dismissed", resolved: 1 });
    expect(await reportOn(m, sent["dm harmless"].id)).toBeUndefined();
    expect((await privateReports(m, true)).find((r: { id: string }) => r.id === report.id)).toMatchObject({ resolution: "dismissed", text: "dm harmless" });
    expect((await ok(await open(bob), "chat.join", { channel: dmOf(alice, bob) })).messages.some((x: { text: string }) => x.text === "dm harmless")).toBe(true);
  });
});

describe("who may be written to privately", () => {
  it("lets participants write to the team and speakers, who can answer", async () => {
    const speaker = await person(server, db, "Sam Speaker");
    await addSpeaker(db, world, speaker);
    const a = await open(alice);
    for (const who of [owner, mo, speaker]) {
      const { channel } = await ok(a, "chat.open", { eventId: world.eventId, userId: who.id });
      await ok(a, "chat.send", { channel, text: `a question for ${who.name}` });
      const theirs = await open(who);
      expect((await ok(theirs, "chat.conversations", { eventId: world.eventId })).conversations.map((c: { channel: string }) => c.channel)).toContain(channel);
      await ok(theirs, "chat.send", { channel, text: `an answer from ${who.name}` });
    }
  });

  it("reaches nobody who has no part in the event: plain organization members, platform admins", async () => {
    const member = await person(server, db, "Org Member");
    await db.insertInto("organization_members").values({ organization_id: world.organizationId, user_id: member.id, role: "member", created_at: new Date().toISOString() }).execute();
    const admin = await person(server, db, "Platform Admin", "admin");
    const a = await open(alice);
    for (const who of [member, admin, outsider]) {
      expect(await refused(a, "chat.open", { eventId: world.eventId, userId: who.id }), who.name).toBe("not_found");
      const channel = `dm:${world.eventId}:${[alice.id, who.id].sort().join(":")}`;
      expect(await refused(await open(who), "chat.send", { channel, text: "hello" }), who.name).toBe("not_found");
    }
  });

  it("applies a block both ways: neither side can open or write", async () => {
    const [a, c] = [await open(alice), await open(carol)];
    const { channel } = await ok(a, "chat.open", { eventId: world.eventId, userId: carol.id });
    await ok(a, "chat.block", { userId: carol.id });
    for (const [s, peer] of [[a, carol], [c, alice]] as const) {
      expect(await refused(s, "chat.open", { eventId: world.eventId, userId: peer.id })).toBe("blocked");
      expect(await refused(s, "chat.send", { channel, text: "hello?" })).toBe("blocked");
    }
    await ok(a, "chat.unblock", { userId: carol.id });
    await ok(c, "chat.send", { channel, text: "hello again" });
  });
});

describe("the block cache", () => {
  it("holds at most chat.block_cache_users users, from the configuration", async () => {
    // Every person who joined a channel in this file had their block list loaded: far more than the cache holds.
    for (const who of [owner, mo, alice, bob, carol]) await ok(await open(who), "chat.join", { channel: lobby });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(Number(/^plenary_chat_block_cache_users (\d+)/m.exec(metrics)?.[1])).toBe(BLOCK_CACHE_USERS);
  });
});
