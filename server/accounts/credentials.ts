/** The one password check behind every way of logging in (cookie session, token endpoint). */
import type { FastifyRequest } from "fastify";
import type { User } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { type AccountDeps, limitIp, tooMany } from "./context.ts";
import { verifyOrWaste } from "./passwords.ts";
import { findUserByEmail } from "./users.ts";

/**
 * Returns the user whose e-mail and password these are, counting the attempt against the
 * IP and the account. Wrong address and wrong password get the same answer in the same
 * time; only someone who knows the password learns that the account is banned or unverified.
 */
export async function checkPassword(deps: AccountDeps, request: FastifyRequest, email: string, password: string): Promise<User> {
  limitIp(deps, request);
  const wait = deps.throttle.accountWait(email);
  if (wait > 0) throw tooMany(wait);
  const user = await findUserByEmail(deps.db, email);
  const matches = await verifyOrWaste(user?.password_hash, password);
  if (!user || !matches) {
    deps.throttle.failure(email);
    throw new AppError("invalid_credentials", 401, "The e-mail address or the password is wrong");
  }
  if (user.banned_at !== null) {
    throw AppError.forbidden("account_banned", `This account is banned${user.ban_reason ? `: ${user.ban_reason}` : ""}`);
  }
  if (user.email_verified_at === null) {
    throw AppError.forbidden("email_not_verified", "Confirm your e-mail address first with the link we sent you");
  }
  deps.throttle.success(email);
  return user;
}
