/**
 * Chat against the real server: who may join which channel, ordering and resume after a
 * dropped socket, replies, mentions, reactions and limits, every moderation action,
 * reports, blocking, private messages and unread counts.
 */
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import * as seed from "../support/seed.ts";
import type { TestServer } from "../support/server.ts";
import type { TestSocket } from "../support/ws-client.ts";
import { type ChatCast, chatCast, type EventWorld, giveTicket, ok, type Person, person, pushes, refused, until } from "./chat-support.ts";

let cast: ChatCast;
let server: TestServer;
let db: Kysely<DB>;
let world: EventWorld;
let owner: Person, mo: Person, alice: Person, bob: Person, carol: Person, outsider: Person;
let lobby: string;
const open = (who: Person) => cast.open(who);

beforeAll(async () => {
  cast = await chatCast({ sessions: [new Date(Date.now() + 86_400_000), new Date(Date.now() + 2 * 86_400_000)] });
  ({ server, db, world, lobby } = cast);
  ({ owner, mo, alice, bob, carol, outsider } = cast.people);
});
afterAll(() => cast?.close());

const texts = (socket: TestSocket, channel: string) =>
  pushes(socket, "chat.message").filter((p) => p.message.channel === channel).map((p) => p.message.text as string);

describe("chat channels", () => {
  it("lets ticket holders and the team into the lobby and keeps everyone else out", async () => {
    expect(await refused(await open(outsider), "chat.join", { channel: lobby })).toBe("not_found");
    expect(await refused(await open(alice), "chat.join", { channel: `backstage:${world.eventId}` })).toBe("not_found");
    const joined = await ok(await open(mo), "chat.join", { channel: `backstage:${world.eventId}` });
    expect(joined.canModerate).toBe(true);
    const anonymous = await import("../support/ws-client.ts").then((m) => m.TestSocket.open(server.url));
    expect(await refused(anonymous, "chat.join", { channel: lobby })).toBe("unauthorized");
    anonymous.close();
  });

  it("opens a session's room channel only to tickets that include the session", async () => {
    const secondOnly = await seed.write(db, seed.ticketType({ eventId: world.eventId, name: "Day 2", quantity: 10, sessionIds: [world.sessionIds[1]] }));
    const dana = await person(server, db, "Dana");
    await giveTicket(db, world, dana, secondOnly.id);
    const socket = await open(dana);
    expect(await refused(socket, "chat.join", { channel: `session:${world.sessionIds[0]}` })).toBe("not_found");
    await ok(socket, "chat.join", { channel: `session:${world.sessionIds[1]}` });
    await ok(socket, "chat.join", { channel: lobby });
  });

  it("delivers a channel's messages in order and resumes after a dropped socket without loss", async () => {
    const channel = `session:${world.sessionIds[0]}`;
    const sender = await open(alice);
    let reader = await open(bob);
    await ok(sender, "chat.join", { channel });
    await ok(reader, "chat.join", { channel });
    for (let i = 0; i < 25; i++) await ok(sender, "chat.send", { channel, text: `m${i}` });
    await until(() => texts(reader, channel).length === 25);
    const seen = pushes(reader, "chat.message").map((p) => p.message.id as number);
    expect(texts(reader, channel)).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);

    reader.close();
    await reader.closed;
    for (let i = 25; i < 32; i++) await ok(sender, "chat.send", { channel, text: `m${i}` });
    reader = await open(bob);
    const resumed = await ok(reader, "chat.join", { channel, afterId: seen.at(-1) });
    expect(resumed.messages.map((m: { text: string }) => m.text)).toEqual(Array.from({ length: 7 }, (_, i) => `m${i + 25}`));
    expect(resumed.truncated).toBe(false);

    // History pages backwards from the oldest message a client has.
    const fresh = await ok(reader, "chat.join", { channel });
    const older = await ok(reader, "chat.history", { channel, beforeId: fresh.messages[5].id });
    expect(older.messages.map((m: { text: string }) => m.text)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
  });

  it("keeps replies, mentions and reactions, limits length and stores links as text", async () => {
    const a = await open(alice);
    const c = await open(carol);
    await ok(a, "chat.join", { channel: lobby });
    await ok(c, "chat.join", { channel: lobby });
    await ok(c, "notify.subscribe");
    const { message: first } = await ok(a, "chat.send", { channel: lobby, text: "see <b>https://example.org/a?b=1</b>" });
    expect(first.text).toBe("see <b>https://example.org/a?b=1</b>");
    const { message: reply } = await ok(c, "chat.send", { channel: lobby, text: "thanks", replyTo: first.id });
    expect(reply.replyTo).toBe(first.id);
    expect(await refused(a, "chat.send", { channel: `session:${world.sessionIds[0]}`, text: "x", replyTo: first.id })).toBe("bad_reply");
    expect(await refused(a, "chat.send", { channel: lobby, text: "x".repeat(1_001) })).toBe("validation_failed");
    expect(await refused(a, "chat.send", { channel: lobby, text: "   " })).toBe("validation_failed");

    await ok(a, "chat.send", { channel: lobby, text: "@Carol look", mentions: [carol.id] });
    const mention = await c.next((f) => f.t === "notify.new");
    expect((mention.notification as { kind: string }).kind).toBe("chat_mention");

    const reacted = await ok(c, "chat.react", { messageId: first.id, emoji: "👍" });
    expect(reacted.reactions).toEqual({ "👍": 1 });
    await until(() => pushes(a, "chat.reactions").some((p) => p.messageId === first.id && p.reactions["👍"] === 1));
    // The same reaction again takes it back.
    expect((await ok(c, "chat.react", { messageId: first.id, emoji: "👍" })).reactions).toEqual({});
    expect(await refused(c, "chat.react", { messageId: first.id, emoji: "💩" })).toBe("validation_failed");
  });
});

describe("moderation", () => {
  const channel = () => `event:${world.eventId}`;

  it("deletes: authors their own, moderators any, others none", async () => {
    const a = await open(alice);
    const b = await open(bob);
    const m = await open(mo);
    for (const s of [a, b, m]) await ok(s, "chat.join", { channel: channel() });
    const { message: mine } = await ok(a, "chat.send", { channel: channel(), text: "oops" });
    const { message: bobs } = await ok(b, "chat.send", { channel: channel(), text: "rude" });
    expect(await refused(a, "chat.delete", { messageId: bobs.id })).toBe("forbidden");
    await ok(a, "chat.delete", { messageId: mine.id });
    await ok(m, "chat.delete", { messageId: bobs.id });
    await until(() => pushes(b, "chat.deleted").some((p) => p.messageId === bobs.id));
    const history = await ok(b, "chat.join", { channel: channel() });
    const gone = history.messages.find((x: { id: number }) => x.id === bobs.id);
    expect(gone).toMatchObject({ deleted: true, text: "" });
  });

  it("mutes a user for a time, and unmutes", async () => {
    const b = await open(bob);
    const m = await open(mo);
    expect(await refused(b, "chat.mute", { channel: channel(), userId: alice.id, minutes: 5 })).toBe("forbidden");
    const { until: mutedUntil } = await ok(m, "chat.mute", { channel: channel(), userId: bob.id, minutes: 10 });
    expect(new Date(mutedUntil).getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(await refused(b, "chat.send", { channel: channel(), text: "let me speak" })).toBe("muted");
    // A mute is per channel.
    await ok(b, "chat.send", { channel: `session:${world.sessionIds[0]}`, text: "elsewhere" });
    await ok(m, "chat.mute", { channel: channel(), userId: bob.id, minutes: 0 });
    await ok(b, "chat.send", { channel: channel(), text: "back" });
  });

  it("slows a channel down, exempting moderators", async () => {
    // Someone who has not written here yet, so the first message is inside the limit.
    const erin = await person(server, db, "Erin");
    await giveTicket(db, world, erin);
    const a = await open(erin);
    const m = await open(mo);
    await ok(m, "chat.join", { channel: channel() });
    expect(await refused(a, "chat.settings", { channel: channel(), slowModeSeconds: 60 })).toBe("forbidden");
    const { settings } = await ok(m, "chat.settings", { channel: channel(), slowModeSeconds: 60 });
    expect(settings.slowModeSeconds).toBe(60);
    await ok(a, "chat.send", { channel: channel(), text: "one" });
    expect(await refused(a, "chat.send", { channel: channel(), text: "two" })).toBe("slow_mode");
    await ok(m, "chat.send", { channel: channel(), text: "mods are not slowed" });
    await ok(m, "chat.send", { channel: channel(), text: "really" });
    await ok(m, "chat.settings", { channel: channel(), slowModeSeconds: 0 });
    await ok(a, "chat.send", { channel: channel(), text: "two" });
  });

  it("disables and re-enables a channel, telling everyone in it", async () => {
    const a = await open(alice);
    const m = await open(mo);
    await ok(a, "chat.join", { channel: channel() });
    await ok(m, "chat.settings", { channel: channel(), disabled: true });
    await until(() => pushes(a, "chat.settings").some((p) => p.settings.disabled === true));
    expect(await refused(a, "chat.send", { channel: channel(), text: "hello?" })).toBe("chat_disabled");
    await ok(m, "chat.send", { channel: channel(), text: "we are back in five" });
    await ok(m, "chat.settings", { channel: channel(), disabled: false });
    await ok(a, "chat.send", { channel: channel(), text: "hello" });
  });

  it("pins a message for everyone; only moderators may", async () => {
    const a = await open(alice);
    const m = await open(mo);
    await ok(a, "chat.join", { channel: channel() });
    const { message } = await ok(m, "chat.send", { channel: channel(), text: "Slides: https://example.org/slides" });
    expect(await refused(a, "chat.pin", { channel: channel(), messageId: message.id })).toBe("forbidden");
    await ok(m, "chat.pin", { channel: channel(), messageId: message.id });
    await until(() => pushes(a, "chat.settings").some((p) => p.settings.pinnedMessageId === message.id));
    expect((await ok(a, "chat.join", { channel: channel() })).settings.pinnedMessageId).toBe(message.id);
    await ok(m, "chat.pin", { channel: channel(), messageId: null });
  });

  it("takes reports, which moderators read", async () => {
    const a = await open(alice);
    const b = await open(bob);
    const m = await open(mo);
    const { message } = await ok(b, "chat.send", { channel: channel(), text: "buy my crypto" });
    await ok(a, "chat.report", { messageId: message.id, reason: "spam" });
    // A second report by the same person keeps the first.
    await ok(a, "chat.report", { messageId: message.id, reason: "other", note: "again" });
    expect(await refused(a, "chat.reports", { channel: channel() })).toBe("forbidden");
    const { reports } = await ok(m, "chat.reports", { channel: channel() });
    expect(reports.filter((r: { messageId: number }) => r.messageId === message.id)).toEqual([
      expect.objectContaining({ reason: "Spam", reporter: { id: alice.id, name: "Alice" }, author: { id: bob.id, name: "Bob" }, text: "buy my crypto", resolution: null }),
    ]);
  });
});

describe("blocking, private messages and unread counts", () => {
  it("hides each side's messages from the other, live and in history", async () => {
    const channel = `session:${world.sessionIds[0]}`;
    const a = await open(alice);
    const b = await open(bob);
    const c = await open(carol);
    for (const s of [a, b, c]) await ok(s, "chat.join", { channel });
    await ok(b, "chat.block", { userId: alice.id });
    await ok(a, "chat.send", { channel, text: "from alice while blocked" });
    await ok(b, "chat.send", { channel, text: "from bob while blocked" });
    await ok(c, "chat.send", { channel, text: "from carol" });
    await until(() => texts(a, channel).includes("from carol") && texts(b, channel).includes("from carol"));
    expect(texts(c, channel)).toEqual(expect.arrayContaining(["from alice while blocked", "from bob while blocked"]));
    expect(texts(b, channel)).not.toContain("from alice while blocked");
    expect(texts(a, channel)).not.toContain("from bob while blocked");
    const bobHistory = (await ok(b, "chat.join", { channel })).messages.map((m: { text: string }) => m.text);
    expect(bobHistory).toContain("from carol");
    expect(bobHistory).not.toContain("from alice while blocked");

    const dm = `dm:${world.eventId}:${[alice.id, bob.id].sort().join(":")}`;
    expect(await refused(a, "chat.send", { channel: dm, text: "hi bob" })).toBe("blocked");
    await ok(b, "chat.unblock", { userId: alice.id });
    await ok(b, "chat.join", { channel: dm });
    await ok(a, "chat.send", { channel: dm, text: "hi bob" });
    await until(() => texts(b, dm).includes("hi bob"));
    // A third person cannot read a private conversation.
    expect(await refused(c, "chat.join", { channel: dm })).toBe("not_found");
  });

  it("refuses private messages when the organizer turned them off", async () => {
    await db.updateTable("events").set({ private_messages: 0 }).where("id", "=", world.eventId).execute();
    const dm = `dm:${world.eventId}:${[alice.id, carol.id].sort().join(":")}`;
    expect(await refused(await open(alice), "chat.send", { channel: dm, text: "psst" })).toBe("private_messages_off");
    await db.updateTable("events").set({ private_messages: 1 }).where("id", "=", world.eventId).execute();
  });

  it("counts unread messages per channel until read", async () => {
    const channel = `backstage:${world.eventId}`;
    const o = await open(owner);
    const m = await open(mo);
    const { counts: before } = await ok(o, "chat.unread", { channels: [channel] });
    const sent = [];
    for (const text of ["one", "two", "three"]) sent.push((await ok(m, "chat.send", { channel, text })).message);
    const { counts } = await ok(o, "chat.unread", { channels: [channel] });
    expect(counts[channel]).toBe(before[channel] + 3);
    await ok(o, "chat.read", { channel, lastId: sent[1].id });
    expect((await ok(o, "chat.unread", { channels: [channel] })).counts[channel]).toBe(1);
    // A marker never moves back.
    await ok(o, "chat.read", { channel, lastId: sent[0].id });
    expect((await ok(o, "chat.unread", { channels: [channel] })).counts[channel]).toBe(1);
  });
});
