/**
 * Sponsors over HTTP and the overlay over the realtime socket, against the real server:
 * who manages tiers and sponsors, what the public sees, impressions and click-throughs, and
 * the hosts' overlay commands (show, timed show, schedule, rotate, hide) reaching attendees.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import type { TestSocket } from "../support/ws-client.ts";
import { type EventWorld, eventWorld, giveTicket, ok, openDb, type Person, person, pushes, refused, socketOf, until } from "./chat-support.ts";

let server: TestServer;
let db: Kysely<DB>;
let owner: Person;
let moderator: Person;
let attendee: Person;
let outsider: Person;
let world: EventWorld;
let gold: string;
let silver: string;
let acme: string;
let globex: string;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  server = await startServer();
  db = openDb(server);
  [owner, moderator, attendee, outsider] = await Promise.all([
    person(server, db, "Olga Owner", "admin"), person(server, db, "Mo Moderator"), person(server, db, "Ann Attendee"), person(server, db, "Otto Outsider"),
  ]);
  world = await eventWorld(db, owner, { sessions: [new Date(Date.now() - 600_000)], moderators: [moderator], title: "Sponsored Summit" });
  await giveTicket(db, world, attendee);
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await db?.destroy();
  await server?.stop();
});

describe("tiers and sponsors", () => {
  it("lets owners manage them, not moderators, attendees or strangers, and validates what is sent", async () => {
    const tier = (who: Person, body: unknown) => who.http.request("POST", `/api/organize/events/${world.eventId}/sponsor-tiers`, body);
    const silverTier = await tier(owner, { name: "Silver", position: 2, logoSize: "small" });
    const goldTier = await tier(owner, { name: "Gold", position: 1, logoSize: "large" });
    expect(goldTier.status).toBe(201);
    [gold, silver] = [goldTier.body.tier.id, silverTier.body.tier.id];
    expect((await tier(moderator, { name: "Bronze" })).status).toBe(403);
    expect((await tier(attendee, { name: "Bronze" })).status).toBe(404);
    expect((await new TestClient(server.url).request("POST", `/api/organize/events/${world.eventId}/sponsor-tiers`, { name: "Bronze" })).status).toBe(401);

    const sponsor = (body: unknown) => owner.http.request("POST", `/api/organize/events/${world.eventId}/sponsors`, body);
    const bad = await sponsor({ name: "Evil", link: "javascript:alert(1)" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe("link");
    expect((await sponsor({ name: "Elsewhere", tierId: randomUUID() })).status).toBe(404);
    const created = await sponsor({ name: "Acme", tierId: gold, link: "https://acme.example/", logoUrl: "https://acme.example/logo.png", description: "Anvils" });
    expect(created.status).toBe(201);
    acme = created.body.sponsor.id;
    globex = (await sponsor({ name: "Globex", tierId: silver, link: "https://globex.example/" })).body.sponsor.id;
    await sponsor({ name: "Initech" });
    expect((await moderator.http.request("PATCH", `/api/organize/sponsors/${acme}`, { name: "Hacked" })).status).toBe(403);
    expect((await owner.http.request("PATCH", `/api/organize/sponsors/${acme}`, { description: "Anvils and rockets" })).body.sponsor.description).toBe("Anvils and rockets");
  });

  it("shows them publicly by tier order on a published event only", async () => {
    const anonymous = new TestClient(server.url);
    const list = await anonymous.request("GET", `/api/events/${world.eventId}/sponsors`);
    expect(list.status).toBe(200);
    expect(list.body.tiers.map((t: { name: string; sponsors: { name: string }[] }) => [t.name, t.sponsors.map((s) => s.name)])).toEqual([
      ["Gold", ["Acme"]], ["Silver", ["Globex"]], ["Sponsors", ["Initech"]],
    ]);
    expect(list.body.tiers[0]).toMatchObject({ logoSize: "large" });
    await db.updateTable("events").set({ status: "draft" }).where("id", "=", world.eventId).execute();
    expect((await anonymous.request("GET", `/api/events/${world.eventId}/sponsors`)).status).toBe(404);
    expect((await owner.http.request("GET", `/api/events/${world.eventId}/sponsors`)).status).toBe(200);
    await db.updateTable("events").set({ status: "approved" }).where("id", "=", world.eventId).execute();
  });

  it("counts impressions and click-throughs per sponsor and placement for the organizer's dashboard", async () => {
    const anonymous = new TestClient(server.url);
    for (let i = 0; i < 4; i++) expect((await anonymous.request("POST", "/api/sponsors/impressions", { sponsorIds: [acme, globex], placement: "event_page" })).status).toBe(202);
    expect((await anonymous.request("POST", "/api/sponsors/impressions", { sponsorIds: [acme], placement: "lobby" })).status).toBe(202);
    expect((await anonymous.request("POST", "/api/sponsors/impressions", { sponsorIds: [acme], placement: "billboard" })).status).toBe(400);
    const visit = await fetch(`${server.url}/api/sponsors/${acme}/visit?placement=event_page`, { redirect: "manual" });
    expect(visit.status).toBe(302);
    expect(visit.headers.get("location")).toBe("https://acme.example/");

    const stats = await owner.http.request("GET", `/api/organize/events/${world.eventId}/sponsors/stats`);
    expect(stats.status).toBe(200);
    const byName = Object.fromEntries(stats.body.sponsors.map((s: { name: string }) => [s.name, s]));
    expect(byName.Acme).toMatchObject({ impressions: 5, clicks: 1, clickThroughRate: 0.2, byPlacement: { event_page: { impressions: 4, clicks: 1 }, lobby: { impressions: 1, clicks: 0 } } });
    expect(byName.Globex).toMatchObject({ impressions: 4, clicks: 0, clickThroughRate: 0 });
    expect(byName.Initech).toMatchObject({ impressions: 0, clicks: 0, clickThroughRate: null });
    expect((await moderator.http.request("GET", `/api/organize/events/${world.eventId}/sponsors/stats`)).status).toBe(403);
  });
});

describe("the live overlay", () => {
  const session = () => world.sessionIds[0];
  const overlays = (socket: TestSocket) => pushes(socket, "sponsors.overlay").map((p) => p.overlay);
  const open = async (who: Person) => {
    const socket = await socketOf(server, who);
    sockets.push(socket);
    return socket;
  };

  it("is watched by the session's attendees and controlled only by its hosts", async () => {
    const watcher = await open(attendee);
    expect((await ok(watcher, "sponsors.overlay.watch", { sessionId: session() })).overlay).toMatchObject({ mode: "hidden", sponsor: null });
    expect(await refused(await open(outsider), "sponsors.overlay.watch", { sessionId: session() })).toBe("not_found");
    expect(await refused(watcher, "sponsors.overlay.control", { sessionId: session(), command: { mode: "show", sponsorId: acme } })).toBe("forbidden");
    const host = await open(moderator);
    // A sponsor of another event cannot be put on this stage.
    expect(await refused(host, "sponsors.overlay.control", { sessionId: session(), command: { mode: "show", sponsorId: randomUUID() } })).toBe("not_found");

    await ok(host, "sponsors.overlay.control", { sessionId: session(), command: { mode: "show", sponsorId: acme, style: "banner" } });
    const shown = await until(() => overlays(watcher).find((o) => o.sponsor?.id === acme));
    expect(shown).toMatchObject({ mode: "showing", style: "banner", sponsor: { name: "Acme", link: "https://acme.example/" } });
    // A late watcher gets the current state with its subscription.
    expect((await ok(await open(attendee), "sponsors.overlay.watch", { sessionId: session() })).overlay.sponsor.id).toBe(acme);

    await ok(host, "sponsors.overlay.control", { sessionId: session(), command: { mode: "hide" } });
    await until(() => overlays(watcher).at(-1)?.mode === "hidden");
    // One watcher was there when Acme appeared: one overlay impression (counted after the push).
    const counted = await until(() => db.selectFrom("sponsor_stats").select("impressions").where("sponsor_id", "=", acme).where("placement", "=", "overlay").executeTakeFirst());
    expect(counted.impressions).toBe(1);
  });

  it("schedules, times, and rotates sponsors", async () => {
    const watcher = await open(attendee);
    await ok(watcher, "sponsors.overlay.watch", { sessionId: session() });
    const host = await open(owner);
    const at = new Date(Date.now() + 500).toISOString();
    const scheduled = await ok(host, "sponsors.overlay.control", { sessionId: session(), command: { mode: "schedule", sponsorId: globex, at, durationSeconds: 3 } });
    expect(scheduled.overlay).toMatchObject({ mode: "scheduled", sponsor: null, scheduledAt: at });
    // It appears at its time, then goes by itself after its duration.
    await until(() => overlays(watcher).find((o) => o.sponsor?.id === globex && o.mode === "showing"));
    const appearedAt = overlays(watcher).length;
    await until(() => overlays(watcher).slice(appearedAt).find((o) => o.mode === "hidden"), 10_000);

    // The first push may arrive before the reply: count from before the command.
    const start = overlays(watcher).length;
    await ok(host, "sponsors.overlay.control", { sessionId: session(), command: { mode: "rotate", sponsorIds: [acme, globex], everySeconds: 3, style: "lower_third" } });
    const rotation = await until(() => {
      const seen = overlays(watcher).slice(start).filter((o) => o.mode === "rotating").map((o) => o.sponsor.id);
      return seen.length >= 3 && seen;
    }, 15_000);
    expect(rotation.slice(0, 3)).toEqual([acme, globex, acme]);
    await ok(host, "sponsors.overlay.control", { sessionId: session(), command: { mode: "hide" } });
  }, 40_000);
});
