/**
 * Accepting an invitation, in process on a migrated database: the rules the HTTP tests cannot
 * reach through a log-in (an unverified address), and that accepting never lowers a role the
 * person already has. The link's token is read from the outbox, as an admin without SMTP would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../accounts/actor.ts";
import { createUser } from "../accounts/users.ts";
import { configSchema } from "../config/index.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { DB, User } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import { createLogger } from "../log.ts";
import { Mailer } from "../mail/mailer.ts";
import { acceptInvitation, createInvitation, invitationByToken } from "./invitations.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-invitations-"));
let db: Kysely<DB>;
let mailer: Mailer;
let owner: User;
const orgId = "00000000-0000-4000-8000-000000000001";
const as = (user: User): Actor => ({ kind: "user", userId: user.id, credential: { kind: "session", sessionId: "test" } });

beforeAll(async () => {
  db = openSqlite({ file: path.join(dir, "plenary.sqlite") });
  await migrateToLatest(db as Kysely<unknown>);
  mailer = new Mailer(db, configSchema.parse({}).mail, createLogger("silent"));
  owner = await createUser(db, { email: "owner@example.org", displayName: "Owner", password: "a long test password" }, "user", { emailVerified: true });
  const now = new Date().toISOString();
  await db.insertInto("organizations").values({ id: orgId, name: "Conf Co", slug: "conf-co", created_at: now, updated_at: now }).execute();
  await db.insertInto("organization_members").values({ organization_id: orgId, user_id: owner.id, role: "owner", created_at: now }).execute();
});
afterAll(async () => {
  await mailer?.close();
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** Invites `email` into the organization as `role`; returns the link's token from the outbox. */
async function invite(email: string, role: "owner" | "admin" | "member"): Promise<string> {
  const { deliver } = await db.transaction().execute((trx) =>
    createInvitation(trx, mailer, { target: { kind: "organization", organizationId: orgId, role }, email, actor: as(owner), inviterId: owner.id, ip: "127.0.0.1", base: "https://plenary.test" }));
  deliver();
  const mail = await db.selectFrom("outbox").select("text_body").where("to_address", "=", email).orderBy("created_at", "desc").executeTakeFirstOrThrow();
  return /[?&]token=([\w-]+)/.exec(mail.text_body)![1];
}

const accept = (token: string, user: User) =>
  db.transaction().execute(async (trx) => acceptInvitation(trx, await invitationByToken(trx, token), user, { actor: as(user), ip: "127.0.0.1" }));
const roleOf = async (user: User) =>
  (await db.selectFrom("organization_members").select("role").where("organization_id", "=", orgId).where("user_id", "=", user.id).executeTakeFirst())?.role ?? null;

describe("accepting an invitation", () => {
  it("takes a verified address: an account that has not confirmed it is refused and gains nothing", async () => {
    const token = await invite("late@example.org", "member");
    const unverified = await createUser(db, { email: "late@example.org", displayName: "Late", password: "a long test password" }, "user");
    await expect(accept(token, unverified)).rejects.toMatchObject({ code: "email_not_verified", status: 403 });
    expect(await roleOf(unverified)).toBeNull();
    // Once confirmed, the same link still works: refusing did not use it up.
    await db.updateTable("users").set({ email_verified_at: new Date().toISOString() }).where("id", "=", unverified.id).execute();
    const confirmed = (await db.selectFrom("users").selectAll().where("id", "=", unverified.id).executeTakeFirstOrThrow());
    expect((await accept(token, confirmed)).role).toBe("member");
    expect(await roleOf(confirmed)).toBe("member");
  });

  it("never lowers a role the person already has, and stores only the token's hash", async () => {
    const admin = await createUser(db, { email: "admin@example.org", displayName: "Admin", password: "a long test password" }, "user", { emailVerified: true });
    await db.insertInto("organization_members").values({ organization_id: orgId, user_id: admin.id, role: "admin", created_at: new Date().toISOString() }).execute();
    const token = await invite("admin@example.org", "member");
    expect((await accept(token, admin)).role).toBe("admin");
    expect(await roleOf(admin)).toBe("admin");
    const stored = await db.selectFrom("invitations").select("token_hash").where("email", "=", "admin@example.org").executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
