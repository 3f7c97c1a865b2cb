/**
 * An event's RTMP(S) destinations: validation, storage with the stream key sealed
 * (secret-box.ts), and the view the API gives (the key's last four characters only).
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { z } from "zod";
import type { DB, StreamDestinationsTable } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { assertPublicDestination, type DestinationPolicy } from "./destination-guard.ts";
import type { SecretBox } from "./secret-box.ts";

export type DestinationRow = Selectable<StreamDestinationsTable>;

const ingestUrl = z
  .string()
  .trim()
  .max(500)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "rtmp:" || url.protocol === "rtmps:") && url.hostname !== "" && !url.username && !url.password && !url.search && !url.hash;
    } catch {
      return false;
    }
  }, "Use an rtmp:// or rtmps:// ingest URL (the stream key goes in its own field)");
// The key becomes the URL's last path part: nothing that would change the URL's meaning.
const streamKey = z.string().trim().min(4, "The stream key is at least 4 characters").max(300).regex(/^[A-Za-z0-9._~\-=+!@$%&*,;:]+$/, "The stream key has characters an ingest URL cannot carry");

export const createDestinationBody = z.strictObject({ name: z.string().trim().min(1).max(100), ingestUrl, streamKey });
export const updateDestinationBody = z.strictObject({ name: z.string().trim().min(1).max(100).optional(), ingestUrl: ingestUrl.optional(), streamKey: streamKey.optional() });

/** What organizers and hosts see: never the key, only its end. */
export function destinationView(row: DestinationRow) {
  return { id: row.id, name: row.name, ingestUrl: row.ingest_url, streamKeyHint: `••••${row.stream_key_last4}`, updatedAt: row.updated_at };
}

export class Destinations {
  readonly #db: Kysely<DB>;
  readonly #box: SecretBox;
  // Which ingest hosts may be pushed to (internal ones only when the operator allows).
  readonly #policy: DestinationPolicy;

  constructor(db: Kysely<DB>, box: SecretBox, policy: DestinationPolicy = { allowPrivate: false, allowedHosts: [] }) {
    this.#db = db;
    this.#box = box;
    this.#policy = policy;
  }

  list(eventId: string): Promise<DestinationRow[]> {
    return this.#db.selectFrom("stream_destinations").selectAll().where("event_id", "=", eventId).orderBy("created_at").orderBy("id").execute();
  }

  get(id: string): Promise<DestinationRow | undefined> {
    return this.#db.selectFrom("stream_destinations").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async create(eventId: string, input: z.infer<typeof createDestinationBody>, userId: string | null): Promise<DestinationRow> {
    await assertPublicDestination(input.ingestUrl, this.#policy);
    const id = randomUUID();
    const now = new Date().toISOString();
    const row: DestinationRow = {
      id, event_id: eventId, name: input.name, ingest_url: input.ingestUrl.replace(/\/+$/, ""),
      stream_key_sealed: this.#box.seal(input.streamKey, id), stream_key_last4: input.streamKey.slice(-4),
      created_by: userId, created_at: now, updated_at: now,
    };
    await this.#db.insertInto("stream_destinations").values(row).execute();
    return row;
  }

  async update(row: DestinationRow, input: z.infer<typeof updateDestinationBody>): Promise<DestinationRow> {
    if (input.ingestUrl) await assertPublicDestination(input.ingestUrl, this.#policy);
    const next: DestinationRow = {
      ...row,
      name: input.name ?? row.name,
      ingest_url: input.ingestUrl?.replace(/\/+$/, "") ?? row.ingest_url,
      ...(input.streamKey ? { stream_key_sealed: this.#box.seal(input.streamKey, row.id), stream_key_last4: input.streamKey.slice(-4) } : {}),
      updated_at: new Date().toISOString(),
    };
    await this.#db.updateTable("stream_destinations").set(next).where("id", "=", row.id).execute();
    return next;
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom("stream_destinations").where("id", "=", id).execute();
  }

  /**
   * The event's chosen destinations with their full push URL (in memory only, for ffmpeg),
   * each checked again now and before every connection (a name may resolve elsewhere since).
   */
  async forPush(eventId: string, ids: string[]): Promise<{ id: string; name: string; url: string; beforeConnect: () => Promise<void> }[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db.selectFrom("stream_destinations").selectAll().where("event_id", "=", eventId).where("id", "in", ids).execute();
    if (rows.length !== new Set(ids).size) throw AppError.badRequest("unknown_destination", "A chosen destination does not belong to this event");
    for (const r of rows) await assertPublicDestination(r.ingest_url, this.#policy);
    return rows.map((r) => ({
      id: r.id, name: r.name, url: `${r.ingest_url}/${this.#box.open(r.stream_key_sealed, r.id)}`,
      beforeConnect: () => assertPublicDestination(r.ingest_url, this.#policy),
    }));
  }
}
