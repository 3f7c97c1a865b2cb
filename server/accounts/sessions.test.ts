import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest } from "../db/migrate.ts";
import type { DB } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import { createSession, summarizeUserAgent, validateSessionToken } from "./sessions.ts";
import { Throttle } from "./throttle.ts";
import { hashSecret } from "./tokens.ts";
import { createUser } from "./users.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-sessions-"));
let db: Kysely<DB>;
let userId: string;
const DAY = 86_400_000;

beforeAll(async () => {
  db = openSqlite({ file: path.join(dir, "s.sqlite") });
  await migrateToLatest(db as Kysely<unknown>);
  userId = (await createUser(db, { email: "s@example.org", displayName: "S", password: "session test password" }, "user")).id;
});
afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe("sessions", () => {
  it("stores only the SHA-256 of the token", async () => {
    const { token, id } = await createSession(db, userId, { userAgent: "", ip: "127.0.0.1" }, 30);
    const row = await db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashSecret(token));
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it("slides the expiry forward past half its lifetime, and ends it when it has passed", async () => {
    const { token, expiresAt } = await createSession(db, userId, { userAgent: "", ip: "" }, 30);
    const created = Date.parse(expiresAt) - 30 * DAY;
    const early = await validateSessionToken(db, token, 30, created + DAY);
    expect(early?.expiresAt).toBe(expiresAt);
    const late = await validateSessionToken(db, token, 30, created + 20 * DAY);
    expect(Date.parse(late!.expiresAt)).toBe(created + 50 * DAY);
    expect(await validateSessionToken(db, token, 30, created + 51 * DAY)).toBeNull();
    expect(await validateSessionToken(db, token, 30, created + 21 * DAY)).toBeNull();
  });

  it("ends the sessions of a banned user", async () => {
    const { token } = await createSession(db, userId, { userAgent: "", ip: "" }, 30);
    await db.updateTable("users").set({ banned_at: new Date().toISOString() }).where("id", "=", userId).execute();
    expect(await validateSessionToken(db, token, 30)).toBeNull();
    await db.updateTable("users").set({ banned_at: null }).where("id", "=", userId).execute();
  });

  it("names devices without keeping the whole user agent", () => {
    expect(summarizeUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBe("Firefox on Linux");
    expect(summarizeUserAgent("")).toBe("Unknown device");
  });
});

describe("Throttle", () => {
  it("pauses an account after the allowed failures, doubling the pause each time", () => {
    const throttle = new Throttle({ maxPerIp: 3, maxFailures: 2 });
    const t = 1_000_000;
    throttle.failure("a", t);
    expect(throttle.accountWait("a", t)).toBe(0);
    throttle.failure("a", t);
    expect(throttle.accountWait("a", t)).toBe(60);
    throttle.failure("a", t + 61_000);
    throttle.failure("a", t + 61_000);
    expect(throttle.accountWait("a", t + 61_000)).toBe(120);
    throttle.success("a");
    expect(throttle.accountWait("a", t + 61_000)).toBe(0);
  });

  it("stops mail about one account past the limit, per window", () => {
    const throttle = new Throttle({ maxPerIp: 100, maxFailures: 2 });
    expect([throttle.allowMail("a", 0), throttle.allowMail("a", 0), throttle.allowMail("a", 0)]).toEqual([true, true, false]);
    expect(throttle.allowMail("b", 0)).toBe(true);
    expect(throttle.allowMail("a", 16 * 60_000)).toBe(true);
  });

  it("counts requests per IP in a window", () => {
    const throttle = new Throttle({ maxPerIp: 2, maxFailures: 5 });
    expect([throttle.hitIp("1.1.1.1", 0), throttle.hitIp("1.1.1.1", 0), throttle.hitIp("1.1.1.1", 0) > 0]).toEqual([0, 0, true]);
    expect(throttle.hitIp("2.2.2.2", 0)).toBe(0);
    expect(throttle.hitIp("1.1.1.1", 16 * 60_000)).toBe(0);
  });
});
