/**
 * Chat channels are text keys: `event:<event>` (the lobby), `session:<session>` (the room),
 * `backstage:<event>` (team and speakers) and `dm:<event>:<user>:<user>` (the two user ids
 * in sorted order). This resolves a key to its event and the caller's rights in it.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Actor } from "../accounts/actor.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { eventStanding, isParticipant, sessionStanding } from "./access.ts";

const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const CHANNEL = new RegExp(`^(?:(event|session|backstage):(${uuid})|dm:(${uuid}):(${uuid}):(${uuid}))$`, "i");

export const channelSchema = z.string().max(160).regex(CHANNEL, "Not a chat channel");

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
  if (!participant) throw noSuch();
  if (!standing.privateMessages) throw AppError.forbidden("private_messages_off", "The organizer turned private messages off for this event");
  const peerId = userId === a ? b : a;
  if (!(await isParticipant(db, peerId, eventId))) throw noSuch();
  return { ...base, peerId, canModerate: false };
}
