/** Chat queries: messages with their authors and reactions, channel settings, mutes, blocks, reads. */
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { ChannelSettings, ChatMessage } from "./wire.ts";

export type { ChannelSettings, ChatMessage } from "./wire.ts";

/** History pages and resumes return at most this many messages. */
export const PAGE = 100;

function baseQuery(db: Kysely<DB>, channel: string, hidden: readonly string[]) {
  let query = db
    .selectFrom("chat_messages as m")
    .innerJoin("users as u", "u.id", "m.author_id")
    .select(["m.id", "m.channel", "m.author_id", "u.display_name", "m.text", "m.reply_to", "m.mentions", "m.created_at", "m.deleted_at"])
    .where("m.channel", "=", channel);
  if (hidden.length > 0) query = query.where("m.author_id", "not in", hidden);
  return query;
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>["execute"]>>[number];

async function withReactions(db: Kysely<DB>, rows: Row[]): Promise<ChatMessage[]> {
  const ids = rows.map((r) => r.id);
  const counts = ids.length
    ? await db
        .selectFrom("chat_reactions")
        .select((eb) => ["message_id", "emoji", eb.fn.countAll<number>().as("count")])
        .where("message_id", "in", ids)
        .groupBy(["message_id", "emoji"])
        .execute()
    : [];
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    author: { id: r.author_id, name: r.display_name },
    text: r.deleted_at ? "" : r.text,
    replyTo: r.reply_to,
    mentions: JSON.parse(r.mentions) as string[],
    reactions: Object.fromEntries(counts.filter((c) => c.message_id === r.id).map((c) => [c.emoji, Number(c.count)])),
    createdAt: r.created_at,
    deleted: r.deleted_at !== null,
  }));
}

/** Messages after `afterId` in order (a resume), or the latest page when no id is given. */
export async function messagesAfter(db: Kysely<DB>, channel: string, afterId: number | undefined, hidden: readonly string[]) {
  if (afterId === undefined) {
    const rows = await baseQuery(db, channel, hidden).orderBy("m.id", "desc").limit(PAGE + 1).execute();
    return { messages: await withReactions(db, rows.slice(0, PAGE).reverse()), hasMore: rows.length > PAGE, truncated: false };
  }
  const rows = await baseQuery(db, channel, hidden).where("m.id", ">", afterId).orderBy("m.id").limit(PAGE + 1).execute();
  return { messages: await withReactions(db, rows.slice(0, PAGE)), hasMore: false, truncated: rows.length > PAGE };
}

export async function messagesBefore(db: Kysely<DB>, channel: string, beforeId: number, hidden: readonly string[]) {
  const rows = await baseQuery(db, channel, hidden).where("m.id", "<", beforeId).orderBy("m.id", "desc").limit(PAGE + 1).execute();
  return { messages: await withReactions(db, rows.slice(0, PAGE).reverse()), hasMore: rows.length > PAGE };
}

export async function messageById(db: Kysely<DB>, id: number): Promise<ChatMessage | undefined> {
  const row = await db
    .selectFrom("chat_messages as m")
    .innerJoin("users as u", "u.id", "m.author_id")
    .select(["m.id", "m.channel", "m.author_id", "u.display_name", "m.text", "m.reply_to", "m.mentions", "m.created_at", "m.deleted_at"])
    .where("m.id", "=", id)
    .executeTakeFirst();
  return row ? (await withReactions(db, [row]))[0] : undefined;
}

export async function channelSettings(db: Kysely<DB>, channel: string): Promise<ChannelSettings> {
  const row = await db.selectFrom("chat_channels").selectAll().where("channel", "=", channel).executeTakeFirst();
  return { slowModeSeconds: row?.slow_mode_seconds ?? 0, disabled: row?.disabled === 1, pinnedMessageId: row?.pinned_message_id ?? null };
}

export async function saveChannelSettings(db: Kysely<DB>, channel: string, settings: ChannelSettings): Promise<void> {
  const values = {
    slow_mode_seconds: settings.slowModeSeconds,
    disabled: settings.disabled ? 1 : 0,
    pinned_message_id: settings.pinnedMessageId,
    updated_at: new Date().toISOString(),
  };
  await db
    .insertInto("chat_channels")
    .values({ channel, ...values })
    .onConflict((oc) => oc.column("channel").doUpdateSet(values))
    .execute();
}

/** Everyone on either side of a block with this user. */
export async function blockPeers(db: Kysely<DB>, userId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom("user_blocks")
    .select(["blocker_id", "blocked_id"])
    .where((eb) => eb.or([eb("blocker_id", "=", userId), eb("blocked_id", "=", userId)]))
    .execute();
  return new Set(rows.map((r) => (r.blocker_id === userId ? r.blocked_id : r.blocker_id)));
}

/** Messages after the user's read marker, per channel, not counting their own. */
export async function unreadCounts(db: Kysely<DB>, userId: string, channels: readonly string[]): Promise<Record<string, number>> {
  if (channels.length === 0) return {};
  const rows = await db
    .selectFrom("chat_messages as m")
    .leftJoin("chat_reads as r", (join) => join.onRef("r.channel", "=", "m.channel").on("r.user_id", "=", userId))
    .select((eb) => ["m.channel", eb.fn.countAll<number>().as("count")])
    .where("m.channel", "in", channels)
    .where("m.author_id", "!=", userId)
    .where("m.deleted_at", "is", null)
    .where((eb) => eb.or([eb("r.last_read_id", "is", null), eb("m.id", ">", eb.ref("r.last_read_id"))]))
    .groupBy("m.channel")
    .execute();
  const counts: Record<string, number> = Object.fromEntries(channels.map((c) => [c, 0]));
  for (const row of rows) counts[row.channel] = Number(row.count);
  return counts;
}
