import { type Kysely, sql } from "kysely";

/**
 * Invitations by e-mail into an organization, an event's team, or a speaker profile. The
 * inviter learns nothing about whether the address has an account: the person accepts from
 * the mailed link while signed in with that (verified) address, and only then is a member
 * row written or the speaker linked. The link's token is stored only as its SHA-256; a row
 * is used once (accepted_at), can be withdrawn (revoked_at) and expires. Event-team
 * invitations, which 0004 kept in their own table, move here so one accept page serves all.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("invitations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('organization', 'event_team', 'speaker')`))
    .addColumn("organization_id", "text", (c) => c.references("organizations.id").onDelete("cascade"))
    .addColumn("event_id", "text", (c) => c.references("events.id").onDelete("cascade"))
    .addColumn("speaker_id", "text", (c) => c.references("speakers.id").onDelete("cascade"))
    // An organization role for 'organization', an event-team role for 'event_team', null for 'speaker'.
    .addColumn("role", "text")
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("invited_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("sent_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("accepted_at", "text")
    .addColumn("accepted_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("revoked_at", "text")
    .addCheckConstraint("invitations_target", sql`(kind = 'organization' and organization_id is not null and role in ('owner', 'admin', 'member'))
      or (kind = 'event_team' and event_id is not null and role in ('co_host', 'moderator', 'check_in_staff'))
      or (kind = 'speaker' and event_id is not null and speaker_id is not null and role is null)`)
    .execute();
  await db.schema.createIndex("invitations_organization").on("invitations").columns(["organization_id", "email"]).execute();
  await db.schema.createIndex("invitations_event").on("invitations").columns(["event_id", "email"]).execute();
  await db.schema.createIndex("invitations_speaker").on("invitations").column("speaker_id").execute();

  await sql`insert into invitations (id, kind, event_id, role, email, token_hash, invited_by, created_at, sent_at, expires_at, accepted_at)
    select id, 'event_team', event_id, role, email, token_hash, invited_by, created_at, created_at, expires_at, accepted_at from event_team_invites`.execute(db);
  await db.schema.dropTable("event_team_invites").execute();
}
