import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../accounts/users.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { DB } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import { Fanout } from "../realtime/fanout.ts";
import { ChatRooms } from "./ChatRooms.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-chatrooms-"));
let db: Kysely<DB>;
const fanout = new Fanout();
const ids: Record<string, string> = {};

beforeAll(async () => {
  db = openSqlite({ file: path.join(dir, "chat.sqlite") });
  await migrateToLatest(db as Kysely<unknown>);
  for (const name of ["ann", "ben", "cat", "dan"]) {
    ids[name] = (await createUser(db, { email: `${name}@example.org`, displayName: name, password: "a long enough password" }, "user", { emailVerified: true })).id;
  }
});
afterAll(async () => {
  fanout.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const block = (blocker: string, blocked: string) =>
  db.insertInto("user_blocks").values({ blocker_id: ids[blocker], blocked_id: ids[blocked], created_at: new Date().toISOString() }).execute();

describe("the block cache", () => {
  it("holds at most its size, and an evicted user's blocks reload from the database", async () => {
    const rooms = new ChatRooms(db, fanout, { blockCacheSize: 2 });
    await block("ann", "ben");
    expect([...(await rooms.blockPeers(ids.ann))]).toEqual([ids.ben]);
    await rooms.blockPeers(ids.ben);
    await rooms.blockPeers(ids.cat);
    expect(rooms.cachedBlockUsers).toBe(2);

    // Written behind the cache's back (another process): only a reload can see it.
    await block("dan", "ann");
    expect([...(await rooms.blockPeers(ids.ann))].sort()).toEqual([ids.ben, ids.dan].sort());
    expect(rooms.cachedBlockUsers).toBe(2);
  });

  it("keeps blocks noted while a user was evicted, since the row is the truth", async () => {
    const rooms = new ChatRooms(db, fanout, { blockCacheSize: 1 });
    await rooms.blockPeers(ids.cat);
    await rooms.blockPeers(ids.dan); // evicts cat
    await block("cat", "ben");
    rooms.noteBlock(ids.cat, ids.ben, true);
    expect([...(await rooms.blockPeers(ids.cat))]).toEqual([ids.ben]);
    // Cached on both sides: the other side learns of the block too.
    expect((await rooms.blockPeers(ids.ben)).has(ids.cat)).toBe(true);
    await db.deleteFrom("user_blocks").where("blocker_id", "=", ids.cat).execute();
    rooms.noteBlock(ids.cat, ids.ben, false);
    expect((await rooms.blockPeers(ids.ben)).has(ids.cat)).toBe(false);
    expect((await rooms.blockPeers(ids.cat)).has(ids.ben)).toBe(false);
  });
});
