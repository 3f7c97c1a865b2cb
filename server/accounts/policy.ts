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

  "room.publish": { who: "signed_in", on: roomRole("host", "speaker") },
  "room.moderate": { who: "signed_in", on: roomRole("host") },
  // Media signaling (sfu/signaling.ts): the room join token carries who may do what.
  "media.signal": { who: "anyone" },

  "admin.users.list": { who: "admin", scope: "admin" },
  "admin.users.read": { who: "admin", scope: "admin" },
  "admin.users.setRole": { who: "admin", scope: "admin" },
  "admin.users.ban": { who: "admin", scope: "admin" },
  "admin.users.unban": { who: "admin", scope: "admin" },
  "admin.users.forcePasswordReset": { who: "admin", scope: "admin" },
  "admin.audit.read": { who: "admin", scope: "admin" },
  "admin.outbox.read": { who: "admin", scope: "admin" },
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
