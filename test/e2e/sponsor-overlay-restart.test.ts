/**
 * The sponsor overlay survives a restart of the real server on the same data folder: people
 * who rejoin after it see what the hosts last set, where the clock says it is now (a
 * rotation's turn, a timed show that ended meanwhile, a schedule still ahead), and a hidden
 * overlay stays hidden.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { startServer, type TestServer } from "../support/server.ts";
import type { TestSocket } from "../support/ws-client.ts";
import { type EventWorld, eventWorld, giveTicket, ok, openDb, type Person, person, socketOf } from "./chat-support.ts";

const dataDir = mkdtempSync(path.join(tmpdir(), "plenary-overlay-restart-"));
let server: TestServer;
let db: Kysely<DB>;
let owner: Person;
let attendee: Person;
let world: EventWorld;
const sponsors: Record<"acme" | "globex", string> = { acme: randomUUID(), globex: randomUUID() };
const sockets: TestSocket[] = [];
const HOUR = 3_600_000;

beforeAll(async () => {
  server = await startServer({ dataDir });
  db = openDb(server);
  [owner, attendee] = await Promise.all([person(server, db, "Olga Owner"), person(server, db, "Ann Attendee")]);
  const started = new Date(Date.now() - 600_000);
  world = await eventWorld(db, owner, { sessions: [started, started, started, started, started], title: "Restarted Summit" });
  await giveTicket(db, world, attendee);
  const now = new Date().toISOString();
  for (const [name, id] of Object.entries(sponsors)) {
    await db.insertInto("sponsors").values({ id, event_id: world.eventId, tier_id: null, name, created_at: now, updated_at: now }).execute();
  }
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await db?.destroy();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function open(who: Person): Promise<TestSocket> {
  const socket = await socketOf(server, who);
  sockets.push(socket);
  return socket;
}

it("resumes every session's overlay after a restart, where the clock says it is", async () => {
  const [shown, rotating, timed, scheduled, hidden] = world.sessionIds;
  const host = await open(owner);
  const control = (sessionId: string, command: Record<string, unknown>) => ok(host, "sponsors.overlay.control", { sessionId, command });
  await control(shown, { mode: "show", sponsorId: sponsors.acme, style: "banner" });
  await control(rotating, { mode: "rotate", sponsorIds: [sponsors.acme, sponsors.globex], everySeconds: 600, style: "lower_third" });
  await control(timed, { mode: "show", sponsorId: sponsors.globex, durationSeconds: 60 });
  const at = new Date(Date.now() + 2 * HOUR).toISOString();
  await control(scheduled, { mode: "schedule", sponsorId: sponsors.globex, at, durationSeconds: 30 });
  await control(hidden, { mode: "show", sponsorId: sponsors.acme });
  await control(hidden, { mode: "hide" });
  expect((await db.selectFrom("sponsor_overlays").select("session_id").execute()).map((r) => r.session_id).sort()).toEqual([shown, rotating, timed, scheduled].sort());

  // While the server is down, time passes: the rotation is 11 minutes in (its second turn), the timed show has ended.
  for (const s of sockets.splice(0)) s.close();
  await server.stop();
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  await db.updateTable("sponsor_overlays").set({ started_at: ago(660_000) }).where("session_id", "=", rotating).execute();
  await db.updateTable("sponsor_overlays").set({ started_at: ago(120_000) }).where("session_id", "=", timed).execute();
  server = await startServer({ dataDir });

  const watcher = await open(attendee);
  const watch = async (sessionId: string) => (await ok(watcher, "sponsors.overlay.watch", { sessionId })).overlay;
  expect(await watch(shown)).toMatchObject({ mode: "showing", style: "banner", sponsor: { id: sponsors.acme, name: "acme" }, until: null });
  expect(await watch(rotating)).toMatchObject({ mode: "rotating", everySeconds: 600, sponsor: { id: sponsors.globex } });
  expect(await watch(timed)).toMatchObject({ mode: "hidden", sponsor: null });
  expect(await watch(scheduled)).toMatchObject({ mode: "scheduled", scheduledAt: at, sponsor: null });
  expect(await watch(hidden)).toMatchObject({ mode: "hidden", sponsor: null });
  // The ended show is forgotten; the others stay saved for the next restart.
  expect((await db.selectFrom("sponsor_overlays").select("session_id").execute()).map((r) => r.session_id).sort()).toEqual([shown, rotating, scheduled].sort());

  // Hosts keep control after the restart.
  const again = await open(owner);
  expect((await ok(again, "sponsors.overlay.control", { sessionId: shown, command: { mode: "hide" } })).overlay.mode).toBe("hidden");
  expect(await watch(shown)).toMatchObject({ mode: "hidden" });
}, 120_000);
