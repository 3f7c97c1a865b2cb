/**
 * A recording open to "everyone" is open to everyone who may see its event: against the real
 * server, the recordings of a draft stay with its team, and an invite-only event's open to
 * its access code exactly as its page does. Recordings are rows in the server's database (the
 * files are not needed to list them or to sign a playback link).
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { TestClient } from "../support/http-client.ts";
import { TestSocket } from "../support/ws-client.ts";
import * as seed from "../support/seed.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { openDb, type Person, person } from "./chat-support.ts";

let server: TestServer;
let db: Kysely<DB>;
let owner: Person;
let organizationId: string;

beforeAll(async () => {
  server = await startServer({ env: { PLENARY_RECORDING_ENABLED: "false" } });
  db = openDb(server);
  owner = await person(server, db, "Olive Owner");
  organizationId = (await seed.write(db, seed.organization({ name: "Rec Org", slug: `rec-${randomUUID().slice(0, 8)}`, ownerId: owner.id }))).id;
}, 60_000);
afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

/** An event in the given state with one session and one ready recording open to everyone. */
async function eventWithRecording(input: { status: "draft" | "approved"; visibility: "public" | "invite_only"; accessCode?: string }) {
  const eventId = randomUUID();
  const slug = `rec-${eventId.slice(0, 8)}`;
  const startsAt = new Date(Date.now() - 86_400_000).toISOString();
  await seed.write(db, seed.event({
    id: eventId, organizationId, slug, title: "Recorded", startsAt, endsAt: new Date(Date.parse(startsAt) + 3_600_000).toISOString(),
    ownerId: owner.id, status: input.status, visibility: input.visibility, accessCode: input.accessCode,
  }));
  const sessionId = await seed.write(db, seed.session({ eventId, title: "Keynote", startsAt }));
  const id = randomUUID();
  const now = new Date().toISOString();
  await db.insertInto("recordings").values({
    id, event_id: eventId, session_id: sessionId, title: "Keynote", state: "ready", access: "everyone", started_at: startsAt, created_at: now, updated_at: now,
  }).execute();
  return { eventId, slug, recordingId: id };
}

describe("recordings open to everyone", () => {
  it("of a draft event: 404 for anyone outside its team, as its page; the team still sees them", async () => {
    const draft = await eventWithRecording({ status: "draft", visibility: "public" });
    const anonymous = new TestClient(server.url);
    expect((await anonymous.get(`/api/discover/events/${draft.slug}`)).status).toBe(404);
    expect((await anonymous.get(`/api/events/${draft.eventId}/recordings`)).status).toBe(404);
    const playback = await anonymous.post(`/api/recordings/${draft.recordingId}/playback`, {});
    expect(playback.status).toBe(404);
    expect(JSON.stringify(playback.body)).not.toContain("playlistUrl");
    const stranger = await person(server, db, "Stan Stranger");
    expect((await stranger.http.get(`/api/events/${draft.eventId}/recordings`)).status).toBe(404);

    const list = await owner.http.get(`/api/events/${draft.eventId}/recordings`);
    expect(list.status).toBe(200);
    expect(list.body.recordings.map((r: { id: string }) => r.id)).toEqual([draft.recordingId]);
    expect((await owner.http.post(`/api/recordings/${draft.recordingId}/playback`, {})).body.playlistUrl).toMatch(/^\/api\/recordings\/media\//);
  });

  it("of an invite-only event: open with its access code, as its page is, and closed without it or with a wrong one", async () => {
    const secret = await eventWithRecording({ status: "approved", visibility: "invite_only", accessCode: "OPEN-SESAME" });
    const visitor = new TestClient(server.url);
    expect((await visitor.get(`/api/events/${secret.eventId}/recordings`)).status).toBe(404);
    expect((await visitor.post(`/api/recordings/${secret.recordingId}/playback`, {})).status).toBe(404);
    expect((await visitor.get(`/api/events/${secret.eventId}/recordings?code=wrong-code`)).status).toBe(404);

    expect((await visitor.get(`/api/discover/events/${secret.slug}?code=open-sesame`)).status).toBe(200);
    const list = await visitor.get(`/api/events/${secret.eventId}/recordings?code=open-sesame`);
    expect(list.status).toBe(200);
    expect(list.body.recordings.map((r: { id: string }) => r.id)).toEqual([secret.recordingId]);
    const playback = await visitor.post(`/api/recordings/${secret.recordingId}/playback?code=open-sesame`, {});
    expect(playback.status).toBe(200);
    expect(playback.body.playlistUrl).toMatch(/^\/api\/recordings\/media\//);
  });

  it("of a published public event: still open to anyone", async () => {
    const open = await eventWithRecording({ status: "approved", visibility: "public" });
    const anonymous = new TestClient(server.url);
    expect((await anonymous.get(`/api/events/${open.eventId}/recordings`)).body.recordings).toHaveLength(1);
    expect((await anonymous.post(`/api/recordings/${open.recordingId}/playback`, {})).status).toBe(200);
  });
});

describe("watching an event's recordings list for changes", () => {
  it("is refused to whoever may not see the event, and allowed with the invite-only event's code", async () => {
    const socket = await TestSocket.open(server.url);
    try {
      const draft = await eventWithRecording({ status: "draft", visibility: "public" });
      expect(await socket.request("recording.list.watch", { eventId: draft.eventId })).toMatchObject({ t: "error", code: "not_found" });
      const secret = await eventWithRecording({ status: "approved", visibility: "invite_only", accessCode: "OPEN-WATCH" });
      expect(await socket.request("recording.list.watch", { eventId: secret.eventId })).toMatchObject({ t: "error", code: "not_found" });
      expect(await socket.request("recording.list.watch", { eventId: secret.eventId, code: "open-watch" })).toMatchObject({ t: "ok" });
      const open = await eventWithRecording({ status: "approved", visibility: "public" });
      expect(await socket.request("recording.list.watch", { eventId: open.eventId })).toMatchObject({ t: "ok" });
    } finally {
      socket.close();
    }
  });
});
