/**
 * The realtime side of recordings: hosts of a session's room watch `recording.watch` and
 * are pushed `recording.warning` (disk space running low, the recording will stop) and
 * `recording.stopped` (it stopped by itself) on the session's hosts-only topic.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import { connectionActor } from "../accounts/realtime-gate.ts";
import type { DB } from "../db/schema.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { authorizeControl } from "./access.ts";
import { hostsTopic } from "./service.ts";

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
}
