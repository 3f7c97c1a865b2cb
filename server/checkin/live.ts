/**
 * Live check-in counts. Team members with the event's dashboard open send `checkin.watch`
 * and get the counts at once, then a `checkin.counts` push on the event's topic after every
 * upload of scans that admitted someone, whether scanned online or synced from a scanner's
 * offline queue. Counting happens only while somebody watches.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import { connectionActor } from "../accounts/realtime-gate.ts";
import type { DB } from "../db/schema.ts";
import { authorizeEvent } from "../events/access.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { eventCheckIns, listsOfEvent } from "./lists.ts";

export type CheckinCounts = {
  eventId: string;
  /** Tickets admitted on at least one list. */
  checkedIn: number;
  lists: { id: string; name: string; checkedIn: number; expected: number }[];
};
export type CheckinCountsPush = { t: "checkin.counts" } & CheckinCounts;

export type LiveCheckinDeps = { db: Kysely<DB>; fanout: Fanout };

export const checkinTopic = (eventId: string) => `checkins:${eventId}`;

export async function checkinCounts(db: Kysely<DB>, eventId: string): Promise<CheckinCounts> {
  const [checkedIn, lists] = await Promise.all([eventCheckIns(db, eventId), listsOfEvent(db, eventId)]);
  return { eventId, checkedIn, lists: lists.map((l) => ({ id: l.id, name: l.name, checkedIn: l.checkedIn, expected: l.expected })) };
}

/** Pushes the event's counts to those watching it; nothing is counted when nobody is. */
export async function publishCheckinCounts(deps: LiveCheckinDeps, eventId: string): Promise<void> {
  const topic = checkinTopic(eventId);
  if (deps.fanout.subscriberCount(topic) === 0) return;
  const push: CheckinCountsPush = { t: "checkin.counts", ...(await checkinCounts(deps.db, eventId)) };
  deps.fanout.publish(topic, push, "durable");
}

const watchBody = z.strictObject({ eventId: z.uuid() });

export function registerCheckinMessages(router: MessageRouter, deps: LiveCheckinDeps): void {
  router.on("checkin.watch", {
    schema: watchBody,
    action: "event.read",
    access: "user",
    async handle({ eventId }, { connection }) {
      await authorizeEvent(deps.db, connectionActor(connection.user), "event.read", eventId);
      deps.fanout.subscribe(connection, checkinTopic(eventId));
      return checkinCounts(deps.db, eventId);
    },
  });
  router.on("checkin.unwatch", {
    schema: watchBody,
    action: "event.read",
    access: "user",
    handle({ eventId }, { connection }) {
      deps.fanout.unsubscribe(connection, checkinTopic(eventId));
      return {};
    },
  });
}
