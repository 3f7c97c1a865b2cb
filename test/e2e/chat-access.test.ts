/**
 * Chat access that changes or reaches too far, against the real server: mentions reach only
 * people who read the channel, and a subscription ends (a `chat.left` push) as soon as the
 * access that allowed it is gone: a team removal, a cancelled ticket.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addToTeam, type ChatCast, chatCast, giveTicket, ok, person, pushes, until } from "./chat-support.ts";

let cast: ChatCast;
beforeAll(async () => {
  cast = await chatCast();
}, 60_000);
afterAll(() => cast?.close());

describe("mentions", () => {
  it("notify only people who can read the channel; an outsider and the platform admin are dropped silently", async () => {
    const { alice, carol, outsider } = cast.people;
    const admin = await person(cast.server, cast.db, "Pat Platform", "admin");
    const sender = await cast.open(alice);
    const watchers = await Promise.all([carol, outsider, admin].map(async (who) => {
      const socket = await cast.open(who);
      await ok(socket, "notify.subscribe");
      return socket;
    }));
    await ok(sender, "chat.join", { channel: cast.lobby });
    const { message } = await ok(sender, "chat.send", {
      channel: cast.lobby, text: "@Carol @Outsider @Pat click https://evil.example/", mentions: [carol.id, outsider.id, admin.id],
    });
    expect(message.mentions).toEqual([carol.id]);
    await watchers[0].next((f) => f.t === "notify.new");
    // Carol's notification has arrived, so theirs would have too: nothing in-app, nothing stored to mail.
    for (const socket of watchers.slice(1)) expect(pushes(socket, "notify.new")).toEqual([]);
    const rows = await cast.db.selectFrom("notifications").select("user_id").where("kind", "=", "chat_mention").where("user_id", "in", [outsider.id, admin.id]).execute();
    expect(rows).toEqual([]);

    // Backstage: a ticket holder is not a reader there, so a moderator cannot ping one in.
    const mo = await cast.open(cast.people.mo);
    const backstage = `backstage:${cast.world.eventId}`;
    await ok(mo, "chat.join", { channel: backstage });
    const sent = await ok(mo, "chat.send", { channel: backstage, text: "@Carol @Owner", mentions: [carol.id, cast.people.owner.id] });
    expect(sent.message.mentions).toEqual([cast.people.owner.id]);
  });
});

describe("losing access ends the subscriptions it allowed", () => {
  it("takes a moderator removed from the team out of backstage at once", async () => {
    const { owner } = cast.people;
    const mo = await person(cast.server, cast.db, "Morgan Moderator");
    await addToTeam(cast.db, cast.world, mo, "moderator");
    const backstage = `backstage:${cast.world.eventId}`;
    const moSocket = await cast.open(mo);
    const ownerSocket = await cast.open(owner);
    await ok(moSocket, "chat.join", { channel: backstage });
    await ok(ownerSocket, "chat.join", { channel: backstage });

    const removed = await owner.http.request("DELETE", `/api/organize/events/${cast.world.eventId}/team/${mo.id}`);
    expect(removed.status).toBe(204);
    const left = await moSocket.next((f) => f.t === "chat.left");
    expect(left).toMatchObject({ channel: backstage, reason: "team_removed" });
    expect(String(left.message)).toContain("no longer on this event's team");

    await ok(ownerSocket, "chat.send", { channel: backstage, text: "plans for tomorrow" });
    await until(() => pushes(ownerSocket, "chat.message").some((p) => p.message.text === "plans for tomorrow"));
    // The owner's own push is in; a listener still subscribed would have had it by now too.
    await ok(moSocket, "sys.ping");
    expect(pushes(moSocket, "chat.message").map((p) => p.message.text)).not.toContain("plans for tomorrow");
  });

  it("takes a ticket holder whose ticket was cancelled out of the lobby and the session, and keeps others in", async () => {
    const { owner } = cast.people;
    const dana = await person(cast.server, cast.db, "Dana");
    const ticketId = await giveTicket(cast.db, cast.world, dana);
    const { order_id: orderId } = await cast.db.selectFrom("tickets").select("order_id").where("id", "=", ticketId).executeTakeFirstOrThrow();
    const session = `session:${cast.world.sessionIds[0]}`;
    const socket = await cast.open(dana);
    await ok(socket, "chat.join", { channel: cast.lobby });
    await ok(socket, "chat.join", { channel: session });
    const bob = await cast.open(cast.people.bob);
    await ok(bob, "chat.join", { channel: cast.lobby });

    const cancelled = await owner.http.post(`/api/orders/${orderId}/refunds`, { reason: "Duplicate registration" });
    expect(cancelled.status).toBe(200);
    await until(() => pushes(socket, "chat.left").length === 2);
    expect(pushes(socket, "chat.left").map((p) => [p.channel, p.reason]).sort()).toEqual([[cast.lobby, "ticket_cancelled"], [session, "ticket_cancelled"]].sort());
    expect(await socket.request("chat.send", { channel: cast.lobby, text: "still here?" })).toMatchObject({ t: "error", code: "not_found" });
    // Someone else's subscription is untouched.
    await ok(await cast.open(cast.people.alice), "chat.send", { channel: cast.lobby, text: "hello bob" });
    await until(() => pushes(bob, "chat.message").some((p) => p.message.text === "hello bob"));
    expect(pushes(bob, "chat.left")).toEqual([]);
  });
});
