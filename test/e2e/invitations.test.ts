/**
 * Invitations by e-mail through the real server and SMTP: inviting into an organization, an
 * event's team or a speaker profile answers the same whether or not the address has an
 * account (no id, no name), and only the invited address, signed in, can accept, once,
 * before the link expires or is withdrawn. Names appear only after acceptance.
 */
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn, PASSWORD, verifiedUser } from "../support/accounts.ts";
import { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { linkToken, type ReceivedMail, TestSmtpServer } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let owner: TestClient, registered: TestClient, outsider: TestClient;
let orgId = "";
let eventId = "";

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  [owner, registered, outsider] = await Promise.all(
    ["owner", "registered", "outsider"].map((name) => verifiedUser(server, smtp, `${name}@example.org`, `${name[0].toUpperCase()}${name.slice(1)} Person`)),
  );
  orgId = (await owner.post("/api/organizations", { name: "Conf Co", slug: "conf-co" })).body.organization.id;
  eventId = (await owner.post("/api/organize/events", {
    organizationId: orgId, title: "Invite Conf", timeZone: "UTC", startsAt: "2031-05-10T09:00:00.000Z", endsAt: "2031-05-11T18:00:00.000Z",
  })).body.event.id;
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

/** The body with the parts that differ by nature (ids, the address, times) masked. */
const shape = (body: unknown): unknown =>
  JSON.parse(JSON.stringify(body), (key, value) => (["id", "email", "userEmail", "sentAt", "expiresAt", "name"].includes(key) && typeof value === "string" ? `<${key}>` : value));

/** The newest mail to `to` whose subject starts with `subject`, once there are at least `count`. */
async function newestMail(to: string, subject: string, count = 1): Promise<ReceivedMail> {
  for (let i = 0; i < 100; i++) {
    const mails = smtp.to(to).filter((m) => m.subject.startsWith(subject));
    if (mails.length >= count) return mails[mails.length - 1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fewer than ${count} mails "${subject}" to ${to}`);
}

const db = () => new Database(path.join(server.dataDir, "plenary.sqlite"));

describe("inviting by e-mail", () => {
  it("answers the same for an address with an account and one without, for members, the team and speakers", async () => {
    const pairs: [string, (email: string) => Promise<{ status: number; body: unknown }>][] = [
      ["organization", (email) => owner.post(`/api/organizations/${orgId}/invitations`, { email, role: "member" })],
      ["event team", (email) => owner.post(`/api/organize/events/${eventId}/team/invites`, { email, role: "moderator" })],
      ["new speaker", (email) => owner.post(`/api/organize/events/${eventId}/speakers`, { name: "Speaker", userEmail: email })],
    ];
    for (const [what, invite] of pairs) {
      const known = await invite("registered@example.org");
      const unknown = await invite("nobody-here@example.org");
      expect(known.status, what).toBeLessThan(300);
      expect([unknown.status, shape(unknown.body)], what).toEqual([known.status, shape(known.body)]);
      const text = JSON.stringify(known.body);
      expect(text, what).not.toContain("Registered Person");
      expect(text, what).not.toMatch(/"userId":"[0-9a-f-]{36}"/);
    }
    // Linking an existing speaker by address: same answer too.
    const speakers = await Promise.all([1, 2].map(async (n) => (await owner.post(`/api/organize/events/${eventId}/speakers`, { name: `Later ${n}` })).body.speaker.id));
    const known = await owner.patch(`/api/organize/speakers/${speakers[0]}`, { userEmail: "registered@example.org" });
    const unknown = await owner.patch(`/api/organize/speakers/${speakers[1]}`, { userEmail: "nobody-here@example.org" });
    expect(known.status).toBe(200);
    expect([unknown.status, shape(unknown.body)]).toEqual([known.status, shape(known.body)]);
    expect(known.body.speaker).toMatchObject({ userId: null, invitation: { email: "registered@example.org", status: "invited" } });

    // The lists show the address and "invited", never a name, until someone accepts.
    const org = (await owner.get(`/api/organizations/${orgId}`)).body;
    expect(org.members.map((m: { email: string }) => m.email)).toEqual(["owner@example.org"]);
    expect(org.invitations.map((i: { email: string; status: string }) => [i.email, i.status]).sort()).toEqual([["nobody-here@example.org", "invited"], ["registered@example.org", "invited"]]);
    const detail = (await owner.get(`/api/organize/events/${eventId}`)).body;
    expect(detail.invites.map((i: { email: string }) => i.email).sort()).toEqual(["nobody-here@example.org", "registered@example.org"]);
    expect(JSON.stringify(detail)).not.toContain("Registered Person");
  });

  it("grants the role only to the invited address, signed in, once; refuses expired and withdrawn links", async () => {
    const invite = await owner.post(`/api/organizations/${orgId}/invitations`, { email: "registered@example.org", role: "admin" });
    expect(invite.status).toBe(202);
    const token = linkToken(await newestMail("registered@example.org", "Join Conf Co", 2));
    const anonymous = new TestClient(server.url);
    // Anyone with the link learns what it is for (not who owns the address), but must sign in to accept.
    expect((await anonymous.post("/api/invitations/preview", { token })).body.invitation).toMatchObject({ kind: "organization", email: "registered@example.org", role: "admin", status: "pending", target: { name: "Conf Co" } });
    expect((await anonymous.post("/api/invitations/accept", { token })).status).toBe(401);
    const wrong = await outsider.post("/api/invitations/accept", { token });
    expect([wrong.status, wrong.body.error.code]).toEqual([403, "wrong_account"]);
    const accepted = await registered.post("/api/invitations/accept", { token });
    expect(accepted.status).toBe(200);
    expect(accepted.body.accepted).toMatchObject({ kind: "organization", role: "admin", target: { path: `/organize/organizations/${orgId}` } });
    const reused = await registered.post("/api/invitations/accept", { token });
    expect([reused.status, reused.body.error.code]).toEqual([410, "invitation_used"]);
    expect((await registered.get(`/api/organizations/${orgId}`)).body.organization.role).toBe("admin");
    const members = (await owner.get(`/api/organizations/${orgId}`)).body.members;
    expect(members).toContainEqual(expect.objectContaining({ displayName: "Registered Person", role: "admin" }));

    // Expired: the link says so; a resend gives a new link and the old one stops working.
    await owner.post(`/api/organize/events/${eventId}/team/invites`, { email: "outsider@example.org", role: "check_in_staff" });
    const teamMail = await newestMail("outsider@example.org", "Join the team of Invite Conf");
    const first = linkToken(teamMail);
    const conn = db();
    conn.prepare("update invitations set sent_at = ?, expires_at = ? where email = ? and kind = 'event_team' and accepted_at is null and revoked_at is null")
      .run("1999-12-25T00:00:00.000Z", "2000-01-01T00:00:00.000Z", "outsider@example.org");
    conn.close();
    const expired = await outsider.post("/api/invitations/accept", { token: first });
    expect([expired.status, expired.body.error.code]).toEqual([410, "invitation_expired"]);
    const pending = (await owner.get(`/api/organize/events/${eventId}`)).body.invites.find((i: { email: string }) => i.email === "outsider@example.org");
    expect(pending.status).toBe("expired");
    expect((await owner.post(`/api/invitations/${pending.id}/resend`)).status).toBe(202);
    // Not again right away: resending is no way to flood someone's inbox.
    expect((await owner.post(`/api/invitations/${pending.id}/resend`)).status).toBe(429);
    const second = linkToken(await newestMail("outsider@example.org", "Join the team of Invite Conf", 2));
    expect((await outsider.post("/api/invitations/accept", { token: first })).status).toBe(404);
    // Withdrawn: the new link is refused as well, and says why.
    expect((await owner.delete(`/api/invitations/${pending.id}`)).status).toBe(204);
    const withdrawn = await outsider.post("/api/invitations/accept", { token: second });
    expect([withdrawn.status, withdrawn.body.error.code]).toEqual([410, "invitation_revoked"]);
    expect((await owner.get(`/api/organize/events/${eventId}`)).body.team.map((m: { email: string }) => m.email)).not.toContain("outsider@example.org");
    // Outsiders cannot resend or withdraw someone else's invitations.
    expect((await outsider.post(`/api/invitations/${pending.id}/resend`)).status).toBe(404);
  });

  it("lets a person without an account sign up with the address and then accept, linking the speaker", async () => {
    const speaker = (await owner.post(`/api/organize/events/${eventId}/speakers`, { name: "Nia New", userEmail: "nia@example.org" })).body.speaker;
    const token = linkToken(await newestMail("nia@example.org", "Speak at Invite Conf"));
    const nia = new TestClient(server.url);
    expect((await nia.post("/api/auth/sign-up", { email: "nia@example.org", displayName: "Nia New", password: PASSWORD })).status).toBe(202);
    const verify = await smtp.next("nia@example.org", (m) => m.subject === "Confirm your e-mail address");
    expect((await nia.post("/api/auth/verify-email", { token: linkToken(verify) })).status).toBe(200);
    await logIn(nia, "nia@example.org");
    const accepted = await nia.post("/api/invitations/accept", { token });
    expect(accepted.status).toBe(200);
    expect(accepted.body.accepted).toMatchObject({ kind: "speaker", target: { name: "Invite Conf", speakerName: "Nia New" } });
    const linked = (await owner.get(`/api/organize/events/${eventId}`)).body.speakers.find((s: { id: string }) => s.id === speaker.id);
    expect(linked).toMatchObject({ userEmail: "nia@example.org", invitation: null });
    expect(linked.userId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
