/**
 * The recordings API: start, stop and chapter markers (room hosts), the list per event,
 * edits, trim and retry (organizers), playback links and sidecars (allowed viewers), and
 * the signed media route that serves playlists, keys and, for the local store, files
 * with Range support.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Sidecar } from "../../recorder/sidecar.ts";
import { actorUserId } from "../accounts/actor.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { LocalStorage } from "../storage/index.ts";
import { authorizeControl, authorizeEventView, authorizeManage, authorizeWatch, authorizeWatchInEvent, canManage, type RecordingRow } from "./access.ts";
import { CONTENT_TYPES, type LinkScope, parseRange, type PlaybackSigner, rewritePlaylist, storedPathOf } from "./playback.ts";
import { KEY_URI_PLACEHOLDER, type RecordingService } from "./service.ts";

const sessionParams = z.object({ sessionId: z.uuid("Not a valid session id") });
const eventParams = z.object({ eventId: z.uuid("Not a valid event id") });
const idParams = z.object({ id: z.uuid("Not a valid recording id") });
/** An invite-only event's access code, passed on from its page as it is to the event's other pages. */
const codeQuery = z.object({ code: z.string().max(200).optional() });
const mediaParams = z.object({ token: z.string().min(10).max(300), file: z.string().min(1).max(40) });
const markerBody = z.strictObject({ label: z.string().trim().min(1).max(120) });
const editBody = z.strictObject({
  title: z.string().trim().min(1).max(200).optional(),
  trimStartMs: z.number().int().min(0).nullable().optional(),
  trimEndMs: z.number().int().min(1).nullable().optional(),
  access: z.enum(["ticket_holders", "everyone"]).optional(),
});

export type RecordingDeps = { db: Kysely<DB>; service: RecordingService; signer: PlaybackSigner; ttlSeconds: number };

function view(row: RecordingRow, manager: boolean) {
  return {
    id: row.id,
    sessionId: row.session_id,
    title: row.title,
    state: row.state,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationMs: row.duration_ms,
    trimStartMs: row.trim_start_ms,
    trimEndMs: row.trim_end_ms,
    access: row.access,
    ...(manager ? { failureReason: row.failure_reason, sizeBytes: row.size_bytes } : {}),
  };
}

export function recordingRoutes(app: FastifyInstance, deps: RecordingDeps): void {
  const { db, service, signer } = deps;

  app.post("/api/sessions/:sessionId/recording/start", { config: { action: "recording.control" } }, async (request, reply) => {
    const { sessionId } = parseBody(sessionParams, request.params);
    const { session, event } = await authorizeControl(db, request.actor, sessionId);
    const id = await service.start({ sessionId, eventId: event.id, title: session.title, userId: actorUserId(request.actor) });
    const row = await db.selectFrom("recordings").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    return reply.code(201).send(view(row, true));
  });

  app.post("/api/sessions/:sessionId/recording/stop", { config: { action: "recording.control" } }, async (request) => {
    const { sessionId } = parseBody(sessionParams, request.params);
    await authorizeControl(db, request.actor, sessionId);
    const row = await db.selectFrom("recordings").selectAll().where("session_id", "=", sessionId).where("state", "=", "recording").executeTakeFirst();
    if (!row) throw AppError.conflict("not_recording", "This session is not being recorded");
    await service.stop(row.id);
    return view((await db.selectFrom("recordings").selectAll().where("id", "=", row.id).executeTakeFirstOrThrow()), true);
  });

  // A chapter starts here in the session's live recording.
  app.post("/api/sessions/:sessionId/recording/markers", { config: { action: "recording.control" } }, async (request, reply) => {
    const { sessionId } = parseBody(sessionParams, request.params);
    const { label } = parseBody(markerBody, request.body);
    await authorizeControl(db, request.actor, sessionId);
    return reply.code(201).send(service.mark(sessionId, label));
  });

  // Whether the session is being recorded now (everyone in the room is shown it), and whether it records by itself.
  app.get("/api/sessions/:sessionId/recording", { config: { action: "recording.status" } }, async (request) => {
    const { sessionId } = parseBody(sessionParams, request.params);
    const session = await db.selectFrom("event_sessions").select(["id", "recording"]).where("id", "=", sessionId).executeTakeFirst();
    if (!session) throw AppError.notFound("No such session");
    const active = await db.selectFrom("recordings").select("started_at").where("session_id", "=", sessionId).where("state", "=", "recording").executeTakeFirst();
    return { recording: active !== undefined, startedAt: active?.started_at ?? null, autoRecord: session.recording === 1 };
  });

  app.get("/api/events/:eventId/recordings", { config: { action: "recording.list" } }, async (request) => {
    const { eventId } = parseBody(eventParams, request.params);
    const { code } = parseBody(codeQuery, request.query);
    await authorizeEventView(db, request.actor, eventId, { code, ip: request.ip });
    const rows = await db.selectFrom("recordings").selectAll().where("event_id", "=", eventId).orderBy("started_at", "desc").execute();
    if (await canManage(db, request.actor, eventId).catch(() => false)) return { recordings: rows.map((r) => view(r, true)), canManage: true };
    const visible: RecordingRow[] = [];
    for (const row of rows.filter((r) => r.state === "ready")) {
      if (await authorizeWatchInEvent(db, request.actor, row).then(() => true, () => false)) visible.push(row);
    }
    return { recordings: visible.map((r) => view(r, false)), canManage: false };
  });

  app.patch("/api/recordings/:id", { config: { action: "recording.manage" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const body = parseBody(editBody, request.body);
    const row = await authorizeManage(db, request.actor, id);
    const start = body.trimStartMs === undefined ? row.trim_start_ms : body.trimStartMs;
    const end = body.trimEndMs === undefined ? row.trim_end_ms : body.trimEndMs;
    if (start !== null && end !== null && start >= end) throw AppError.badRequest("invalid_trim", "The end must come after the start");
    // A new trim cuts the files again: processing → ready (or failed, with a retry).
    if (start !== row.trim_start_ms || end !== row.trim_end_ms) await service.trim(id, { startMs: start, endMs: end });
    await db
      .updateTable("recordings")
      .set({ title: body.title ?? row.title, access: body.access ?? row.access, updated_at: new Date().toISOString() })
      .where("id", "=", id)
      .execute();
    return view(await db.selectFrom("recordings").selectAll().where("id", "=", id).executeTakeFirstOrThrow(), true);
  });

  app.delete("/api/recordings/:id", { config: { action: "recording.manage" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    await authorizeManage(db, request.actor, id);
    await service.delete(id);
    return reply.code(204).send();
  });

  app.post("/api/recordings/:id/retry", { config: { action: "recording.manage" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    await authorizeManage(db, request.actor, id);
    await service.retry(id);
    return view(await db.selectFrom("recordings").selectAll().where("id", "=", id).executeTakeFirstOrThrow(), true);
  });

  app.post("/api/recordings/:id/playback", { config: { action: "recording.watch" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const { code } = parseBody(codeQuery, request.query);
    const row = await db.selectFrom("recordings").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw AppError.notFound("No such recording");
    await authorizeWatch(db, request.actor, row, { code, ip: request.ip }).catch((error: unknown) => {
      // Of an event the caller may not see, the recording does not exist either.
      throw error instanceof AppError && error.status === 404 ? AppError.notFound("No such recording") : error;
    });
    if (row.state !== "ready") throw AppError.conflict("not_ready", "This recording is not ready to watch yet");
    const expiresAt = Date.now() + deps.ttlSeconds * 1000;
    const link = (scope: LinkScope, file: string) => `/api/recordings/media/${signer.sign(id, scope, expiresAt)}/${file}`;
    const manager = await canManage(db, request.actor, row.event_id).catch(() => false);
    return {
      recording: view(row, manager),
      playlistUrl: link("watch", "index.m3u8"),
      posterUrl: link("watch", "poster.jpg"),
      downloadUrl: manager ? link("download", "program.mp4") : null,
      chaptersUrl: link("watch", "chapters.vtt"),
      activityUrl: link("watch", "activity.vtt"),
      expiresAt: new Date(expiresAt).toISOString(),
      sidecar: await readSidecar(service, id),
    };
  });

  app.get("/api/recordings/media/:token/:file", { config: { action: "recording.media" } }, async (request, reply) => {
    const { token, file } = parseBody(mediaParams, request.params);
    const { recordingId, scope } = signer.verify(token);
    const row = await db.selectFrom("recordings").select(["id", "state", "hls_key"]).where("id", "=", recordingId).executeTakeFirst();
    if (!row || row.state !== "ready") throw AppError.notFound("No such recording");
    reply.header("cache-control", "private, no-store");
    if (file === "key") {
      if (!row.hls_key) throw AppError.notFound("This recording is not encrypted");
      return reply.type("application/octet-stream").send(Buffer.from(row.hls_key, "hex"));
    }
    const stored = storedPathOf(file);
    if (!stored || (file === "program.mp4" && scope !== "download")) throw AppError.notFound("No such file");
    const key = `${recordingId}/${stored}`;
    if (file === "index.m3u8") {
      const playlist = Buffer.concat(await (await service.storage.read(key)).toArray()).toString("utf8");
      const text = await rewritePlaylist(playlist, {
        keyPlaceholder: KEY_URI_PLACEHOLDER,
        keyUri: "key",
        uriOf: async (name) => (await service.storage.presignedUrl(`${recordingId}/hls/${name}`, deps.ttlSeconds)) ?? name,
      });
      return reply.type(CONTENT_TYPES.m3u8).send(text);
    }
    const presigned = await service.storage.presignedUrl(key, deps.ttlSeconds);
    if (presigned) return reply.redirect(presigned, 302);
    return sendStored(reply, service.storage as LocalStorage, key, file, request.headers.range);
  });
}

/** Serves a stored file of the local store, honouring a single byte range. */
async function sendStored(reply: FastifyReply, storage: LocalStorage, key: string, file: string, rangeHeader: string | undefined) {
  const stat = await storage.stat(key);
  if (!stat) throw AppError.notFound("No such file");
  const range = parseRange(rangeHeader, stat.size);
  reply.header("accept-ranges", "bytes").type(CONTENT_TYPES[file.split(".").pop() ?? ""] ?? "application/octet-stream");
  if (file === "program.mp4") reply.header("content-disposition", 'attachment; filename="recording.mp4"');
  if (range === "invalid") return reply.code(416).header("content-range", `bytes */${stat.size}`).send();
  if (!range) return reply.header("content-length", stat.size).send(await storage.read(key));
  return reply
    .code(206)
    .header("content-range", `bytes ${range.start}-${range.end}/${stat.size}`)
    .header("content-length", range.end - range.start + 1)
    .send(await storage.read(key, range));
}

/** The recording's chat, Q&A, polls and chapters (null for one made before sidecars existed). */
async function readSidecar(service: RecordingService, id: string): Promise<Sidecar | null> {
  const key = `${id}/sidecar.json`;
  if (!(await service.storage.stat(key))) return null;
  return JSON.parse(Buffer.concat(await (await service.storage.read(key)).toArray()).toString("utf8")) as Sidecar;
}
