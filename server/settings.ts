/** Instance settings changed at run time (first run, admin pages), stored as JSON. */
import { randomBytes } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { DB } from "./db/schema.ts";

export type InstanceSettings = {
  /** The URL people use to reach this server, set at first run. */
  public_url: string;
};

export async function getSetting<K extends keyof InstanceSettings>(
  db: Kysely<DB> | Transaction<DB>,
  key: K,
): Promise<InstanceSettings[K] | null> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
  return row ? (JSON.parse(row.value) as InstanceSettings[K]) : null;
}

export async function setSetting<K extends keyof InstanceSettings>(
  db: Kysely<DB> | Transaction<DB>,
  key: K,
  value: InstanceSettings[K],
): Promise<void> {
  const row = { key, value: JSON.stringify(value), updated_at: new Date().toISOString() };
  await db
    .insertInto("settings")
    .values(row)
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: row.value, updated_at: row.updated_at }))
    .execute();
}

// Secrets made on first use, per database (a test runs several), read once.
const secrets = new WeakMap<Kysely<DB>, Map<string, Promise<Buffer>>>();

/**
 * A random 32-byte secret kept in the settings table under `key` (for signed links:
 * unsubscribe, guest order pages), made on first use. Concurrent first uses agree: the
 * insert never overwrites, and everyone reads back what won.
 */
export function instanceSecret(db: Kysely<DB>, key: string): Promise<Buffer> {
  let known = secrets.get(db);
  if (!known) secrets.set(db, (known = new Map()));
  let secret = known.get(key);
  if (!secret) {
    secret = loadSecret(db, key);
    known.set(key, secret);
    secret.catch(() => known.delete(key));
  }
  return secret;
}

async function loadSecret(db: Kysely<DB>, key: string): Promise<Buffer> {
  const fresh = randomBytes(32).toString("base64url");
  await db
    .insertInto("settings")
    .values({ key, value: JSON.stringify(fresh), updated_at: new Date().toISOString() })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  const row = await db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirstOrThrow();
  return Buffer.from(JSON.parse(row.value) as string, "base64url");
}
