/**
 * The moderators' view of a channel: reports of its messages (with reporter, author and
 * reason), closed by deleting the message, muting its author for a time, or dismissing;
 * and the mutes in force, which `chat.mute` with 0 minutes lifts. A report is never
 * deleted: it keeps who closed it, when and how.
 *
 * Private messages are moderated per event, under `dm:<event>`: the event's moderators see
 * each reported private message (its text, author, reporter and reason, nothing else of the
 * conversation), and a mute from such a report stops the author's private messages in the
 * whole event.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { RealtimeConnection } from "../realtime/connection.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { caller } from "./access.ts";
import { moderationAccess, moderationScopeSchema, privateScope } from "./channels.ts";
import type { ChatRooms } from "./ChatRooms.ts";
import type { ChatMessage, ChatMute, ChatReport, ReportResolution } from "./wire.ts";

const MAX_MUTE_MINUTES = 7 * 24 * 60;

/**
 * Deletes a message for everyone and closes its open reports as "deleted". Both people of a
 * private conversation are also told on their user topics, so a "Messages" list showing it
 * as the last message updates too.
 */
export async function deleteMessage(db: Kysely<DB>, rooms: ChatRooms, message: Pick<ChatMessage, "id" | "channel">, by: string): Promise<void> {
  const at = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("chat_messages").set({ deleted_at: at, deleted_by: by }).where("id", "=", message.id).where("deleted_at", "is", null).execute();
    await closeReports(trx, message.id, by, "deleted", at);
  });
  const frame = { t: "chat.deleted", channel: message.channel, messageId: message.id } as const;
  await rooms.publish(message.channel, frame, null);
  if (message.channel.startsWith("dm:")) for (const userId of message.channel.split(":").slice(2)) rooms.notifyPrivateMessage(userId, frame);
}

/** Mutes (or, with 0 minutes, unmutes) a user in a channel; returns the end of the mute. */
export async function muteUser(db: Kysely<DB>, channel: string, userId: string, minutes: number, by: string): Promise<string | null> {
  if (minutes === 0) {
    await db.deleteFrom("chat_mutes").where("channel", "=", channel).where("user_id", "=", userId).execute();
    return null;
  }
  const until = new Date(Date.now() + minutes * 60_000).toISOString();
  await db.insertInto("chat_mutes").values({ channel, user_id: userId, until, muted_by: by })
    .onConflict((oc) => oc.columns(["channel", "user_id"]).doUpdateSet({ until, muted_by: by })).execute();
  return until;
}

async function closeReports(db: Kysely<DB>, messageId: number, by: string, resolution: ReportResolution, at: string): Promise<number> {
  const result = await db.updateTable("chat_reports").set({ resolved_at: at, resolved_by: by, resolution })
    .where("message_id", "=", messageId).where("resolved_at", "is", null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function registerModeration(router: MessageRouter, deps: { db: Kysely<DB>; rooms: ChatRooms }): void {
  const { db, rooms } = deps;
  const moderator = async (connection: RealtimeConnection, scope: string) => {
    const { userId, actor } = caller(connection);
    return { ...(await moderationAccess(db, actor, userId, scope)), userId };
  };

  router.on("chat.reports", {
    schema: z.strictObject({ channel: moderationScopeSchema, resolved: z.boolean().optional() }),
    action: "event.moderate",
    access: "user",
    async handle({ channel, resolved }, { connection }) {
      const scope = await moderator(connection, channel);
      let query = db
        .selectFrom("chat_reports as r")
        .innerJoin("chat_messages as m", "m.id", "r.message_id")
        .innerJoin("users as reporter", "reporter.id", "r.reporter_id")
        .innerJoin("users as author", "author.id", "m.author_id")
        .select([
          "r.id", "r.message_id", "r.reason", "r.created_at", "r.resolution", "m.text", "m.deleted_at",
          "reporter.id as reporterId", "reporter.display_name as reporterName", "author.id as authorId", "author.display_name as authorName",
        ])
        .where("r.resolved_at", resolved ? "is not" : "is", null);
      // The reported message alone: never its conversation's other messages, nor whose it is beyond author and reporter.
      query = scope.isPrivate
        ? query.where("m.event_id", "=", scope.eventId).where("m.channel", "like", "dm:%")
        : query.where("m.channel", "=", channel);
      const rows = await query.orderBy("r.created_at", "desc").limit(200).execute();
      const reports: ChatReport[] = rows.map((r) => ({
        id: r.id, messageId: r.message_id, reason: r.reason, createdAt: r.created_at, resolution: r.resolution,
        reporter: { id: r.reporterId, name: r.reporterName }, author: { id: r.authorId, name: r.authorName },
        text: r.deleted_at ? "" : r.text, messageDeleted: r.deleted_at !== null,
      }));
      return { reports };
    },
  });

  router.on("chat.reports.resolve", {
    schema: z.strictObject({
      reportId: z.uuid(),
      action: z.enum(["delete", "mute", "dismiss"]),
      minutes: z.number().int().min(1).max(MAX_MUTE_MINUTES).optional(),
    }),
    action: "event.moderate",
    access: "user",
    async handle(input, { connection }) {
      const report = await db.selectFrom("chat_reports as r").innerJoin("chat_messages as m", "m.id", "r.message_id")
        .select(["r.message_id", "m.channel", "m.event_id", "m.author_id"]).where("r.id", "=", input.reportId).executeTakeFirst();
      if (!report) throw AppError.notFound("No such report");
      // A private message is moderated by its event's moderators, who cannot open the conversation itself.
      const scope = report.channel.startsWith("dm:") ? privateScope(report.event_id) : report.channel;
      const a = await moderator(connection, scope);
      const at = new Date().toISOString();
      if (input.action === "delete") {
        await deleteMessage(db, rooms, { id: report.message_id, channel: report.channel }, a.userId);
        return { resolution: "deleted", resolved: 1 };
      }
      if (input.action === "mute") {
        if (input.minutes === undefined) throw AppError.badRequest("bad_minutes", "Say for how many minutes to mute");
        const resolved = await db.transaction().execute(async (trx) => {
          await muteUser(trx, scope, report.author_id, input.minutes!, a.userId);
          return closeReports(trx, report.message_id, a.userId, "muted", at);
        });
        return { resolution: "muted", resolved };
      }
      return { resolution: "dismissed", resolved: await closeReports(db, report.message_id, a.userId, "dismissed", at) };
    },
  });

  router.on("chat.mutes", {
    schema: z.strictObject({ channel: moderationScopeSchema }),
    action: "event.moderate",
    access: "user",
    async handle({ channel }, { connection }) {
      await moderator(connection, channel);
      const rows = await db
        .selectFrom("chat_mutes as mu")
        .innerJoin("users as u", "u.id", "mu.user_id")
        .leftJoin("users as by", "by.id", "mu.muted_by")
        .select(["u.id", "u.display_name", "mu.until", "by.id as byId", "by.display_name as byName"])
        .where("mu.channel", "=", channel)
        .where("mu.until", ">", new Date().toISOString())
        .orderBy("mu.until")
        .execute();
      const mutes: ChatMute[] = rows.map((r) => ({
        user: { id: r.id, name: r.display_name }, until: r.until, mutedBy: r.byId ? { id: r.byId, name: r.byName ?? "" } : null,
      }));
      return { mutes };
    },
  });
}
