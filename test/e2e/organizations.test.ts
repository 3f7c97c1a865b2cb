/** Organizations end to end: roles decide who reads, manages and owns, through the real server. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifiedUser } from "../support/accounts.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { linkToken, TestSmtpServer } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let owner: TestClient, helper: TestClient, member: TestClient, outsider: TestClient;
beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  [owner, helper, member, outsider] = await Promise.all(
    ["owner", "helper", "member", "outsider"].map((name) => verifiedUser(server, smtp, `${name}@example.org`)),
  );
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

describe("organizations", () => {
  it("makes its creator the owner, and lets each role do what it may", async () => {
    const created = await owner.post("/api/organizations", { name: "Conf Co", slug: "conf-co" });
    expect(created.status).toBe(201);
    const id = created.body.organization.id;
    expect((await owner.post("/api/organizations", { name: "Other", slug: "conf-co" })).status).toBe(409);
    expect((await owner.post("/api/organizations", { name: "X", slug: "Not A Slug" })).body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(["name", "slug"]);

    // People join by accepting an e-mailed invitation; an admin invites members, but cannot make owners.
    const join = async (inviter: TestClient, invitee: TestClient, email: string, role: string) => {
      expect((await inviter.post(`/api/organizations/${id}/invitations`, { email, role })).status).toBe(202);
      const mail = await smtp.next(email, (m) => m.subject === "Join Conf Co on Plenary");
      expect((await invitee.post("/api/invitations/accept", { token: linkToken(mail) })).status).toBe(200);
    };
    await join(owner, helper, "helper@example.org", "admin");
    await join(helper, member, "member@example.org", "member");
    expect((await helper.post(`/api/organizations/${id}/invitations`, { email: "outsider@example.org", role: "owner" })).status).toBe(403);
    expect((await helper.post(`/api/organizations/${id}/invitations`, { email: "nobody@example.org", role: "member" })).status).toBe(202);

    const seen = await member.get(`/api/organizations/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.organization.role).toBe("member");
    expect(seen.body.members.map((m: { role: string }) => m.role).sort()).toEqual(["admin", "member", "owner"]);
    expect((await member.patch(`/api/organizations/${id}`, { name: "Hijacked" })).status).toBe(403);
    expect((await helper.patch(`/api/organizations/${id}`, { name: "Conf Company" })).status).toBe(200);

    // Outsiders do not even learn that it exists.
    expect((await outsider.get(`/api/organizations/${id}`)).status).toBe(404);
    expect((await outsider.patch(`/api/organizations/${id}`, { name: "Mine" })).status).toBe(404);
    expect((await member.get("/api/organizations")).body.organizations).toEqual([{ id, name: "Conf Company", slug: "conf-co", role: "member" }]);

    expect((await helper.delete(`/api/organizations/${id}`)).status).toBe(403);
    const ownerId = seen.body.members.find((m: { role: string }) => m.role === "owner").userId;
    expect((await owner.delete(`/api/organizations/${id}/members/${ownerId}`)).body.error.code).toBe("last_owner");
    const memberId = seen.body.members.find((m: { role: string }) => m.role === "member").userId;
    // Roles change by member id; only owners touch owners.
    expect((await helper.patch(`/api/organizations/${id}/members/${ownerId}`, { role: "member" })).status).toBe(403);
    expect((await helper.patch(`/api/organizations/${id}/members/${memberId}`, { role: "admin" })).body.member.role).toBe("admin");
    expect((await owner.patch(`/api/organizations/${id}/members/${memberId}`, { role: "member" })).status).toBe(200);
    expect((await member.delete(`/api/organizations/${id}/members/${memberId}`)).status).toBe(204);
    expect((await member.get(`/api/organizations/${id}`)).status).toBe(404);

    expect((await owner.delete(`/api/organizations/${id}`)).status).toBe(204);
    expect((await owner.get("/api/organizations")).body.organizations).toEqual([]);
  });
});
