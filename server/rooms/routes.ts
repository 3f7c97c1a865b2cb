/**
 * Entering a live room over HTTP: the page asks for a join token for a session; the server
 * decides the role (server/rooms/access.ts) and mints a short-lived token that the media
 * signaling verifies without the database.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { actorUserId } from "../accounts/actor.ts";
import { mintJoinToken } from "../accounts/join-tokens.ts";
import type { SigningKeys } from "../accounts/keys.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { decideRoomAccess, loadRoomSession } from "./access.ts";

const params = z.object({ sessionId: z.uuid("Not a valid session id") });

export function roomRoutes(app: FastifyInstance, deps: { db: Kysely<DB>; keys: SigningKeys; routerRtpCapabilities?: () => unknown }): void {
  const { db, keys } = deps;

  app.post("/api/rooms/:sessionId/join-token", { config: { action: "room.join" } }, async (request) => {
    const { sessionId } = parseBody(params, request.params);
    const { session, event } = await loadRoomSession(db, sessionId);
    const access = await decideRoomAccess(db, request.actor, session, event);
    const userId = actorUserId(request.actor)!;
    const user = await db.selectFrom("users").select("display_name").where("id", "=", userId).executeTakeFirst();
    if (!user) throw AppError.unauthorized();
    const token = await mintJoinToken(keys, {
      identity: userId,
      name: user.display_name,
      grants: { room: session.id, canPublish: access.role !== "attendee", canSubscribe: true, roomAdmin: access.role === "host" },
    });
    request.log.info({ session: session.id, role: access.role, reason: access.reason }, "room join token minted");
    return {
      token,
      identity: userId,
      role: access.role,
      session: { id: session.id, title: session.title, startsAt: session.starts_at, endsAt: session.ends_at, lobbyMode: session.lobby_mode },
      event: { id: event.id, title: event.title, slug: event.slug, timeZone: event.time_zone },
      // The page loads its media device with these while the person picks devices (sfu/Sfu.ts).
      routerRtpCapabilities: deps.routerRtpCapabilities?.() ?? null,
    };
  });
}
