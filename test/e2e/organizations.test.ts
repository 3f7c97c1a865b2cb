/** Organizations end to end: roles decide who reads, manages and owns, through the real server. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifiedUser } from "../support/accounts.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

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

    expect((await owner.put(`/api/organizations/${id}/members`, { email: "helper@example.org", role: "admin" })).status).toBe(200);
    // An admin adds members, but cannot make owners.
    expect((await helper.put(`/api/organizations/${id}/members`, { email: "member@example.org", role: "member" })).status).toBe(200);
    expect((await helper.put(`/api/organizations/${id}/members`, { email: "outsider@example.org", role: "owner" })).status).toBe(403);
    expect((await helper.put(`/api/organizations/${id}/members`, { email: "nobody@example.org", role: "member" })).status).toBe(404);

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
    expect((await member.delete(`/api/organizations/${id}/members/${memberId}`)).status).toBe(204);
    expect((await member.get(`/api/organizations/${id}`)).status).toBe(404);

    expect((await owner.delete(`/api/organizations/${id}`)).status).toBe(204);
    expect((await owner.get("/api/organizations")).body.organizations).toEqual([]);
  });
});
