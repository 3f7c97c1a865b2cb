/** Check-in over HTTP: lists, roles, once per list, refusals with reasons, offline sync replayed. */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifiedUser } from "../support/accounts.ts";
import { EventFixture, type SeededTicket, type SeededTicketType } from "../support/event-fixture.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let fixture: EventFixture;
let owner: TestClient, staff: TestClient, moderator: TestClient, outsider: TestClient;
let eventId: string;
let general: SeededTicketType, workshop: SeededTicketType;
let ada: SeededTicket, bob: SeededTicket, cleo: SeededTicket;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  [owner, staff, moderator, outsider] = await Promise.all(
    ["owner", "staff", "moderator", "outsider"].map((name) => verifiedUser(server, smtp, `${name}@example.org`)),
  );
  fixture = new EventFixture(server);
  ({ eventId } = fixture.event("owner@example.org"));
  fixture.teamMember(eventId, "staff@example.org", "check_in_staff");
  fixture.teamMember(eventId, "moderator@example.org", "moderator");
  general = fixture.ticketType(eventId, "General admission");
  workshop = fixture.ticketType(eventId, "Workshop");
  ada = fixture.ticket(eventId, general, "Ada Lovelace", "ada@example.org");
  bob = fixture.ticket(eventId, workshop, "Bob Barker", "bob@example.org");
  cleo = fixture.ticket(eventId, general, "Cleo Patra", "cleo@example.org");
});
afterAll(async () => {
  fixture?.close();
  await server?.stop();
  await smtp?.close();
});

const scan = (code: string) => ({ nonce: randomUUID(), scannedAt: new Date().toISOString(), code });

describe("check-in lists", () => {
  it("are set up by the owner and used by check-in staff; moderators and outsiders are kept out", async () => {
    const created = await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Main entrance" });
    expect(created.status).toBe(201);
    expect(created.body.list).toMatchObject({ name: "Main entrance", ticketTypeIds: null, checkedIn: 0, expected: 3 });

    expect((await staff.post(`/api/events/${eventId}/checkin-lists`, { name: "Side door" })).status).toBe(403);
    expect((await moderator.get(`/api/events/${eventId}/checkin-lists`)).status).toBe(403);
    expect((await outsider.get(`/api/events/${eventId}/checkin-lists`)).status).toBe(404);
    const seen = await staff.get(`/api/events/${eventId}/checkin-lists`);
    expect(seen.status).toBe(200);
    expect(seen.body.lists.map((l: { name: string }) => l.name)).toContain("Main entrance");
    expect(seen.body.ticketTypes.map((t: { name: string }) => t.name).sort()).toEqual(["General admission", "Workshop"]);

    const bad = await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "", ticketTypeIds: ["nope"] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(["name", "ticketTypeIds.0"]);
    const foreign = await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Room", ticketTypeIds: [randomUUID()] });
    expect(foreign.body.error.code).toBe("unknown_ticket_type");
  });

  it("admits a ticket once per list and refuses other types, other events and altered codes with the reason", async () => {
    const room = (await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Workshop room", ticketTypeIds: [workshop.id] })).body.list;
    expect(room.expected).toBe(1);

    const first = await staff.post(`/api/checkin-lists/${room.id}/scans`, { scans: [scan(bob.code)] });
    expect(first.status).toBe(200);
    expect(first.body.results[0]).toMatchObject({ outcome: "admitted", ticket: { id: bob.id, holderName: "Bob Barker", ticketType: "Workshop" } });
    expect(first.body.counts).toEqual({ checkedIn: 1, expected: 1 });

    const again = (await staff.post(`/api/checkin-lists/${room.id}/scans`, { scans: [scan(bob.code)] })).body.results[0];
    expect(again).toMatchObject({ outcome: "already_checked_in", checkedInAt: first.body.results[0].checkedInAt });

    const wrongType = (await staff.post(`/api/checkin-lists/${room.id}/scans`, { scans: [scan(ada.code)] })).body.results[0];
    expect(wrongType).toMatchObject({ outcome: "refused", reason: "not_on_list", ticket: { holderName: "Ada Lovelace" } });

    // One character changed in the signed part: the signature no longer holds.
    const flipped = bob.code.slice(0, 40) + (bob.code[40] === "A" ? "B" : "A") + bob.code.slice(41);
    expect((await staff.post(`/api/checkin-lists/${room.id}/scans`, { scans: [scan(flipped)] })).body.results[0]).toMatchObject({ outcome: "refused", reason: "bad_code" });

    const other = fixture.event("owner@example.org", "Another conference");
    const stranger = fixture.ticket(other.eventId, fixture.ticketType(other.eventId, "Day pass"), "Sam Stranger", "sam@example.org");
    expect((await staff.post(`/api/checkin-lists/${room.id}/scans`, { scans: [scan(stranger.code)] })).body.results[0]).toMatchObject({ outcome: "refused", reason: "wrong_event" });
  });

  it("refuses refunded and revoked tickets with the reason", async () => {
    const list = (await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Balcony" })).body.list;
    const refunded = fixture.ticket(eventId, general, "Rita Refund", "rita@example.org");
    fixture.setTicketStatus(refunded.id, "refunded", "refunded on request");
    const result = (await staff.post(`/api/checkin-lists/${list.id}/scans`, { scans: [scan(refunded.code)] })).body.results[0];
    expect(result).toMatchObject({ outcome: "refused", reason: "refunded", message: "This ticket was refunded: refunded on request" });
    fixture.setTicketStatus(refunded.id, "revoked");
    expect((await staff.post(`/api/checkin-lists/${list.id}/scans`, { scans: [scan(refunded.code)] })).body.results[0]).toMatchObject({ reason: "revoked" });
  });

  it("counts an offline queue uploaded twice once, and answers the replay as it answered the upload", async () => {
    const list = (await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Offline door" })).body.list;
    const queue = [scan(ada.code), scan(cleo.code), scan(ada.code)];
    const first = await staff.post(`/api/checkin-lists/${list.id}/scans`, { scans: queue });
    expect(first.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(["admitted", "admitted", "already_checked_in"]);
    expect(first.body.counts.checkedIn).toBe(2);

    const second = await staff.post(`/api/checkin-lists/${list.id}/scans`, { scans: queue });
    expect(second.body.results.slice(0, 2).map((r: { outcome: string; replay?: boolean }) => [r.outcome, r.replay])).toEqual([["admitted", true], ["admitted", true]]);
    expect(second.body.counts.checkedIn).toBe(2);

    const bundle = await staff.get(`/api/checkin-lists/${list.id}/offline`);
    expect(bundle.body.checkedIn.map((c: { ticketId: string }) => c.ticketId).sort()).toEqual([ada.id, cleo.id].sort());
    expect(bundle.body.keys[0]).toMatchObject({ kid: expect.stringMatching(/^[0-9a-f]{4}$/) });
    expect(bundle.body.tickets.length).toBeGreaterThanOrEqual(3);
  });

  it("finds attendees by name or e-mail for manual check-in, and keeps a used list", async () => {
    const list = (await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Front desk" })).body.list;
    const found = await staff.get(`/api/checkin-lists/${list.id}/attendees?q=lovel`);
    expect(found.body.attendees).toEqual([expect.objectContaining({ ticketId: ada.id, holderName: "Ada Lovelace", checkedInAt: null })]);
    // A percent sign is a character to find, not a wildcard.
    expect((await staff.get(`/api/checkin-lists/${list.id}/attendees?q=%25`)).body.attendees).toEqual([]);

    const manual = await staff.post(`/api/checkin-lists/${list.id}/scans`, { scans: [{ nonce: randomUUID(), scannedAt: new Date().toISOString(), ticketId: ada.id }] });
    expect(manual.body.results[0].outcome).toBe("admitted");
    expect((await staff.get(`/api/checkin-lists/${list.id}/attendees?q=ada@`)).body.attendees[0].checkedInAt).not.toBeNull();

    const refused = await owner.delete(`/api/checkin-lists/${list.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("list_in_use");
    const unused = (await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Unused" })).body.list;
    expect((await owner.delete(`/api/checkin-lists/${unused.id}`)).status).toBe(204);
  });
});
