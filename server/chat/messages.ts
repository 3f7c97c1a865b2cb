/**
 * Chat over the realtime socket: join (history, or a resume after the last id seen),
 * send with replies and mentions, reactions, delete, report, block, read markers, and the
 * moderator's mute, pin, slow mode and disable. Every message re-checks the caller's right
 * to the channel from the tickets and team tables.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Notifier } from "../notifications/Notifier.ts";
import type { RealtimeConnection } from "../realtime/connection.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { caller } from "./access.ts";
import { type ChannelAccess, channelAccess, channelSchema, mentionable, moderationAccess, moderationScopeSchema, privateScope } from "./channels.ts";
import type { ChatRooms } from "./ChatRooms.ts";
import { deleteMessage, muteUser } from "./moderation.ts";
import { channelSettings, messageById, messagesAfter, messagesBefore, saveChannelSettings, unreadCounts } from "./store.ts";
import type { ChatMessage, ReportReason } from "./wire.ts";

export const MAX_MESSAGE_LENGTH = 1_000;
export const CHAT_REACTIONS = ["👍", "❤️", "😂", "🎉", "👏", "😮"] as const;
/** The reasons a person may give for a report, as moderators read them (the client offers the same keys). */
export const REPORT_REASON_LABELS = { spam: "Spam", harassment: "Harassment or hate", off_topic: "Off-topic", other: "Other" } as const satisfies Record<ReportReason, string>;
export const MAX_REPORT_NOTE_LENGTH = 500;
const messageId = z.number().int().positive();
const reportReasons = Object.keys(REPORT_REASON_LABELS) as [ReportReason, ...ReportReason[]];

type Deps = { db: Kysely<DB>; rooms: ChatRooms; notifier: Notifier };

export function registerChatMessages(router: MessageRouter, deps: Deps): void {
  const { db, rooms, notifier } = deps;
  const access = (connection: RealtimeConnection, channel: string) => {
    const { userId, actor } = caller(connection);
    return channelAccess(db, actor, userId, channel).then((a) => ({ ...a, userId }));
  };
  const moderator = async (connection: RealtimeConnection, channel: string) => {
    const a = await access(connection, channel);
    if (!a.canModerate) throw AppError.forbidden("forbidden", "Only the event's moderators may do that");
    return a;
  };
  /** The message and the caller's rights in its channel (404 for messages they may not see). */
  const loadMessage = async (connection: RealtimeConnection, id: number) => {
    const message = await messageById(db, id);
    if (!message) throw AppError.notFound("No such message");
    return { message, access: await access(connection, message.channel) };
  };
  const hidden = async (userId: string) => [...(await rooms.blockPeers(userId))];
  const publishSettings = async (channel: string) => {
    const settings = await channelSettings(db, channel);
    await rooms.publish(channel, { t: "chat.settings", channel, settings }, null);
    return settings;
  };

  router.on("chat.join", {
    schema: z.strictObject({ channel: channelSchema, afterId: z.number().int().nonnegative().optional() }),
    action: "chat.participate",
    access: "user",
    async handle({ channel, afterId }, { connection }) {
      const a = await access(connection, channel);
      // Subscribe before reading, so nothing published in between is missed (the client drops repeats).
      rooms.join(connection, channel);
      const page = await messagesAfter(db, channel, afterId, await hidden(a.userId));
      return { channel, eventId: a.eventId, ...page, settings: await channelSettings(db, channel), canModerate: a.canModerate };
    },
  });

  router.on("chat.leave", {
    schema: z.strictObject({ channel: channelSchema }),
    action: "chat.participate",
    access: "user",
    handle({ channel }, { connection }) {
      rooms.leave(connection, channel);
      return {};
    },
  });

  router.on("chat.history", {
    schema: z.strictObject({ channel: channelSchema, beforeId: messageId }),
    action: "chat.participate",
    access: "user",
    async handle({ channel, beforeId }, { connection }) {
      const a = await access(connection, channel);
      return messagesBefore(db, channel, beforeId, await hidden(a.userId));
    },
  });

  router.on("chat.send", {
    schema: z.strictObject({
      channel: channelSchema,
      text: z.string().trim().min(1, "Write something").max(MAX_MESSAGE_LENGTH, `Use at most ${MAX_MESSAGE_LENGTH} characters`),
      replyTo: messageId.optional(),
      mentions: z.array(z.uuid()).max(20).optional(),
    }),
    action: "chat.participate",
    access: "user",
    write: true,
    async handle(input, { connection }) {
      const a = await access(connection, input.channel);
      await checkMaySend(db, a, a.userId);
      if (a.peerId && (await rooms.blockPeers(a.userId)).has(a.peerId)) {
        throw AppError.forbidden("blocked", "One of you has blocked the other");
      }
      if (input.replyTo !== undefined) {
        const parent = await db.selectFrom("chat_messages").select("channel").where("id", "=", input.replyTo).executeTakeFirst();
        if (parent?.channel !== input.channel) throw AppError.badRequest("bad_reply", "You can only reply to a message in the same channel");
      }
      const mentions = await mentionable(db, input.channel, input.mentions ?? []);
      const inserted = await db
        .insertInto("chat_messages")
        .values({
          channel: input.channel, event_id: a.eventId, author_id: a.userId, text: input.text, reply_to: input.replyTo ?? null,
          mentions: JSON.stringify(mentions), created_at: new Date().toISOString(),
        })
        .returning((eb) => [
          "id", "created_at",
          eb.selectFrom("users").select("users.display_name").whereRef("users.id", "=", "chat_messages.author_id").as("author_name"),
        ])
        .executeTakeFirstOrThrow();
      // As messageById would read it back: a new message has no reactions yet.
      const message: ChatMessage = {
        id: inserted.id, channel: input.channel, author: { id: a.userId, name: inserted.author_name ?? "" }, text: input.text,
        replyTo: input.replyTo ?? null, mentions, reactions: {}, createdAt: inserted.created_at, deleted: false,
      };
      await rooms.publish(input.channel, { t: "chat.message", message }, a.userId);
      if (a.peerId) rooms.notifyPrivateMessage(a.peerId, { t: "chat.conversation", channel: input.channel, message });
      for (const userId of mentions) {
        if (userId === a.userId) continue;
        void notifier
          .notify({
            userId, kind: "chat_mention", eventId: a.eventId, brand: a.eventTitle, dedupeKey: `mention:${message.id}:${userId}`,
            title: `${message.author.name} mentioned you`, body: input.text.slice(0, 300),
          })
          .catch(() => undefined);
      }
      return { message };
    },
  });

  router.on("chat.react", {
    schema: z.strictObject({ messageId, emoji: z.enum(CHAT_REACTIONS) }),
    action: "chat.participate",
    access: "user",
    write: true,
    async handle(input, { connection }) {
      const { message, access: a } = await loadMessage(connection, input.messageId);
      const key = { message_id: message.id, user_id: a.userId, emoji: input.emoji };
      // A second click on the same reaction takes it back.
      const removed = await db.deleteFrom("chat_reactions").where("message_id", "=", key.message_id).where("user_id", "=", key.user_id).where("emoji", "=", key.emoji).executeTakeFirst();
      if (removed.numDeletedRows === 0n) await db.insertInto("chat_reactions").values(key).execute();
      const { reactions } = (await messageById(db, message.id))!;
      await rooms.publish(message.channel, { t: "chat.reactions", channel: message.channel, messageId: message.id, reactions }, a.userId);
      return { reactions };
    },
  });

  router.on("chat.delete", {
    schema: z.strictObject({ messageId }),
    action: "chat.participate",
    access: "user",
    async handle(input, { connection }) {
      const { message, access: a } = await loadMessage(connection, input.messageId);
      if (message.author.id !== a.userId && !a.canModerate) throw AppError.forbidden("forbidden", "You may only delete your own messages");
      await deleteMessage(db, rooms, message, a.userId);
      return {};
    },
  });

  router.on("chat.report", {
    schema: z.strictObject({
      messageId,
      reason: z.enum(reportReasons, { error: `Choose a reason: ${reportReasons.join(", ")}` }),
      // Optional; an empty or blank note is the same as none.
      note: z.string({ error: "The note must be text" }).trim()
        .max(MAX_REPORT_NOTE_LENGTH, { error: `Keep the note to ${MAX_REPORT_NOTE_LENGTH} characters or fewer` }).optional(),
    }),
    action: "chat.participate",
    access: "user",
    write: true,
    async handle(input, { connection }) {
      const { message, access: a } = await loadMessage(connection, input.messageId);
      // Stored as moderators read it, so reports made before reasons were a choice read the same way.
      const label = REPORT_REASON_LABELS[input.reason];
      const reason = input.note ? `${label}: ${input.note}` : label;
      await db
        .insertInto("chat_reports")
        .values({ id: randomUUID(), message_id: message.id, reporter_id: a.userId, reason, created_at: new Date().toISOString() })
        .onConflict((oc) => oc.columns(["message_id", "reporter_id"]).doNothing())
        .execute();
      return {};
    },
  });

  for (const [type, blocking] of [["chat.block", true], ["chat.unblock", false]] as const) {
    router.on(type, {
      schema: z.strictObject({ userId: z.uuid() }),
      action: "chat.participate",
      access: "user",
      async handle(input, { connection }) {
        const { userId } = caller(connection);
        if (input.userId === userId) throw AppError.badRequest("bad_block", "You cannot block yourself");
        if (blocking) {
          const exists = await db.selectFrom("users").select("id").where("id", "=", input.userId).executeTakeFirst();
          if (!exists) throw AppError.notFound("No such user");
          await db.insertInto("user_blocks").values({ blocker_id: userId, blocked_id: input.userId, created_at: new Date().toISOString() })
            .onConflict((oc) => oc.columns(["blocker_id", "blocked_id"]).doNothing()).execute();
        } else {
          await db.deleteFrom("user_blocks").where("blocker_id", "=", userId).where("blocked_id", "=", input.userId).execute();
        }
        rooms.noteBlock(userId, input.userId, blocking);
        return {};
      },
    });
  }

  router.on("chat.read", {
    schema: z.strictObject({ channel: channelSchema, lastId: messageId }),
    action: "chat.participate",
    access: "user",
    async handle({ channel, lastId }, { connection }) {
      const { userId } = await access(connection, channel);
      await db
        .insertInto("chat_reads")
        .values({ user_id: userId, channel, last_read_id: lastId })
        .onConflict((oc) => oc.columns(["user_id", "channel"]).doUpdateSet((eb) => ({
          last_read_id: eb.fn("max", [eb.ref("chat_reads.last_read_id"), eb.ref("excluded.last_read_id")]),
        })))
        .execute();
      return {};
    },
  });

  router.on("chat.unread", {
    schema: z.strictObject({ channels: z.array(channelSchema).min(1).max(50) }),
    action: "chat.participate",
    access: "user",
    async handle({ channels }, { connection }) {
      const { userId } = caller(connection);
      for (const channel of channels) await access(connection, channel);
      return { counts: await unreadCounts(db, userId, channels) };
    },
  });

  router.on("chat.mute", {
    // A channel, or `dm:<event>`: the user's private messages in the whole event.
    schema: z.strictObject({ channel: moderationScopeSchema, userId: z.uuid(), minutes: z.number().int().min(0).max(7 * 24 * 60) }),
    action: "event.moderate",
    access: "user",
    async handle(input, { connection }) {
      const { userId, actor } = caller(connection);
      await moderationAccess(db, actor, userId, input.channel);
      return { until: await muteUser(db, input.channel, input.userId, input.minutes, userId) };
    },
  });

  router.on("chat.pin", {
    schema: z.strictObject({ channel: channelSchema, messageId: messageId.nullable() }),
    action: "event.moderate",
    access: "user",
    async handle(input, { connection }) {
      await moderator(connection, input.channel);
      if (input.messageId !== null) {
        const row = await db.selectFrom("chat_messages").select("channel").where("id", "=", input.messageId).executeTakeFirst();
        if (row?.channel !== input.channel) throw AppError.notFound("No such message in this channel");
      }
      await saveChannelSettings(db, input.channel, { ...(await channelSettings(db, input.channel)), pinnedMessageId: input.messageId });
      return { settings: await publishSettings(input.channel) };
    },
  });

  router.on("chat.settings", {
    schema: z.strictObject({ channel: channelSchema, slowModeSeconds: z.number().int().min(0).max(3_600).optional(), disabled: z.boolean().optional() }),
    action: "event.moderate",
    access: "user",
    async handle(input, { connection }) {
      await moderator(connection, input.channel);
      const current = await channelSettings(db, input.channel);
      await saveChannelSettings(db, input.channel, {
        ...current,
        slowModeSeconds: input.slowModeSeconds ?? current.slowModeSeconds,
        disabled: input.disabled ?? current.disabled,
      });
      return { settings: await publishSettings(input.channel) };
    },
  });
}

/**
 * Disabled chat, a mute and slow mode stop a sender; moderators are never stopped in the
 * channels they moderate. In a private conversation the mute that counts is the event-wide
 * one (`dm:<event>`), which no one is above.
 */
async function checkMaySend(db: Kysely<DB>, a: ChannelAccess, userId: string): Promise<void> {
  if (a.canModerate) return;
  const muteKey = a.kind === "dm" ? privateScope(a.eventId) : a.channel;
  // One query for both: this runs on every message.
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom("chat_channels").select("chat_channels.disabled").where("chat_channels.channel", "=", a.channel).as("disabled"),
      eb.selectFrom("chat_channels").select("chat_channels.slow_mode_seconds").where("chat_channels.channel", "=", a.channel).as("slow_mode_seconds"),
      eb.selectFrom("chat_mutes").select("chat_mutes.until").where("chat_mutes.channel", "=", muteKey).where("chat_mutes.user_id", "=", userId).as("muted_until"),
    ])
    .executeTakeFirstOrThrow();
  if (row.disabled === 1) throw AppError.forbidden("chat_disabled", "A moderator has turned this chat off");
  const now = new Date();
  if (row.muted_until !== null && row.muted_until > now.toISOString()) {
    const where = a.kind === "dm" ? "from private messages in this event" : "here";
    throw new AppError("muted", 403, `A moderator muted you ${where} until ${new Date(row.muted_until).toUTCString()}`);
  }
  const slowModeSeconds = row.slow_mode_seconds ?? 0;
  if (slowModeSeconds > 0) {
    const since = new Date(now.getTime() - slowModeSeconds * 1_000).toISOString();
    const recent = await db.selectFrom("chat_messages").select("id").where("channel", "=", a.channel).where("author_id", "=", userId).where("created_at", ">", since).executeTakeFirst();
    if (recent) throw new AppError("slow_mode", 429, `Slow mode: one message every ${slowModeSeconds} seconds`);
  }
}
