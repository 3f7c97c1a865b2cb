/**
 * Private one-to-one conversations: `chat.open` finds (or starts) the channel between the
 * caller and another participant of the event, refusing when the organizer turned private
 * messages off or either side blocks the other; `chat.conversations` lists the caller's
 * conversations in an event, newest first, with unread counts.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { caller, eventStanding } from "./access.ts";
import { channelAccess, dmChannel } from "./channels.ts";
import type { ChatRooms } from "./ChatRooms.ts";
import { unreadCounts } from "./store.ts";
import type { Conversation } from "./wire.ts";

/** The caller's "Messages" list shows this many conversations at most. */
const MAX_CONVERSATIONS = 100;

export function registerConversations(router: MessageRouter, deps: { db: Kysely<DB>; rooms: ChatRooms }): void {
  const { db, rooms } = deps;

  router.on("chat.open", {
    schema: z.strictObject({ eventId: z.uuid(), userId: z.uuid() }),
    action: "chat.participate",
    access: "user",
    async handle(input, { connection }) {
      const { userId, actor } = caller(connection);
      if (input.userId === userId) throw AppError.badRequest("bad_peer", "You cannot message yourself");
      const channel = dmChannel(input.eventId, userId, input.userId);
      await channelAccess(db, actor, userId, channel);
      if ((await rooms.blockPeers(userId)).has(input.userId)) throw AppError.forbidden("blocked", "One of you has blocked the other");
      const peer = await db.selectFrom("users").select(["id", "display_name as name"]).where("id", "=", input.userId).executeTakeFirstOrThrow();
      return { channel, peer };
    },
  });

  router.on("chat.conversations", {
    schema: z.strictObject({ eventId: z.uuid() }),
    action: "chat.participate",
    access: "user",
    async handle({ eventId }, { connection }) {
      const { userId, actor } = caller(connection);
      const standing = await eventStanding(db, actor, userId, eventId);
      if (!standing.hasTicket && !standing.isTeam && !standing.isSpeaker) throw AppError.notFound("No such event");
      if (!standing.privateMessages) return { enabled: false, conversations: [] };
      return { enabled: true, conversations: await conversationsOf(db, rooms, eventId, userId) };
    },
  });
}

async function conversationsOf(db: Kysely<DB>, rooms: ChatRooms, eventId: string, userId: string): Promise<Conversation[]> {
  const latest = await db
    .selectFrom("chat_messages")
    .select((eb) => ["channel", eb.fn.max("id").as("lastId")])
    .where("event_id", "=", eventId)
    .where((eb) => eb.or([eb("channel", "like", `dm:${eventId}:${userId}:%`), eb("channel", "like", `dm:${eventId}:%:${userId}`)]))
    .groupBy("channel")
    .orderBy("lastId", "desc")
    .limit(MAX_CONVERSATIONS)
    .execute();
  if (latest.length === 0) return [];
  const channels = latest.map((l) => l.channel);
  const peerOf = (channel: string) => channel.split(":").slice(2).find((id) => id !== userId) ?? userId;
  const [messages, peers, unread, blocked] = await Promise.all([
    db.selectFrom("chat_messages").select(["id", "channel", "text", "author_id", "created_at", "deleted_at"])
      .where("id", "in", latest.map((l) => Number(l.lastId))).execute(),
    db.selectFrom("users").select(["id", "display_name"]).where("id", "in", channels.map(peerOf)).execute(),
    unreadCounts(db, userId, channels),
    rooms.blockPeers(userId),
  ]);
  return channels.map((channel) => {
    const peerId = peerOf(channel);
    const message = messages.find((m) => m.channel === channel);
    const isBlocked = blocked.has(peerId);
    return {
      channel,
      peer: { id: peerId, name: peers.find((p) => p.id === peerId)?.display_name ?? "Someone" },
      last: message && !isBlocked ? { text: message.deleted_at ? "" : message.text, authorId: message.author_id, createdAt: message.created_at } : null,
      unread: isBlocked ? 0 : unread[channel] ?? 0,
      blocked: isBlocked,
    };
  });
}
