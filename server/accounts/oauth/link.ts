/**
 * Who an OAuth identity is here: the account it was linked to before, the signed-in
 * account linking it now, the account with the same provider-verified e-mail address, or
 * a new account.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB, User } from "../../db/schema.ts";
import { revokeAllSessions } from "../sessions.ts";
import { findUser, findUserByEmail } from "../users.ts";
import type { OAuthIdentity, ProviderId } from "./providers.ts";

export class OAuthRefused extends Error {
  override name = "OAuthRefused";
  readonly code: "already_linked" | "email_unverified" | "account_banned";
  readonly detail: string | null;
  constructor(code: OAuthRefused["code"], detail: string | null = null) {
    super(code);
    this.code = code;
    this.detail = detail;
  }
}

export type Resolution = { user: User; created: boolean; linked: boolean };

export async function resolveOAuthUser(
  db: Kysely<DB>,
  provider: ProviderId,
  identity: OAuthIdentity,
  signedInUserId: string | null,
): Promise<Resolution> {
  const resolution = await db.transaction().execute(async (trx): Promise<Resolution> => {
    const now = new Date().toISOString();
    const link = (userId: string) =>
      trx
        .insertInto("oauth_accounts")
        .values({ provider, provider_user_id: identity.subject, user_id: userId, email: identity.email, created_at: now })
        .execute();
    const existing = await trx
      .selectFrom("oauth_accounts")
      .select("user_id")
      .where("provider", "=", provider)
      .where("provider_user_id", "=", identity.subject)
      .executeTakeFirst();
    if (existing) {
      if (signedInUserId && existing.user_id !== signedInUserId) throw new OAuthRefused("already_linked");
      return { user: (await findUser(trx, existing.user_id))!, created: false, linked: false };
    }
    if (signedInUserId) {
      await link(signedInUserId);
      return { user: (await findUser(trx, signedInUserId))!, created: false, linked: true };
    }
    const email = identity.email?.trim().toLowerCase();
    if (!email || !identity.emailVerified) throw new OAuthRefused("email_unverified");
    const owner = await findUserByEmail(trx, email);
    if (owner) {
      if (owner.email_verified_at === null) {
        // Someone registered this address without proving it; the provider has proved it
        // belongs to the person logging in now, so whatever password was set is not theirs.
        await trx.updateTable("users").set({ email_verified_at: now, password_hash: null, updated_at: now }).where("id", "=", owner.id).execute();
        await revokeAllSessions(trx, owner.id);
      }
      await link(owner.id);
      return { user: (await findUser(trx, owner.id))!, created: false, linked: true };
    }
    const id = randomUUID();
    await trx
      .insertInto("users")
      .values({
        id,
        email,
        display_name: (identity.name?.trim() || email.split("@")[0]).slice(0, 80),
        password_hash: null,
        role: "user",
        created_at: now,
        updated_at: now,
        email_verified_at: now,
      })
      .execute();
    await link(id);
    return { user: (await findUser(trx, id))!, created: true, linked: true };
  });
  if (resolution.user.banned_at !== null) throw new OAuthRefused("account_banned", resolution.user.ban_reason);
  return resolution;
}
