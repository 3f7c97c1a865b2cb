/**
 * The moderators' reports view and mutes list, and private conversations started from a
 * person (chat.open) and listed with unread counts (chat.conversations), against the real
 * server.
 */
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import type { TestServer } from "../support/server.ts";
import type { TestSocket } from "../support/ws-client.ts";
import { type ChatCast, chatCast, type EventWorld, ok, type Person, pushes, refused, until } from "./chat-support.ts";

let cast: ChatCast;
let server: TestServer;
let db: Kysely<DB>;
let world: EventWorld;
let owner: Person, mo: Person, alice: Person, bob: Person, carol: Person, outsider: Person;
let lobby: string;
const open = (who: Person) => cast.open(who);

beforeAll(async () => {
  cast = await chatCast();
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
    for (const message of [spam, rude, fine]) await ok(a, "chat.report", { messageId: message.id, reason: `about ${message.text}` });
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
