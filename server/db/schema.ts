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
  /** When the address in `email` was proven by a link; null until then. */
  email_verified_at: Generated<string | null>;
  /** Set while the account is banned: it cannot log in and has no sessions. */
  banned_at: Generated<string | null>;
  /** Shown to the banned user when they try to log in. */
  ban_reason: Generated<string | null>;
  bio: Generated<string>;
  /** Path of the re-encoded avatar inside data.dir. */
  avatar_path: Generated<string | null>;
  /** IANA time zone, e.g. "Europe/Paris". */
  time_zone: Generated<string | null>;
  /** BCP 47 language tag, e.g. "fr". */
  language: Generated<string | null>;
  /** JSON array of interest tags. */
  interests: Generated<string>;
  /** JSON object: kind → channel → enabled. */
  notification_prefs: Generated<string>;
  password_changed_at: Generated<string | null>;
}

/** A browser session: only the SHA-256 of its cookie token is stored. */
export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  /** Shortened User-Agent, so the profile can say which device it is. */
  user_agent: string;
  ip: string;
}

export type EmailTokenPurpose = "verify_email" | "reset_password";

/** Single-use links sent by e-mail. */
export interface EmailTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  purpose: EmailTokenPurpose;
  /** The address the link was sent to. */
  email: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export type OrganizationRole = "owner" | "admin" | "member";

export interface OrganizationsTable {
  id: string;
  name: string;
  slug: string;
  created_at: string;
  updated_at: string;
}

export interface OrganizationMembersTable {
  organization_id: string;
  user_id: string;
  role: OrganizationRole;
  created_at: string;
}

/** Who did what to whom, with the record before and after (JSON). */
export interface AuditLogTable {
  id: string;
  at: string;
  actor_id: string | null;
  actor_kind: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: string | null;
  after: string | null;
  ip: string;
}

export type OutboxStatus = "stored" | "sending" | "sent" | "failed";

/** Every e-mail the server writes; with no SMTP configured, admins read them here. */
export interface OutboxTable {
  id: string;
  created_at: string;
  to_address: string;
  template: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: OutboxStatus;
  sent_at: string | null;
  error: string | null;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  name: string;
  /** JSON array of scope names. */
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

export interface RefreshTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  family_id: string;
  created_at: string;
  expires_at: string;
  /** Set when rotated; presenting it again revokes the whole family. */
  used_at: string | null;
}

export interface OauthAccountsTable {
  provider: string;
  provider_user_id: string;
  user_id: string;
  email: string | null;
  created_at: string;
}

/** Instance-wide settings set at run time (not in the config file), as JSON text. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export type JobStatus = "queued" | "running" | "done" | "dead";

/** The durable job queue (server/jobs): reminders, e-mail, uploads, expiring holds. */
export interface JobsTable {
  id: string;
  kind: string;
  /** Unique when set: the same reminder is never enqueued twice. */
  key: string | null;
  /** JSON, validated by the kind's schema when the job runs. */
  payload: string;
  status: JobStatus;
  run_at: string;
  attempts: Generated<number>;
  max_attempts: number;
  last_error: string | null;
  /** The runner holding the lease while running; its lease ends at locked_until. */
  locked_by: string | null;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface DB {
  users: UsersTable;
  settings: SettingsTable;
  sessions: SessionsTable;
  email_tokens: EmailTokensTable;
  organizations: OrganizationsTable;
  organization_members: OrganizationMembersTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  api_tokens: ApiTokensTable;
  refresh_tokens: RefreshTokensTable;
  oauth_accounts: OauthAccountsTable;
  jobs: JobsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type { Generated };
