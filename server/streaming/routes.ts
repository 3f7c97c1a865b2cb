/**
 * The live streaming API: destinations per event (owners and co-hosts), start, stop and
 * health per session (room hosts), watch links (whoever may enter the room), and the live
 * HLS itself under `/live/<session>/<signed token>/<file>`: the token is checked without a
 * database read, so thousands of viewers polling a playlist cost no queries.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { actorUserId } from "../accounts/actor.ts";
import { can } from "../accounts/policy.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import type { PlaybackSigner } from "../recordings/playback.ts";
import { authorizeDestinations, authorizeStreamControl, roomAccess } from "./access.ts";
import { createDestinationBody, type Destinations, destinationView, updateDestinationBody } from "./destinations.ts";
import type { LiveService } from "./service.ts";

const eventParams = z.object({ id: z.uuid("Not a valid event id") });
const destinationParams = z.object({ destinationId: z.uuid("Not a valid destination id") });
const sessionParams = z.object({ sessionId: z.uuid("Not a valid session id") });
const startBody = z.strictObject({ destinationIds: z.array(z.uuid()).max(10).default([]) });
const mediaParams = z.object({
  sessionId: z.uuid(),
  token: z.string().min(10).max(300),
  file: z.string().regex(/^(index\.m3u8|seg_\d{1,9}\.ts)$/, "No such file"),
});

export type StreamingDeps = { db: Kysely<DB>; service: LiveService; destinations: Destinations; signer: PlaybackSigner; watchTtlSeconds: number };

/**
 * The signer's id for a session's live stream: the session id itself. Recording ids are
 * other UUIDs, so a link for one never opens the other; and the whole token must stay
 * under the router's 100-character limit for a path parameter.
 */
const liveId = (sessionId: string) => sessionId;

export function streamingRoutes(app: FastifyInstance, deps: StreamingDeps): void {
  const { db, service, destinations, signer } = deps;

  app.get("/api/organize/events/:id/stream-destinations", { config: { action: "stream.destinations.read" } }, async (request) => {
    const { id } = parseBody(eventParams, request.params);
    await authorizeDestinations(db, request.actor, id, "stream.destinations.read");
    const sessions = await db.selectFrom("event_sessions").select(["id", "title"]).where("event_id", "=", id).execute();
    const titles = new Map(sessions.map((s) => [s.id, s.title]));
    return {
      destinations: (await destinations.list(id)).map(destinationView),
      live: service.healthOf(sessions.map((s) => s.id)).map((l) => ({ ...l, title: titles.get(l.sessionId) ?? "" })),
    };
  });

  app.post("/api/organize/events/:id/stream-destinations", { config: { action: "stream.destinations.manage" } }, async (request, reply) => {
    const { id } = parseBody(eventParams, request.params);
    const body = parseBody(createDestinationBody, request.body);
    await authorizeDestinations(db, request.actor, id, "stream.destinations.manage");
    return reply.code(201).send(destinationView(await destinations.create(id, body, actorUserId(request.actor))));
  });

  app.patch("/api/organize/stream-destinations/:destinationId", { config: { action: "stream.destinations.manage" } }, async (request) => {
    const { destinationId } = parseBody(destinationParams, request.params);
    const body = parseBody(updateDestinationBody, request.body);
    const row = await destinations.get(destinationId);
    if (!row) throw AppError.notFound("No such destination");
    await authorizeDestinations(db, request.actor, row.event_id, "stream.destinations.manage");
    return destinationView(await destinations.update(row, body));
  });

  app.delete("/api/organize/stream-destinations/:destinationId", { config: { action: "stream.destinations.manage" } }, async (request, reply) => {
    const { destinationId } = parseBody(destinationParams, request.params);
    const row = await destinations.get(destinationId);
    if (!row) throw AppError.notFound("No such destination");
    await authorizeDestinations(db, request.actor, row.event_id, "stream.destinations.manage");
    await destinations.delete(destinationId);
    return reply.code(204).send();
  });

  // Whether the session streams now; hosts also get the health and the destinations to choose from.
  app.get("/api/sessions/:sessionId/stream", { config: { action: "stream.status" } }, async (request) => {
    const { sessionId } = parseBody(sessionParams, request.params);
    const status = service.status(sessionId);
    const access = request.actor.kind === "anonymous" ? null : await roomAccess(db, request.actor, sessionId).catch(() => null);
    const host = access !== null && can(request.actor, "stream.control", { kind: "room", id: sessionId, role: access.role });
    if (!host) return { live: status.live, startedAt: status.startedAt, isHost: false };
    return { ...status, isHost: true, destinations: (await destinations.list(access.event.id)).map(destinationView) };
  });

  app.post("/api/sessions/:sessionId/stream/start", { config: { action: "stream.control" } }, async (request, reply) => {
    const { sessionId } = parseBody(sessionParams, request.params);
    const body = parseBody(startBody, request.body);
    const { event } = await authorizeStreamControl(db, request.actor, sessionId);
    await service.start({ sessionId, eventId: event.id, destinationIds: body.destinationIds });
    return reply.code(201).send(service.status(sessionId));
  });

  app.post("/api/sessions/:sessionId/stream/stop", { config: { action: "stream.control" } }, async (request) => {
    const { sessionId } = parseBody(sessionParams, request.params);
    await authorizeStreamControl(db, request.actor, sessionId);
    await service.stop(sessionId);
    return service.status(sessionId);
  });

  app.post("/api/sessions/:sessionId/stream/watch", { config: { action: "stream.watch" } }, async (request) => {
    const { sessionId } = parseBody(sessionParams, request.params);
    const { session } = await roomAccess(db, request.actor, sessionId);
    const expiresAt = Date.now() + deps.watchTtlSeconds * 1000;
    return {
      title: session.title,
      live: service.isLive(sessionId),
      playlistUrl: `/live/${sessionId}/${signer.sign(liveId(sessionId), "watch", expiresAt)}/index.m3u8`,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  });

  // Outside /api (no session cookie is read): the signed token is the permission.
  app.get("/live/:sessionId/:token/:file", { config: { action: "stream.media" } }, async (request, reply) => {
    const { sessionId, token, file } = parseBody(mediaParams, request.params);
    const { recordingId, scope } = signer.verify(token);
    if (recordingId !== liveId(sessionId) || scope !== "watch") throw AppError.forbidden("link_expired", "This live link is not valid for this session");
    const full = path.join(service.hlsDir(sessionId), file);
    const found = await stat(full).catch(() => null);
    if (!found) throw AppError.notFound(file === "index.m3u8" ? "This session is not streaming" : "No such segment");
    const playlist = file === "index.m3u8";
    reply.header("cache-control", playlist ? "private, no-cache" : "private, max-age=60");
    reply.type(playlist ? "application/vnd.apple.mpegurl" : "video/mp2t").header("content-length", found.size);
    return reply.send(createReadStream(full));
  });
}
