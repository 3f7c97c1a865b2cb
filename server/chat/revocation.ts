/**
 * Subscriptions end with the right to read them: when someone may have lost access (see
 * accounts/access-signals.ts: a team removal, a cancelled, refunded or revoked ticket, a
 * ban), each channel their open sockets listen to is checked again, and those they may no
 * longer read are left at once with a `chat.left` push that says why.
 */
import type { Kysely } from "kysely";
import { type AccessLoss, type AccessLossReason, onAccessLost } from "../accounts/access-signals.ts";
import { connectionActor } from "../accounts/realtime-gate.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { channelAccess } from "./channels.ts";
import type { ChatRooms } from "./ChatRooms.ts";
import type { ChatLeftPush, ChatLeftReason } from "./wire.ts";

/** What the person is told, by why access may have ended. */
const EXPLAINED: Record<ChatLeftReason, string> = {
  access_lost: "You no longer have access to this chat",
  ticket_cancelled: "Your ticket was cancelled, so this chat is closed to you",
  ticket_refunded: "Your ticket was refunded, so this chat is closed to you",
  ticket_revoked: "Your ticket was revoked, so this chat is closed to you",
  team_removed: "You are no longer on this event's team, so this chat is closed to you",
  speaker_removed: "You are no longer a speaker at this event, so this chat is closed to you",
};

function leftReason(reason: AccessLossReason): ChatLeftReason {
  switch (reason) {
    case "ticket_cancelled":
    case "ticket_refunded":
    case "ticket_revoked":
    case "team_removed":
    case "speaker_removed":
      return reason;
    case "team_role_changed":
    case "banned":
      return "access_lost";
  }
}

/** Re-checks one user's chat subscriptions; returns the channels they were taken out of. */
export async function recheckSubscriptions(db: Kysely<DB>, rooms: ChatRooms, loss: AccessLoss): Promise<string[]> {
  const left: string[] = [];
  for (const { connection, channel } of rooms.subscriptionsOf(loss.userId)) {
    const mayRead = await channelAccess(db, connectionActor(connection.user), loss.userId, channel).then(
      () => true,
      (error: unknown) => {
        // Not found or forbidden is the answer; anything else is a fault to report, not a reason to cut someone off.
        if (error instanceof AppError && error.status < 500) return false;
        throw error;
      },
    );
    if (mayRead) continue;
    rooms.leave(connection, channel);
    const reason = leftReason(loss.reason);
    connection.send({ t: "chat.left", channel, reason, message: EXPLAINED[reason] } satisfies ChatLeftPush);
    left.push(channel);
  }
  return left;
}

/** Listens for losses of access for as long as the server runs; returns the stop. */
export function endSubscriptionsOnLostAccess(db: Kysely<DB>, rooms: ChatRooms, log: Logger): () => void {
  return onAccessLost(
    async (loss) => {
      const left = await recheckSubscriptions(db, rooms, loss);
      if (left.length > 0) log.info({ userId: loss.userId, reason: loss.reason, channels: left }, "chat subscriptions ended: access lost");
    },
    (err) => log.error({ err }, "re-checking chat subscriptions failed"),
  );
}
