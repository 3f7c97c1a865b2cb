import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import { AppError } from "../errors.ts";
import type { DB, PlatformRole, User } from "../db/schema.ts";
import { hashPassword, passwordSchema } from "./passwords.ts";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "Use at most 254 characters")
  .pipe(z.email("Enter a valid e-mail address"));

export const displayNameSchema = z.string().trim().min(1, "Enter a name").max(80, "Use at most 80 characters");

export const newUserSchema = z.object({
  email: emailSchema,
  displayName: displayNameSchema,
  password: passwordSchema,
});

export type NewUserInput = z.infer<typeof newUserSchema>;

/** What clients may see of a user. */
export function publicUser(user: User) {
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    role: user.role,
    emailVerified: user.email_verified_at !== null,
  };
}

/** The avatar of a user as a URL, or null; the stored file name changes with every upload. */
export function avatarUrl(userId: string, avatarPath: string | null): string | null {
  return avatarPath ? `/api/users/${userId}/avatar?v=${avatarPath.replace(/^.*-|\.webp$/g, "")}` : null;
}

/** The account as its owner (or an admin) sees it. */
export function accountView(user: User) {
  return {
    ...publicUser(user),
    bio: user.bio,
    avatarUrl: avatarUrl(user.id, user.avatar_path),
    timeZone: user.time_zone,
    language: user.language,
    interests: JSON.parse(user.interests) as string[],
    notificationPrefs: JSON.parse(user.notification_prefs) as Record<string, Record<string, boolean>>,
    hasPassword: user.password_hash !== null,
    banned: user.banned_at === null ? null : { at: user.banned_at, reason: user.ban_reason },
    createdAt: user.created_at,
  };
}

export async function createUser(
  db: Kysely<DB> | Transaction<DB>,
  input: NewUserInput,
  role: PlatformRole,
  options: { emailVerified?: boolean } = {},
): Promise<User> {
  const existing = await db.selectFrom("users").select("id").where("email", "=", input.email).executeTakeFirst();
  if (existing) throw AppError.conflict("email_taken", "An account with this e-mail already exists");
  const now = new Date().toISOString();
  const id = randomUUID();
  await db
    .insertInto("users")
    .values({
      id,
      email: input.email,
      display_name: input.displayName,
      password_hash: await hashPassword(input.password),
      role,
      created_at: now,
      updated_at: now,
      email_verified_at: options.emailVerified ? now : null,
    })
    .execute();
  return (await findUser(db, id))!;
}

export async function findUser(db: Kysely<DB> | Transaction<DB>, id: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findUserByEmail(db: Kysely<DB> | Transaction<DB>, email: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

export async function requireUser(db: Kysely<DB> | Transaction<DB>, id: string): Promise<User> {
  const user = await findUser(db, id);
  if (!user) throw AppError.notFound("No such user");
  return user;
}

export async function adminExists(db: Kysely<DB> | Transaction<DB>): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").where("role", "=", "admin").limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function countAdmins(db: Kysely<DB> | Transaction<DB>): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("role", "=", "admin")
    .where("banned_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
