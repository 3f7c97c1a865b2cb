/**
 * The permission model: one question, "may this actor do this action (on this resource)?".
 * Every HTTP route and realtime message names an action from RULES; an action missing
 * here is denied to everyone, and the permission matrix test fails.
 *
 * Checking happens twice: before a handler runs, `can(actor, action)` checks who may try
 * at all (anyone, signed in, platform admin, API token scope); once the handler has loaded
 * the resource, `can(actor, action, resource)` checks the actor's role on it.
 */
import type { OrganizationRole, PlatformRole } from "../db/schema.ts";
import type { Actor, ApiScope } from "./actor.ts";

/** Event team roles (built with the events issue; the model already knows them). */
export type EventTeamRole = "owner" | "co_host" | "moderator" | "check_in_staff";
/** Roles inside a live room. */
export type RoomRole = "host" | "speaker" | "attendee";

/** A resource with the actor's relation to it, loaded by the caller. */
export type Resource =
  | { kind: "user"; id: string }
  | { kind: "organization"; id: string; role: OrganizationRole | null }
  | { kind: "event"; id: string; organizationRole: OrganizationRole | null; teamRole: EventTeamRole | null }
  | { kind: "room"; id: string; role: RoomRole | null };

export type Who = "anyone" | "signed_in" | "admin";

export type Rule = {
  /** Who may attempt the action at all. */
  who: Who;
  /**
   * The scope a personal API token needs for it. Without one, API tokens may not do it
   * (session management, passwords: things only the person at the keyboard does).
   */
  scope?: ApiScope;
  /** Decides on a loaded resource; platform admins pass it. */
  on?: (actor: Actor, resource: Resource) => boolean;
};

const orgRoleAtLeast = (minimum: OrganizationRole) => (_: Actor, r: Resource) =>
  r.kind === "organization" && r.role !== null && ORG_RANK[r.role] >= ORG_RANK[minimum];
const ORG_RANK: Record<OrganizationRole, number> = { member: 1, admin: 2, owner: 3 };
const eventRole = (...team: EventTeamRole[]) => (_: Actor, r: Resource) =>
  r.kind === "event" &&
  ((r.organizationRole !== null && ORG_RANK[r.organizationRole] >= ORG_RANK.admin) ||
    (r.teamRole !== null && team.includes(r.teamRole)));
const roomRole = (...roles: RoomRole[]) => (_: Actor, r: Resource) =>
  r.kind === "room" && r.role !== null && roles.includes(r.role);

export const RULES = {
  "system.ping": { who: "anyone" },
  "system.echo": { who: "anyone" },
  "setup.status": { who: "anyone" },
  "setup.firstRun": { who: "anyone" },

  "account.signUp": { who: "anyone" },
  "account.verifyEmail": { who: "anyone" },
  "account.logIn": { who: "anyone" },
  "account.requestPasswordReset": { who: "anyone" },
  "account.resetPassword": { who: "anyone" },
  "account.token": { who: "anyone" },
  "account.token.revoke": { who: "anyone" },
  "account.jwks": { who: "anyone" },
  "account.oauth.providers": { who: "anyone" },
  "account.oauth.start": { who: "anyone" },
  "account.oauth.callback": { who: "anyone" },
  "account.oauth.list": { who: "signed_in", scope: "profile:read" },
  "account.oauth.unlink": { who: "signed_in" },
  "account.read": { who: "signed_in", scope: "profile:read" },
  "account.update": { who: "signed_in", scope: "profile:write" },
  "account.resendVerification": { who: "signed_in" },
  "account.logOut": { who: "signed_in" },
  "account.logOutEverywhere": { who: "signed_in" },
  "account.sessions.list": { who: "signed_in" },
  "account.sessions.revoke": { who: "signed_in" },
  "account.changePassword": { who: "signed_in" },
  "account.delete": { who: "signed_in" },
  "account.apiTokens.manage": { who: "signed_in" },
  "profile.avatar.read": { who: "anyone" },

  "organization.create": { who: "signed_in", scope: "events:write" },
  "organization.list": { who: "signed_in", scope: "events:read" },
  "organization.read": { who: "signed_in", scope: "events:read", on: orgRoleAtLeast("member") },
  "organization.update": { who: "signed_in", scope: "events:write", on: orgRoleAtLeast("admin") },
  "organization.members.manage": { who: "signed_in", scope: "events:write", on: orgRoleAtLeast("admin") },
  "organization.delete": { who: "signed_in", scope: "events:write", on: orgRoleAtLeast("owner") },

  "event.create": { who: "signed_in", scope: "events:write", on: orgRoleAtLeast("admin") },
  "event.update": { who: "signed_in", scope: "events:write", on: eventRole("owner", "co_host") },
  "event.delete": { who: "signed_in", scope: "events:write", on: eventRole("owner") },
  "event.moderate": { who: "signed_in", on: eventRole("owner", "co_host", "moderator") },
  "event.checkIn": { who: "signed_in", scope: "events:write", on: eventRole("owner", "co_host", "check_in_staff") },
  // Organizer side (server/events): the dashboard is for every team member; the team is the owner's and co-hosts'.
  "event.list": { who: "signed_in", scope: "events:read" },
  "event.read": { who: "signed_in", scope: "events:read", on: eventRole("owner", "co_host", "moderator", "check_in_staff") },
  "event.cancel": { who: "signed_in", scope: "events:write", on: eventRole("owner") },
  "event.team.manage": { who: "signed_in", scope: "events:write", on: eventRole("owner", "co_host") },
  "event.review": { who: "admin", scope: "admin" },
  // Invitations (server/invitations): the handler checks the role in the invitation's organization or event.
  "invitation.manage": { who: "signed_in", scope: "events:write" },
  // The link's holder sees what it is for before signing in; accepting takes the invited account itself.
  "invitation.preview": { who: "anyone" },
  "invitation.accept": { who: "signed_in" },
  // Cover images, speaker photos and organization logos appear on public pages.
  "event.image.read": { who: "anyone" },
  // Discovery: the public list and event pages; the handler applies visibility (invite-only, unlisted, drafts).
  "event.discover": { who: "anyone" },
  "event.readPublic": { who: "anyone" },

  // Ticketing (server/ticketing, server/tickets): organizers manage what is sold; buyers check out and read their own.
  "ticketing.manage": { who: "signed_in", scope: "events:write", on: eventRole("owner", "co_host") },
  "ticketing.offer": { who: "anyone" },
  "checkout.create": { who: "signed_in" },
  // Guests: the order's keyed link is the authentication (server/ticketing/guest-links.ts).
  "checkout.guest": { who: "anyone" },
  "orders.guestRead": { who: "anyone" },
  "orders.guestCancel": { who: "anyone" },
  "orders.read": { who: "signed_in", scope: "events:read" },
  "orders.cancel": { who: "signed_in" },
  "orders.list": { who: "signed_in", scope: "events:read", on: eventRole("owner", "co_host") },
  "tickets.read": { who: "signed_in", scope: "events:read" },
  "waitlist.join": { who: "signed_in" },
  // The provider's signature on the raw body is the authentication.
  "payments.webhook": { who: "anyone" },

  "room.publish": { who: "signed_in", on: roomRole("host", "speaker") },
  "room.moderate": { who: "signed_in", on: roomRole("host") },
  // Live room (sfu/room-messages.ts): the join token says who is in the room and in which role.
  "room.join": { who: "signed_in" },
  "room.participate": { who: "anyone" },
  "room.host": { who: "anyone", on: roomRole("host") },
  // Media signaling (sfu/signaling.ts): the room join token carries who may do what.
  "media.signal": { who: "anyone" },
  // Recordings (server/recordings): hosts start and stop; owners and co-hosts edit; watching
  // and the signed media links are checked against the recording's access setting.
  "recording.control": { who: "signed_in", scope: "events:write", on: roomRole("host") },
  "recording.manage": { who: "signed_in", scope: "events:write", on: eventRole("owner", "co_host") },
  "recording.list": { who: "anyone" },
  "recording.status": { who: "anyone" },
  "recording.watch": { who: "anyone" },
  "recording.media": { who: "anyone" },
  // Live streaming out (server/streaming): owners and co-hosts set up RTMP(S) destinations;
  // room hosts start, stop and watch health; whoever may enter the room watches the live HLS
  // (the handler checks it; the media route's signed token is the permission).
  "stream.destinations.read": { who: "signed_in", scope: "events:read", on: eventRole("owner", "co_host") },
  "stream.destinations.manage": { who: "signed_in", scope: "events:write", on: eventRole("owner", "co_host") },
  "stream.control": { who: "signed_in", scope: "events:write", on: roomRole("host") },
  "stream.status": { who: "anyone" },
  "stream.watch": { who: "anyone" },
  "stream.media": { who: "anyone" },

  "admin.users.list": { who: "admin", scope: "admin" },
  "admin.users.read": { who: "admin", scope: "admin" },
  "admin.users.setRole": { who: "admin", scope: "admin" },
  "admin.users.ban": { who: "admin", scope: "admin" },
  "admin.users.unban": { who: "admin", scope: "admin" },
  "admin.users.forcePasswordReset": { who: "admin", scope: "admin" },
  "admin.audit.read": { who: "admin", scope: "admin" },
  "admin.outbox.read": { who: "admin", scope: "admin" },
  "admin.jobs.read": { who: "admin", scope: "admin" },
  "admin.jobs.retry": { who: "admin", scope: "admin" },
  // Revenue (server/revenue): an event's owners and co-hosts (and its organization's admins) see
  // its money and refund its orders; buyers read their receipts and cancel within the policy.
  "revenue.read": { who: "signed_in", scope: "events:read", on: eventRole("owner", "co_host") },
  "organization.revenue.read": { who: "signed_in", scope: "events:read", on: orgRoleAtLeast("admin") },
  "order.refund": { who: "signed_in", scope: "events:write", on: eventRole("owner", "co_host") },
  "order.cancelSelf": { who: "signed_in", scope: "events:write" },
  "order.receipt": { who: "signed_in", scope: "events:read" },
  "admin.revenue.read": { who: "admin", scope: "admin" },
  "admin.commission.manage": { who: "admin", scope: "admin" },

  // Chat, polls, Q&A, reactions: signed in to try; the handler checks the ticket or team role
  // behind the channel or session. Moderating uses "event.moderate" on the event.
  "chat.participate": { who: "signed_in" },
  "poll.participate": { who: "signed_in" },
  "qa.participate": { who: "signed_in" },
  "reaction.send": { who: "signed_in" },
  "event.announce": { who: "signed_in", scope: "events:write", on: eventRole("owner", "co_host") },
  "notification.read": { who: "signed_in", scope: "profile:read" },
  "notification.manage": { who: "signed_in", scope: "profile:write" },
  // The link in an e-mail works without logging in; its signed token names the user.
  "notification.unsubscribe": { who: "anyone" },

  // Feedback (server/feedback): attendees rate (the handler checks the ticket); anyone reads
  // published ratings; owners and co-hosts ask survey questions, reply, feature, and read the report.
  "feedback.submit": { who: "signed_in" },
  "feedback.read": { who: "anyone" },
  "feedback.flag": { who: "signed_in" },
  "feedback.manage": { who: "signed_in", scope: "events:write", on: eventRole("owner", "co_host") },
  "feedback.report": { who: "signed_in", scope: "events:read", on: eventRole("owner", "co_host") },
  "admin.feedback.moderate": { who: "admin", scope: "admin" },
  // Sponsors (server/sponsors): public on published events; impressions and clicks are counted for anyone.
  "sponsors.read": { who: "anyone" },
  "sponsors.track": { who: "anyone" },
  "sponsors.manage": { who: "signed_in", scope: "events:write", on: eventRole("owner", "co_host") },
  "sponsors.stats": { who: "signed_in", scope: "events:read", on: eventRole("owner", "co_host") },
  // The live overlay: the session's attendees watch it, its hosts control it.
  "sponsors.overlay.watch": { who: "signed_in" },
  "sponsors.overlay.control": { who: "signed_in", on: eventRole("owner", "co_host", "moderator") },
  // Public speaker pages (server/speakers-public).
  "speakers.readPublic": { who: "anyone" },
  "organization.readPublic": { who: "anyone" },
} satisfies Record<string, Rule>;

export type Action = keyof typeof RULES;

export function isKnownAction(action: string | undefined): action is Action {
  return action !== undefined && Object.hasOwn(RULES, action);
}

export function ruleFor(action: string): Rule | undefined {
  return isKnownAction(action) ? (RULES[action] as Rule) : undefined;
}

/** May the actor do the action, on the resource when one is given? Unknown actions: no. */
export function can(actor: Actor, action: string, resource?: Resource): boolean {
  const rule = ruleFor(action);
  if (!rule) return false;
  if (!passesWho(actor, rule)) return false;
  if (!resource || !rule.on) return true;
  if (platformRole(actor) === "admin") return true;
  return rule.on(actor, resource);
}

function passesWho(actor: Actor, rule: Rule): boolean {
  if (rule.who === "anyone") return true;
  if (actor.kind === "anonymous") return false;
  if (actor.kind === "api_token") {
    if (!rule.scope || !actor.scopes.includes(rule.scope)) return false;
    return rule.who !== "admin" || actor.role === "admin";
  }
  return rule.who !== "admin" || actor.kind === "admin";
}

function platformRole(actor: Actor): PlatformRole | null {
  if (actor.kind === "anonymous") return null;
  if (actor.kind === "api_token") return actor.scopes.includes("admin") ? actor.role : "user";
  return actor.kind === "admin" ? "admin" : "user";
}
