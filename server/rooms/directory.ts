/**
 * The SFU's view of session rooms (sfu/RoomControl.ts RoomDirectory): a room named by an
 * event session's id takes its lobby mode and limits from that session (the server-wide
 * `[rooms]` defaults where the session sets none); bans are kept in
 * `room_bans` so the join-token route refuses the person from then on; roles hosts raise
 * people to are kept in `room_grants` (one read per room as it loads, by its primary key).
 */
import type { Kysely } from "kysely";
import type { RaisedRole, RoomDirectory, RoomSettings } from "../../sfu/RoomControl.ts";
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
    async barred(identity: string): Promise<boolean> {
      if (!UUID.test(identity)) return false;
      const user = await db.selectFrom("users").select("banned_at").where("id", "=", identity).executeTakeFirst();
      return user?.banned_at != null;
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
    async grants(room: string): Promise<Map<string, RaisedRole>> {
      if (!UUID.test(room)) return new Map();
      const rows = await db.selectFrom("room_grants").select(["user_id", "role"]).where("session_id", "=", room).execute();
      return new Map(rows.map((row) => [row.user_id, row.role]));
    },
    async grant(room: string, identity: string, role: RaisedRole, grantedBy: string): Promise<void> {
      if (!UUID.test(room)) return;
      const granted_at = new Date().toISOString();
      // Kept only for a session's room and a real user (nothing is written otherwise); the granter may be gone.
      await db
        .insertInto("room_grants")
        .columns(["session_id", "user_id", "role", "granted_by", "granted_at"])
        .expression((eb) =>
          eb
            .selectFrom("event_sessions")
            .innerJoin("users", (join) => join.on("users.id", "=", identity))
            .where("event_sessions.id", "=", room)
            .select((s) => [
              "event_sessions.id",
              "users.id",
              s.val(role).as("role"),
              s.selectFrom("users as granter").select("granter.id").where("granter.id", "=", grantedBy).as("granted_by"),
              s.val(granted_at).as("granted_at"),
            ]),
        )
        .onConflict((oc) => oc.columns(["session_id", "user_id"]).doUpdateSet((eb) => ({
          role: eb.ref("excluded.role"), granted_by: eb.ref("excluded.granted_by"), granted_at: eb.ref("excluded.granted_at"),
        })))
        .execute();
    },
    async revokeGrant(room: string, identity: string): Promise<void> {
      if (!UUID.test(room)) return;
      await db.deleteFrom("room_grants").where("session_id", "=", room).where("user_id", "=", identity).execute();
    },
    async forgetGrants(room: string): Promise<void> {
      if (!UUID.test(room)) return;
      await db.deleteFrom("room_grants").where("session_id", "=", room).execute();
    },
  };
}
