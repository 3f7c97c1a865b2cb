/**
 * TURN servers for clients, with coturn's REST-API ephemeral credentials
 * (`use-auth-secret` / `static-auth-secret`): the username is `<expiry>:<identity>` and the
 * password is base64(HMAC-SHA1(secret, username)), so coturn checks them without a
 * database and they stop working at the expiry.
 */
import { createHmac } from "node:crypto";

export type IceServer = { urls: string[]; username?: string; credential?: string };

export type TurnOptions = {
  /** turn:/turns:/stun: URLs; empty means no TURN. */
  urls: string[];
  /** coturn's static-auth-secret; without it the URLs are handed out without credentials. */
  secret: string;
  /** How long credentials stay valid, in seconds. Default one day. */
  ttlSeconds?: number;
};

export function turnCredentials(secret: string, identity: string, ttlSeconds: number, now = Date.now()): { username: string; credential: string } {
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  // coturn splits the username at the first colon; one in the identity would shift it.
  const username = `${expiry}:${identity.replaceAll(":", "_")}`;
  const credential = createHmac("sha1", secret).update(username).digest("base64");
  return { username, credential };
}

/** The ICE servers a peer is given at join. */
export function iceServersFor(options: TurnOptions, identity: string, now = Date.now()): IceServer[] {
  if (options.urls.length === 0) return [];
  if (!options.secret) return [{ urls: options.urls }];
  return [{ urls: options.urls, ...turnCredentials(options.secret, identity, options.ttlSeconds ?? 86_400, now) }];
}
