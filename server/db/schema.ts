/**
 * The database's tables as TypeScript types, kept in step with migrations/ by hand
 * (`db.test.ts` checks every column named here exists after migrating).
 * Timestamps are ISO-8601 UTC text and ids are UUID text, so the same queries run on
 * SQLite and PostgreSQL.
 */
import type { Generated, Insertable, Selectable, Updateable } from "kysely";

export type PlatformRole = "user" | "admin";

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  /** argon2id PHC string; null for accounts that only log in through OAuth. */
  password_hash: string | null;
  role: PlatformRole;
  created_at: string;
  updated_at: string;
}

/** Instance-wide settings set at run time (not in the config file), as JSON text. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface DB {
  users: UsersTable;
  settings: SettingsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type { Generated };
