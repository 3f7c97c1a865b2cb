/**
 * Room join tokens: short-lived JWTs (EdDSA, with a key id) that say who may enter which
 * room and with which grants (the LiveKit model). Minted for a user who may enter a
 * session; verified by the realtime and media layers with no database read.
 */
import { SignJWT } from "jose";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { type SigningKeys, verifyOwnToken } from "./keys.ts";

const ISSUER = "plenary";
const AUDIENCE = "plenary:room-join";

export const joinGrantsSchema = z.strictObject({
  /** The room the token opens. */
  room: z.string().min(1).max(128),
  /** May send audio and video. */
  canPublish: z.boolean().default(false),
  /** May receive others' audio and video. */
  canSubscribe: z.boolean().default(true),
  /** May send data messages (chat, reactions) in the room. */
  canPublishData: z.boolean().default(true),
  /** May moderate the room (mute, remove, end). */
  roomAdmin: z.boolean().default(false),
  /** Not listed to other participants (moderators watching, recorders). */
  hidden: z.boolean().default(false),
  /** The recording pipeline, not a person. */
  recorder: z.boolean().default(false),
});

export type JoinGrants = z.infer<typeof joinGrantsSchema>;

export type JoinIdentity = {
  /** The user id (or "recorder:<id>" for the recorder). */
  identity: string;
  /** Display name shown to others. */
  name: string;
  grants: JoinGrants;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
};

const claimsSchema = z.object({
  sub: z.string().min(1),
  name: z.string(),
  grants: joinGrantsSchema,
  exp: z.number(),
});

/** The longest a join token lives: enough to connect, not to share. Verification refuses longer ones. */
export const JOIN_TOKEN_MAX_SECONDS = 600;

/** Signs a join token; `ttlSeconds` defaults to (and may not exceed) JOIN_TOKEN_MAX_SECONDS. */
export async function mintJoinToken(
  keys: SigningKeys,
  input: { identity: string; name: string; grants: z.input<typeof joinGrantsSchema>; ttlSeconds?: number },
): Promise<string> {
  const grants = joinGrantsSchema.parse(input.grants);
  const { key, header } = keys.signing;
  return new SignJWT({ name: input.name, grants })
    .setProtectedHeader(header)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(input.identity)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + Math.min(input.ttlSeconds ?? JOIN_TOKEN_MAX_SECONDS, JOIN_TOKEN_MAX_SECONDS))
    .sign(key);
}

/** Checks signature, issuer, audience and expiry (required, and within JOIN_TOKEN_MAX_SECONDS of issue); throws AppError 401 when any fails. */
export async function verifyJoinToken(keys: SigningKeys, token: string): Promise<JoinIdentity> {
  try {
    const payload = await verifyOwnToken(keys, token, { issuer: ISSUER, audience: AUDIENCE, maxLifetimeSeconds: JOIN_TOKEN_MAX_SECONDS });
    const claims = claimsSchema.parse(payload);
    return { identity: claims.sub, name: claims.name, grants: claims.grants, expiresAt: claims.exp };
  } catch {
    throw AppError.unauthorized("The room token is not valid or has expired");
  }
}
