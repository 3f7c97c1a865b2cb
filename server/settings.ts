/** Instance settings changed at run time (first run, admin pages), stored as JSON. */
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
