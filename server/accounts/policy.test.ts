import { describe, expect, it } from "vitest";
import { type Actor, ANONYMOUS } from "./actor.ts";
import { can, type EventTeamRole, type Resource } from "./policy.ts";

const user: Actor = { kind: "user", userId: "u", credential: { kind: "session", sessionId: "s" } };
const admin: Actor = { kind: "admin", userId: "a", credential: { kind: "session", sessionId: "s" } };
const readToken: Actor = { kind: "api_token", userId: "u", role: "user", tokenId: "t", scopes: ["events:read"] };
const writeToken: Actor = { kind: "api_token", userId: "u", role: "user", tokenId: "t", scopes: ["events:write"] };

const org = (role: "owner" | "admin" | "member" | null): Resource => ({ kind: "organization", id: "o", role });
const event = (teamRole: EventTeamRole | null, organizationRole: "owner" | "admin" | "member" | null = null): Resource => ({
  kind: "event",
  id: "e",
  organizationRole,
  teamRole,
});

describe("can", () => {
  it("ranks organization roles: members read, admins manage, only owners delete", () => {
    expect(can(user, "organization.read", org("member"))).toBe(true);
    expect(can(user, "organization.read", org(null))).toBe(false);
    expect(can(user, "organization.update", org("member"))).toBe(false);
    expect(can(user, "organization.update", org("admin"))).toBe(true);
    expect(can(user, "organization.delete", org("admin"))).toBe(false);
    expect(can(user, "organization.delete", org("owner"))).toBe(true);
    expect(can(admin, "organization.delete", org(null))).toBe(true);
  });

  it("expresses event team roles: moderators moderate, check-in staff check in, neither edits", () => {
    expect(can(user, "event.moderate", event("moderator"))).toBe(true);
    expect(can(user, "event.update", event("moderator"))).toBe(false);
    expect(can(user, "event.checkIn", event("check_in_staff"))).toBe(true);
    expect(can(user, "event.moderate", event("check_in_staff"))).toBe(false);
    expect(can(user, "event.update", event("co_host"))).toBe(true);
    expect(can(user, "event.delete", event("co_host"))).toBe(false);
    expect(can(user, "event.delete", event(null, "admin"))).toBe(true);
    expect(can(user, "event.update", event(null, "member"))).toBe(false);
  });

  it("expresses room roles", () => {
    const room = (role: "host" | "speaker" | "attendee" | null): Resource => ({ kind: "room", id: "r", role });
    expect(can(user, "room.publish", room("speaker"))).toBe(true);
    expect(can(user, "room.publish", room("attendee"))).toBe(false);
    expect(can(user, "room.moderate", room("speaker"))).toBe(false);
    expect(can(user, "room.moderate", room("host"))).toBe(true);
  });

  it("limits API tokens to their scopes, and keeps session-only actions from them", () => {
    expect(can(readToken, "organization.read", org("member"))).toBe(true);
    expect(can(readToken, "organization.update", org("owner"))).toBe(false);
    expect(can(writeToken, "organization.update", org("owner"))).toBe(true);
    expect(can(writeToken, "account.changePassword")).toBe(false);
    expect(can(writeToken, "event.moderate", event("moderator"))).toBe(false);
  });

  it("denies anonymous callers everything but public actions, and everyone unknown actions", () => {
    expect(can(ANONYMOUS, "account.logIn")).toBe(true);
    expect(can(ANONYMOUS, "account.read")).toBe(false);
    expect(can(user, "admin.users.list")).toBe(false);
    expect(can(admin, "admin.users.list")).toBe(true);
    expect(can(admin, "no.such.action")).toBe(false);
  });
});
