/**
 * Roles in a RoomControl: what a host gives in this process wins over the join token, a
 * grant kept from before a restart only ever raises it, a team host stays host, and ending
 * the room (not a new control, as a restart makes) takes every given role back.
 */
import { describe, expect, it } from "vitest";
import { OPEN_ROOM, raisedRole, RoomControl } from "./RoomControl.ts";

describe("room roles", () => {
  it("raises a join token's role with a kept grant, never lowers it, and a team host stays host", () => {
    const control = new RoomControl("r", OPEN_ROOM, new Map([["ann", "speaker"], ["ben", "host"], ["cat", "speaker"], ["dan", "speaker"]] as const));
    expect(control.roleOf("ann", "attendee")).toBe("speaker");
    expect(control.roleOf("ben", "speaker")).toBe("host");
    // A kept speaker grant does not lower someone whose token makes them host.
    expect(control.roleOf("cat", "host")).toBe("host");
    expect(control.roleOf("eve", "attendee")).toBe("attendee");
    // What a host decides now replaces the kept grant, lowering included.
    control.setRole("dan", "attendee");
    expect(control.roleOf("dan", "attendee")).toBe("attendee");
    // A team host cannot be lowered by a role given in the room either.
    control.setRole("fay", "attendee");
    expect(control.roleOf("fay", "host")).toBe("host");
    expect(control.disposable).toBe(false);
  });

  it("takes back a given role on removal and every given role when the room ends", () => {
    const control = new RoomControl("r", OPEN_ROOM, new Map([["ann", "host"]] as const));
    control.setRole("ben", "speaker");
    control.revokeRole("ann");
    expect(control.roleOf("ann", "attendee")).toBe("attendee");
    expect(control.roleOf("ben", "attendee")).toBe("speaker");
    control.setRole("cat", "host");
    control.end();
    expect(control.roleOf("ben", "attendee")).toBe("attendee");
    expect(control.roleOf("cat", "attendee")).toBe("attendee");
    expect(control.admit.bind(control, { identity: "cat", role: control.roleOf("cat", "attendee"), hidden: false }, 0)).toThrow("The host ended this session");
  });

  it("keeps only a raise above the join token", () => {
    expect(raisedRole("speaker", "attendee")).toBe("speaker");
    expect(raisedRole("host", "speaker")).toBe("host");
    expect(raisedRole("speaker", "speaker")).toBeNull();
    expect(raisedRole("attendee", "speaker")).toBeNull();
    expect(raisedRole("speaker", "host")).toBeNull();
  });
});
