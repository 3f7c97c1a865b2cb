/**
 * Chat channels are text keys: `event:<event>` (the lobby), `session:<session>` (the room),
 * `backstage:<event>` (team and speakers) and `dm:<event>:<user>:<user>` (the two user ids
 * in sorted order). This resolves a key to its event and the caller's rights in it.
 *
 * Moderation also names `dm:<event>`, the event's private messages as a whole: reports on
 * any of its conversations are listed under it and a mute under it stops its author's
 * private messages in the whole event. It is never a channel anyone joins.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Actor } from "../accounts/actor.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { eventStanding, sessionStanding, takesPart } from "./access.ts";

const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const CHANNEL = new RegExp(`^(?:(event|session|backstage):(${uuid})|dm:(${uuid}):(${uuid}):(${uuid}))$`, "i");

const PRIVATE_SCOPE = new RegExp(`^dm:(${uuid})$`, "i");

export const channelSchema = z.string().max(160).regex(CHANNEL, "Not a chat channel");

/** What moderators act on: a channel, or `dm:<event>` (all of an event's private messages). */
export const moderationScopeSchema = z.string().max(160).refine((s) => CHANNEL.test(s) || PRIVATE_SCOPE.test(s), "Not a chat channel");

/** The moderation scope of an event's private messages (reports and mutes of all its conversations). */
export const privateScope = (eventId: string) => `dm:${eventId}`;

export type ChannelKind = "event" | "session" | "backstage" | "dm";

export type ChannelAccess = {
  channel: string;
  kind: ChannelKind;
  eventId: string;
  eventTitle: string;
  /** The other person of a private channel. */
  peerId: string | null;
  canModerate: boolean;
};

/** The channel key of a private conversation between two users of an event. */
export function dmChannel(eventId: string, a: string, b: string): string {
  const [first, second] = [a, b].sort();
  return `dm:${eventId}:${first}:${second}`;
}

/** Resolves the channel and checks the caller may read and write it; outsiders get 404. */
export async function channelAccess(db: Kysely<DB>, actor: Actor, userId: string, channel: string): Promise<ChannelAccess> {
  const match = CHANNEL.exec(channel);
  if (!match) throw AppError.badRequest("bad_channel", "Not a chat channel");
  const noSuch = () => AppError.notFound("No such chat channel, or you may not join it");
  const kind = (match[1] ?? "dm") as ChannelKind;
  if (kind === "session") {
    const standing = await sessionStanding(db, actor, userId, match[2]);
    if (!standing.mayEnter) throw noSuch();
    return { channel, kind, eventId: standing.eventId, eventTitle: standing.eventTitle, peerId: null, canModerate: standing.canModerate };
  }
  const eventId = kind === "dm" ? match[3] : match[2];
  const standing = await eventStanding(db, actor, userId, eventId);
  const participant = standing.hasTicket || standing.isTeam || standing.isSpeaker;
  const base = { channel, kind, eventId, eventTitle: standing.eventTitle, canModerate: standing.canModerate };
  if (kind === "event") {
    if (!participant) throw noSuch();
    return { ...base, peerId: null };
  }
  if (kind === "backstage") {
    if (!standing.isTeam && !standing.isSpeaker) throw noSuch();
    return { ...base, peerId: null };
  }
  const [a, b] = [match[4], match[5]];
  if (a >= b || (userId !== a && userId !== b)) throw noSuch();
  const peerId = userId === a ? b : a;
  // Both by their own part in the event (not by platform powers), so either can always answer.
  if (!standing.takesPart || !(await takesPart(db, peerId, eventId))) throw noSuch();
  if (!standing.privateMessages) throw AppError.forbidden("private_messages_off", "The organizer turned private messages off for this event");
  return { ...base, peerId, canModerate: false };
}

/**
 * Checks the caller moderates the channel, or (for `dm:<event>`) the event whose private
 * messages it names; returns the event and whether the scope is the private one.
 */
export async function moderationAccess(db: Kysely<DB>, actor: Actor, userId: string, scope: string): Promise<{ eventId: string; isPrivate: boolean }> {
  const forbidden = () => AppError.forbidden("forbidden", "Only the event's moderators may do that");
  const privateMatch = PRIVATE_SCOPE.exec(scope);
  if (privateMatch) {
    const standing = await eventStanding(db, actor, userId, privateMatch[1]);
    if (!standing.canModerate) throw forbidden();
    return { eventId: standing.eventId, isPrivate: true };
  }
  const access = await channelAccess(db, actor, userId, scope);
  if (!access.canModerate) throw forbidden();
  return { eventId: access.eventId, isPrivate: false };
}

/**
 * Of the users a message mentions, those who read its channel in their own right (a ticket
 * that grants it, a place on the team, a speaker's entry; in a private channel only the two
 * people): the rest are dropped without a word, so a mention can neither notify someone
 * outside the event nor tell the sender whether an account exists. Platform powers do not
 * count: an admin who could look in is not a member of the audience.
 */
export async function mentionable(db: Kysely<DB>, channel: string, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const users = await db.selectFrom("users").select("id").where("id", "in", [...new Set(userIds)]).where("banned_at", "is", null).execute();
  const readers = await Promise.all(users.map(async ({ id }) => {
    const ownPart: Actor = { kind: "user", userId: id, credential: { kind: "access_token" } };
    return channelAccess(db, ownPart, id, channel).then(() => id, () => null);
  }));
  return readers.filter((id): id is string => id !== null);
}
