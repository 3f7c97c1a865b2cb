/**
 * The SFU's view of session rooms (sfu/RoomControl.ts RoomDirectory): a room named by an
 * event session's id takes its lobby mode and limits from that session (the server-wide
 * `[rooms]` defaults where the session sets none); bans are kept in
 * `room_bans` so the join-token route refuses the person from then on.
 */
import type { Kysely } from "kysely";
import type { RoomDirectory, RoomSettings } from "../../sfu/RoomControl.ts";
import type { DB } from "../db/schema.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Server-wide limits (config `[rooms]`) for sessions that set none; 0 is no limit. */
export type RoomDefaults = { default_max_peers: number; default_max_publishers: number };

export function roomDirectory(db: Kysely<DB>, defaults: RoomDefaults = { default_max_peers: 0, default_max_publishers: 0 }): RoomDirectory {
  const orDefault = (own: number | null, fallback: number) => own ?? (fallback > 0 ? fallback : null);
  return {
    async settings(room: string): Promise<RoomSettings | null> {
      if (!UUID.test(room)) return null;
      const row = await db
        .selectFrom("event_sessions")
        .select(["lobby_mode", "max_peers", "max_publishers"])
        .where("id", "=", room)
        .executeTakeFirst();
      if (!row) return null;
      return {
        lobbyMode: row.lobby_mode,
        maxPeers: orDefault(row.max_peers, defaults.default_max_peers),
        maxPublishers: orDefault(row.max_publishers, defaults.default_max_publishers),
      };
    },
    async ban(room: string, identity: string, bannedBy: string): Promise<void> {
      if (!UUID.test(room)) return;
      const by = await db.selectFrom("users").select("id").where("id", "=", bannedBy).executeTakeFirst();
      await db
        .insertInto("room_bans")
        .values({ session_id: room, user_id: identity, banned_by: by?.id ?? null, created_at: new Date().toISOString() })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    async attended(room: string, identity: string): Promise<void> {
      if (!UUID.test(room)) return;
      const user = await db.selectFrom("users").select("id").where("id", "=", identity).executeTakeFirst();
      if (!user) return;
      const now = new Date().toISOString();
      await db
        .insertInto("session_attendance")
        .values({ session_id: room, user_id: user.id, first_joined_at: now, last_joined_at: now, joins: 1 })
        .onConflict((oc) => oc.columns(["session_id", "user_id"]).doUpdateSet((eb) => ({ last_joined_at: now, joins: eb("session_attendance.joins", "+", 1) })))
        .execute();
    },
  };
}
