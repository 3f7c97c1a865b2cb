/**
 * Public pages over HTTP: an organizer's page (only organizations with a published public event
 * have one), and what an event page tells its viewer they may join.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifiedUser } from "../support/accounts.ts";
import { EventFixture } from "../support/event-fixture.ts";
import { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let fixture: EventFixture;
let holder: TestClient, stranger: TestClient;
const visitor = () => new TestClient(server.url);

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  await verifiedUser(server, smtp, "owner@example.org");
  [holder, stranger] = await Promise.all(["holder", "stranger"].map((name) => verifiedUser(server, smtp, `${name}@example.org`)));
  fixture = new EventFixture(server);
});
afterAll(async () => {
  fixture?.close();
  await server?.stop();
  await smtp?.close();
});

describe("the organizer page", () => {
  it("lists upcoming and past public events, not unlisted ones or drafts", async () => {
    const { organizationId, eventId } = fixture.event("owner@example.org", "Future Fest");
    const slug = fixture.organizationSlug(organizationId);
    const page = await visitor().get(`/api/organizers/${slug}`);
    expect(page.status).toBe(200);
    expect(page.body.organizer).toMatchObject({ id: organizationId, name: "Future Fest Org", slug, logoUrl: null });
    expect(page.body.upcoming.map((e: { id: string }) => e.id)).toEqual([eventId]);
    expect(page.body.past).toEqual([]);

    fixture.setEvent(eventId, { visibility: "unlisted" });
    // Its only event is unlisted now: the organizer has no public page.
    expect((await visitor().get(`/api/organizers/${slug}`)).status).toBe(404);

    fixture.setEvent(eventId, { visibility: "public", starts_at: "2020-01-01T09:00:00.000Z", ends_at: "2020-01-01T17:00:00.000Z" });
    const past = (await visitor().get(`/api/organizers/${slug.toUpperCase()}`)).body;
    expect(past.upcoming).toEqual([]);
    expect(past.past.map((e: { id: string }) => e.id)).toEqual([eventId]);
  });

  it("does not exist for an organization whose events are all drafts, nor for an unknown slug", async () => {
    const { organizationId, eventId } = fixture.event("owner@example.org", "Secret Plans");
    fixture.setEvent(eventId, { status: "draft" });
    expect((await visitor().get(`/api/organizers/${fixture.organizationSlug(organizationId)}`)).status).toBe(404);
    expect((await visitor().get("/api/organizers/nobody-here")).status).toBe(404);
  });
});

describe("the event page's lobby chat", () => {
  it("is offered to ticket holders and the team, not to visitors or people without a ticket", async () => {
    const { eventId } = fixture.event("owner@example.org", "Chatty Conf");
    fixture.ticket(eventId, fixture.ticketType(eventId, "Pass"), "Hal Holder", "holder@example.org", "holder@example.org");
    const slug = fixture.eventSlug(eventId);
    expect((await visitor().get(`/api/discover/events/${slug}`)).body.event.viewer).toEqual({ lobbyChat: false, rate: false });
    expect((await stranger.get(`/api/discover/events/${slug}`)).body.event.viewer).toEqual({ lobbyChat: false, rate: false });
    // The event has not started: nobody rates it yet, not even the ticket holder.
    expect((await holder.get(`/api/discover/events/${slug}`)).body.event.viewer).toEqual({ lobbyChat: true, rate: false });
  });
});
