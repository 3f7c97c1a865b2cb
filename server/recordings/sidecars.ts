/**
 * A recording's sidecars from what the database and the recording's own log hold: the
 * session's chat (its rows carry their times), the Q&A and poll log and host markers
 * (activity.json), screen shares (manifest.json) and agenda items of the event that began
 * while it recorded. Written as sidecar.json, activity.vtt and chapters.vtt beside the
 * program, all relative to the (trimmed) video's start.
 */

import path from "node:path";
import type { Kysely } from "kysely";
import { writeFileDurably } from "../../recorder/durable-file.ts";
import { activityVtt, buildSidecar, chaptersVtt, type Sidecar } from "../../recorder/sidecar.ts";
import type { RecordingManifest } from "../../recorder/SessionRecorder.ts";
import type { DB } from "../db/schema.ts";
import type { ActivityLog } from "./activity.ts";
import type { RecordingRow } from "./access.ts";

export const SIDECAR_FILES = ["sidecar.json", "activity.vtt", "chapters.vtt"] as const;

/** Builds the sidecars for `row` and writes them into `outDir`. */
export async function writeSidecars(
  db: Kysely<DB>,
  row: RecordingRow,
  recorded: { manifest: RecordingManifest; log: ActivityLog; programMs: number },
  outDir: string,
): Promise<Sidecar> {
  const zero = Date.parse(recorded.manifest.startedAt);
  const endIso = new Date(zero + recorded.programMs).toISOString();
  const chat = await db
    .selectFrom("chat_messages")
    .innerJoin("users", "users.id", "chat_messages.author_id")
    .select(["chat_messages.text", "chat_messages.created_at", "users.display_name"])
    .where("chat_messages.channel", "=", `session:${row.session_id}`)
    .where("chat_messages.deleted_at", "is", null)
    .where("chat_messages.created_at", ">=", recorded.manifest.startedAt)
    .where("chat_messages.created_at", "<=", endIso)
    .orderBy("chat_messages.id")
    .limit(20_000)
    .execute();
  const agenda = await db
    .selectFrom("event_sessions")
    .select(["title", "starts_at"])
    .where("event_id", "=", row.event_id)
    .where("id", "!=", row.session_id)
    .where("starts_at", ">", recorded.manifest.startedAt)
    .where("starts_at", "<", endIso)
    .execute();
  const sidecar = buildSidecar({
    title: row.title,
    durationMs: recorded.programMs,
    tracks: recorded.manifest.tracks,
    chat: chat.map((m) => ({ atMs: Date.parse(m.created_at) - zero, author: m.display_name, text: m.text })),
    activity: recorded.log.activity.map((a) => ({ ...a, atMs: a.atMs - zero })),
    markers: [...recorded.log.markers, ...agenda.map((s) => ({ atMs: Date.parse(s.starts_at), label: s.title }))].map((m) => ({ ...m, atMs: m.atMs - zero })),
    trim: { startMs: row.trim_start_ms, endMs: row.trim_end_ms },
  });
  await writeFileDurably(path.join(outDir, "sidecar.json"), JSON.stringify(sidecar));
  await writeFileDurably(path.join(outDir, "activity.vtt"), activityVtt(sidecar));
  await writeFileDurably(path.join(outDir, "chapters.vtt"), chaptersVtt(sidecar));
  return sidecar;
}
