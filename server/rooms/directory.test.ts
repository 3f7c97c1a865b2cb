/**
 * The room directory's grants on a real SQLite file: a role a host raised someone to is kept
 * per session and person (the last one wins), forgotten one by one or for the whole room, and
 * never written for a room that is not a session's or an identity that is not a user.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as seed from "../../test/support/seed.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { DB } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import { roomDirectory } from "./directory.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-room-directory-"));
let db: Kysely<DB>;
const ids: Record<"host" | "ann" | "ben" | "sessionA" | "sessionB", string> = { host: "", ann: "", ben: "", sessionA: "", sessionB: "" };

beforeAll(async () => {
  db = openSqlite({ file: path.join(dir, "rooms.sqlite") });
  await migrateToLatest(db as Kysely<unknown>);
  for (const name of ["host", "ann", "ben"] as const) ids[name] = await seed.user(db, { email: `${name}@example.org` });
  const organization = await seed.write(db, seed.organization({ ownerId: ids.host }));
  const event = await seed.write(db, seed.event({ organizationId: organization.id, ownerId: ids.host }));
  ids.sessionA = await seed.write(db, seed.session({ eventId: event.id, title: "A" }));
  ids.sessionB = await seed.write(db, seed.session({ eventId: event.id, title: "B" }));
});
afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe("room grants", () => {
  it("keeps raised roles per session and person, the latest one winning, until revoked or the room's are forgotten", async () => {
    const directory = roomDirectory(db);
    await directory.grant(ids.sessionA, ids.ann, "speaker", ids.host);
    await directory.grant(ids.sessionA, ids.ann, "host", ids.host);
    await directory.grant(ids.sessionA, ids.ben, "speaker", ids.host);
    await directory.grant(ids.sessionB, ids.ben, "host", ids.host);
    expect(await directory.grants(ids.sessionA)).toEqual(new Map([[ids.ann, "host"], [ids.ben, "speaker"]]));
    expect(await directory.grants(ids.sessionB)).toEqual(new Map([[ids.ben, "host"]]));
    const row = await db.selectFrom("room_grants").selectAll().where("session_id", "=", ids.sessionA).where("user_id", "=", ids.ann).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: "host", granted_by: ids.host });

    await directory.revokeGrant(ids.sessionA, ids.ben);
    expect(await directory.grants(ids.sessionA)).toEqual(new Map([[ids.ann, "host"]]));
    await directory.forgetGrants(ids.sessionA);
    expect(await directory.grants(ids.sessionA)).toEqual(new Map());
    expect(await directory.grants(ids.sessionB)).toEqual(new Map([[ids.ben, "host"]]));
  });

  it("writes nothing for a room that is not a session's, an identity that is not a user, and keeps no granter that is not one", async () => {
    const directory = roomDirectory(db);
    await directory.grant("lobby-room", ids.ann, "host", ids.host);
    await directory.grant("00000000-0000-4000-8000-000000000000", ids.ann, "host", ids.host);
    await directory.grant(ids.sessionB, "guest-identity", "speaker", ids.host);
    await directory.grant(ids.sessionB, ids.ann, "speaker", "recorder-identity");
    expect(await directory.grants("lobby-room")).toEqual(new Map());
    const rows = await db.selectFrom("room_grants").select(["session_id", "user_id", "granted_by"]).orderBy("user_id").execute();
    expect(rows).toEqual(
      [
        { session_id: ids.sessionB, user_id: ids.ben, granted_by: ids.host },
        { session_id: ids.sessionB, user_id: ids.ann, granted_by: null },
      ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
    );
  });
});
