/**
 * The realtime side of recordings: hosts of a session's room watch `recording.watch` and
 * are pushed `recording.warning` (disk space running low, the recording will stop) and
 * `recording.stopped` (it stopped by itself) on the session's hosts-only topic. Anyone on an
 * event's recordings page watches `recording.list.watch` and is pushed `recording.changed`
 * (no details: the page refetches the list, which applies who may see what).
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import { connectionActor } from "../accounts/realtime-gate.ts";
import type { DB } from "../db/schema.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { authorizeControl, authorizeEventView } from "./access.ts";
import { eventRecordingsTopic, hostsTopic } from "./service.ts";

export function registerRecordingMessages(router: MessageRouter, deps: { db: Kysely<DB>; fanout: Fanout }): void {
  router.on("recording.watch", {
    schema: z.strictObject({ sessionId: z.uuid() }),
    action: "recording.control",
    access: "user",
    async handle({ sessionId }, { connection }) {
      await authorizeControl(deps.db, connectionActor(connection.user), sessionId);
      deps.fanout.subscribe(connection, hostsTopic(sessionId));
      return {};
    },
  });
  router.on("recording.list.watch", {
    // The access code an invite-only event's page was opened with, as the list route takes it.
    schema: z.strictObject({ eventId: z.uuid(), code: z.string().max(200).optional() }),
    action: "recording.list",
    access: "anyone",
    async handle({ eventId, code }, { connection }) {
      // Only those who may see the event learn when its recordings change (a draft's stay with its team).
      await authorizeEventView(deps.db, connectionActor(connection.user), eventId, { code, ip: connection.address });
      deps.fanout.subscribe(connection, eventRecordingsTopic(eventId));
      return {};
    },
  });
}
