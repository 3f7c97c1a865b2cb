/**
 * The realtime side of live streaming: `stream.subscribe` puts whoever may enter a
 * session's room on its stream topic (`stream.live`: started, ended), and its hosts also
 * on the hosts' topic (`stream.health`: encoder state, destinations, failures). The reply
 * is the state now, as `GET /api/sessions/:id/stream` gives it, so a client that
 * (re)subscribes after a reconnect misses nothing.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import { can } from "../accounts/policy.ts";
import { connectionActor } from "../accounts/realtime-gate.ts";
import type { DB } from "../db/schema.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { roomAccess } from "./access.ts";
import { type LiveService, streamHostsTopic, streamTopic } from "./service.ts";

export function registerStreamingMessages(router: MessageRouter, deps: { db: Kysely<DB>; fanout: Fanout; service: LiveService }): void {
  router.on("stream.subscribe", {
    schema: z.strictObject({ sessionId: z.uuid() }),
    action: "stream.status",
    access: "anyone",
    async handle({ sessionId }, { connection }) {
      const actor = connectionActor(connection.user);
      // Throws for whoever may not enter the room.
      const { role } = await roomAccess(deps.db, actor, sessionId);
      deps.fanout.subscribe(connection, streamTopic(sessionId));
      const status = deps.service.status(sessionId);
      if (!can(actor, "stream.control", { kind: "room", id: sessionId, role })) return { live: status.live, startedAt: status.startedAt, isHost: false };
      deps.fanout.subscribe(connection, streamHostsTopic(sessionId));
      return { ...status, isHost: true };
    },
  });
}
