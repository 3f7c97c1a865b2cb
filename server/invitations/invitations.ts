/**
 * Invitations by e-mail into an organization, an event's team or a speaker profile. Whoever
 * invites gets the same answer whether or not the address has an account: nothing is looked
 * up until the person opens the mailed link and accepts while signed in with that verified
 * address. Only the SHA-256 of the link's token is stored; a link works once, for
 * INVITE_DAYS, and stops working when withdrawn or replaced by a resend.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Kysely, Selectable, Transaction } from "kysely";
import type { Actor } from "../accounts/actor.ts";
import { recordAudit } from "../accounts/audit.ts";
import type { DB, EventTeamRoleColumn, InvitationsTable, OrganizationRole, User } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Mailer } from "../mail/mailer.ts";

export const INVITE_DAYS = 7;
/** A resend waits this long after the last send, so the button cannot be used to flood someone's inbox. */
export const RESEND_AFTER_MS = 60_000;

type Db = Kysely<DB> | Transaction<DB>;
export type InvitationRow = Selectable<InvitationsTable>;
export type InvitationTarget =
  | { kind: "organization"; organizationId: string; role: OrganizationRole }
  | { kind: "event_team"; eventId: string; role: Exclude<EventTeamRoleColumn, "owner"> }
  | { kind: "speaker"; eventId: string; speakerId: string };

const ORG_ROLES: Record<OrganizationRole, string> = { owner: "owner", admin: "admin", member: "member" };
const ORG_RANK: Record<OrganizationRole, number> = { member: 1, admin: 2, owner: 3 };
const TEAM_ROLES: Record<EventTeamRoleColumn, string> = { owner: "owner", co_host: "co-host", moderator: "moderator", check_in_staff: "check-in staff" };

export const hashInvitationToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** What the inviter's lists show: the address and its state, never who (if anyone) owns it. */
export function invitationView(row: InvitationRow, now = new Date().toISOString()) {
  return {
    id: row.id, kind: row.kind, email: row.email, role: row.role,
    status: row.expires_at <= now ? ("expired" as const) : ("invited" as const),
    sentAt: row.sent_at, expiresAt: row.expires_at,
  };
}
export type InvitationView = ReturnType<typeof invitationView>;

/** Invitations not yet accepted or withdrawn (expired ones stay listed, to resend or withdraw). */
export function openInvitations(db: Db) {
  return db.selectFrom("invitations").selectAll().where("accepted_at", "is", null).where("revoked_at", "is", null).orderBy("created_at");
}

/**
 * Writes an invitation (withdrawing any open one for the same place and address, or for the
 * same speaker) and stages its mail in `trx`; call `deliver()` once the transaction committed.
 */
export async function createInvitation(
  trx: Transaction<DB>, mailer: Mailer, p: { target: InvitationTarget; email: string; actor: Actor; inviterId: string | null; ip: string; base: string },
) {
  const now = new Date().toISOString();
  const t = p.target;
  let replaced = trx.updateTable("invitations").set({ revoked_at: now }).where("accepted_at", "is", null).where("revoked_at", "is", null).where("kind", "=", t.kind);
  replaced = t.kind === "organization" ? replaced.where("organization_id", "=", t.organizationId).where("email", "=", p.email)
    : t.kind === "event_team" ? replaced.where("event_id", "=", t.eventId).where("email", "=", p.email)
    : replaced.where("speaker_id", "=", t.speakerId);
  await replaced.execute();
  const token = randomBytes(32).toString("base64url");
  const row: InvitationRow = {
    id: randomUUID(), kind: t.kind, email: p.email, token_hash: hashInvitationToken(token), invited_by: p.inviterId,
    organization_id: t.kind === "organization" ? t.organizationId : null,
    event_id: t.kind === "organization" ? null : t.eventId,
    speaker_id: t.kind === "speaker" ? t.speakerId : null,
    role: t.kind === "speaker" ? null : t.role,
    created_at: now, sent_at: now, expires_at: expiry(now), accepted_at: null, accepted_by: null, revoked_at: null,
  };
  await trx.insertInto("invitations").values(row).execute();
  await recordAudit(trx, p.actor, p.ip, { action: auditAction(row, "invite"), targetType: targetType(row), targetId: targetId(row), after: { invitationId: row.id, kind: row.kind, email: row.email, role: row.role } });
  const staged = await stageMail(trx, mailer, row, token, p.base);
  return { invitation: invitationView(row), deliver: staged.deliver };
}

/** A fresh link for an open invitation (the old one stops working) and a new expiry. */
export async function resendInvitation(trx: Transaction<DB>, mailer: Mailer, row: InvitationRow, p: { actor: Actor; ip: string; base: string }) {
  if (row.accepted_at !== null) throw AppError.conflict("invitation_accepted", "This invitation was already accepted");
  if (row.revoked_at !== null) throw AppError.conflict("invitation_revoked", "This invitation was withdrawn; send a new one");
  if (Date.now() - Date.parse(row.sent_at) < RESEND_AFTER_MS) throw AppError.rateLimited("This invitation was sent less than a minute ago; give it a moment to arrive before sending it again");
  const now = new Date().toISOString();
  const token = randomBytes(32).toString("base64url");
  const updated = { ...row, token_hash: hashInvitationToken(token), sent_at: now, expires_at: expiry(now) };
  await trx.updateTable("invitations").set({ token_hash: updated.token_hash, sent_at: now, expires_at: updated.expires_at }).where("id", "=", row.id).execute();
  await recordAudit(trx, p.actor, p.ip, { action: auditAction(row, "reinvite"), targetType: targetType(row), targetId: targetId(row), after: { invitationId: row.id, email: row.email } });
  const staged = await stageMail(trx, mailer, updated, token, p.base);
  return { invitation: invitationView(updated), deliver: staged.deliver };
}

/** Withdraws an open invitation: its link then says so. */
export async function revokeInvitation(trx: Transaction<DB>, row: InvitationRow, p: { actor: Actor; ip: string }) {
  if (row.accepted_at !== null) throw AppError.conflict("invitation_accepted", "This invitation was already accepted; remove the person instead");
  if (row.revoked_at !== null) return;
  await trx.updateTable("invitations").set({ revoked_at: new Date().toISOString() }).where("id", "=", row.id).execute();
  await recordAudit(trx, p.actor, p.ip, { action: auditAction(row, "uninvite"), targetType: targetType(row), targetId: targetId(row), before: { invitationId: row.id, email: row.email, role: row.role } });
}

/** The invitation a link's token stands for, whatever its state; 404 for a token nobody issued. */
export async function invitationByToken(db: Db, token: string): Promise<InvitationRow> {
  const row = await db.selectFrom("invitations").selectAll().where("token_hash", "=", hashInvitationToken(token)).executeTakeFirst();
  if (!row) throw new AppError("invitation_invalid", 404, "This invitation link is not valid. Check that you opened the whole link from the e-mail, or ask for a new invitation.");
  return row;
}

export function invitationState(row: InvitationRow, now = new Date().toISOString()): "pending" | "accepted" | "revoked" | "expired" {
  if (row.accepted_at !== null) return "accepted";
  if (row.revoked_at !== null) return "revoked";
  return row.expires_at <= now ? "expired" : "pending";
}

/** What the link's holder is shown before accepting: where, as what, for which address, from whom. */
export async function describeInvitation(db: Db, row: InvitationRow) {
  const inviter = row.invited_by ? await db.selectFrom("users").select("display_name").where("id", "=", row.invited_by).executeTakeFirst() : undefined;
  const place = await placeOf(db, row);
  return {
    kind: row.kind, email: row.email, role: row.role, roleLabel: roleLabel(row), status: invitationState(row), expiresAt: row.expires_at,
    inviterName: inviter?.display_name ?? null, target: place,
  };
}

/**
 * Accepts for `user`: the link must still be open and `user` signed in with the invited,
 * verified address. Grants the role (never lowers one the person already has) and uses the link up.
 */
export async function acceptInvitation(trx: Transaction<DB>, row: InvitationRow, user: User, p: { actor: Actor; ip: string }) {
  const state = invitationState(row);
  if (state === "accepted") throw new AppError("invitation_used", 410, "This invitation was already accepted. Each link works once; ask for a new invitation if you need one.");
  if (state === "revoked") throw new AppError("invitation_revoked", 410, "This invitation was withdrawn by the organizer.");
  if (state === "expired") throw new AppError("invitation_expired", 410, `This invitation expired (links work for ${INVITE_DAYS} days). Ask the organizer to send it again.`);
  if (user.email !== row.email) throw AppError.forbidden("wrong_account", `This invitation is for ${row.email}. Log out, then log in or sign up with that address to accept it.`);
  if (user.email_verified_at === null) throw AppError.forbidden("email_not_verified", "Confirm your e-mail address first with the link we sent you, then open the invitation again.");
  const now = new Date().toISOString();
  let granted: string | null = row.role;
  if (row.kind === "organization") {
    const role = row.role as OrganizationRole;
    const current = await trx.selectFrom("organization_members").select("role").where("organization_id", "=", row.organization_id!).where("user_id", "=", user.id).executeTakeFirst();
    if (!current) await trx.insertInto("organization_members").values({ organization_id: row.organization_id!, user_id: user.id, role, created_at: now }).execute();
    else if (ORG_RANK[role] > ORG_RANK[current.role]) await trx.updateTable("organization_members").set({ role }).where("organization_id", "=", row.organization_id!).where("user_id", "=", user.id).execute();
    else granted = current.role;
  } else if (row.kind === "event_team") {
    const current = await trx.selectFrom("event_team").select("role").where("event_id", "=", row.event_id!).where("user_id", "=", user.id).executeTakeFirst();
    if (!current) await trx.insertInto("event_team").values({ event_id: row.event_id!, user_id: user.id, role: row.role as EventTeamRoleColumn, added_by: row.invited_by, created_at: now }).execute();
    else granted = current.role;
  } else {
    await trx.updateTable("speakers").set({ user_id: user.id, updated_at: now }).where("id", "=", row.speaker_id!).execute();
  }
  await trx.updateTable("invitations").set({ accepted_at: now, accepted_by: user.id }).where("id", "=", row.id).execute();
  await recordAudit(trx, p.actor, p.ip, { action: auditAction(row, "join"), targetType: targetType(row), targetId: targetId(row), after: { invitationId: row.id, userId: user.id, kind: row.kind, role: granted } });
  return { kind: row.kind, role: granted, target: await placeOf(trx, row) };
}

function expiry(from: string) {
  return new Date(Date.parse(from) + INVITE_DAYS * 86_400_000).toISOString();
}
// The names the dashboard's activity feed and the audit log already use for the team.
const AUDIT_PREFIX: Record<InvitationRow["kind"], string> = { organization: "organization.members", event_team: "event.team", speaker: "event.speaker" };
const auditAction = (row: InvitationRow, step: "invite" | "reinvite" | "uninvite" | "join") => `${AUDIT_PREFIX[row.kind]}.${step}`;
const targetType = (row: InvitationRow) => (row.kind === "organization" ? "organization" : "event");
const targetId = (row: InvitationRow) => (row.kind === "organization" ? row.organization_id! : row.event_id!);
function roleLabel(row: InvitationRow): string {
  if (row.kind === "organization") return ORG_ROLES[row.role as OrganizationRole];
  if (row.kind === "event_team") return TEAM_ROLES[row.role as EventTeamRoleColumn];
  return "speaker";
}

/** The organization or event the invitation leads into, and where the app shows it. */
async function placeOf(db: Db, row: InvitationRow): Promise<{ name: string; path: string; speakerName?: string }> {
  if (row.kind === "organization") {
    const org = await db.selectFrom("organizations").select(["id", "name"]).where("id", "=", row.organization_id!).executeTakeFirstOrThrow();
    return { name: org.name, path: `/organize/organizations/${org.id}` };
  }
  const event = await db.selectFrom("events").select(["id", "title", "slug"]).where("id", "=", row.event_id!).executeTakeFirstOrThrow();
  if (row.kind === "event_team") return { name: event.title, path: `/organize/events/${event.id}` };
  const speaker = await db.selectFrom("speakers").select("name").where("id", "=", row.speaker_id!).executeTakeFirstOrThrow();
  return { name: event.title, path: `/events/${event.slug}`, speakerName: speaker.name };
}

async function stageMail(trx: Transaction<DB>, mailer: Mailer, row: InvitationRow, token: string, base: string) {
  const inviter = row.invited_by ? await trx.selectFrom("users").select("display_name").where("id", "=", row.invited_by).executeTakeFirst() : undefined;
  const place = await placeOf(trx, row);
  const who = inviter?.display_name ?? "An organizer";
  const link = `${base}/invitations/accept?token=${token}`;
  const [subject, purpose] =
    row.kind === "organization" ? [`Join ${place.name} on Plenary`, `join the organization ${place.name} on Plenary as ${roleLabel(row)}`]
    : row.kind === "event_team" ? [`Join the team of ${place.name}`, `help run ${place.name} on Plenary as ${roleLabel(row)}`]
    : [`Speak at ${place.name}`, `link your account to the speaker profile “${place.speakerName}” of ${place.name} on Plenary, so you can speak in its live sessions`];
  // Transactional: one message a person asked for by name, so no unsubscribe link (as with the team invitations before).
  return mailer.stage(trx, row.email, "invitation", { subject, inviterName: who, purpose, link, days: INVITE_DAYS });
}
