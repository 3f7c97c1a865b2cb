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
  return { id: user.id, email: user.email, displayName: user.display_name, role: user.role };
}

export async function createUser(
  db: Kysely<DB> | Transaction<DB>,
  input: NewUserInput,
  role: PlatformRole,
): Promise<User> {
  const existing = await db.selectFrom("users").select("id").where("email", "=", input.email).executeTakeFirst();
  if (existing) throw AppError.conflict("email_taken", "An account with this e-mail already exists");
  const now = new Date().toISOString();
  const user: User = {
    id: randomUUID(),
    email: input.email,
    display_name: input.displayName,
    password_hash: await hashPassword(input.password),
    role,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto("users").values(user).execute();
  return user;
}

export async function adminExists(db: Kysely<DB> | Transaction<DB>): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").where("role", "=", "admin").limit(1).executeTakeFirst();
  return row !== undefined;
}
