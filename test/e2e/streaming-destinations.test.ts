/**
 * RTMP(S) destinations may not point into the server's own network (SSRF): against the real
 * server with the default settings, internal ingest hosts (literal or resolved) are refused
 * when saved, and a saved destination that now points inward (a name rebound since) is
 * refused when the stream starts, before any connection is made.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoomFixture, type RoomPerson, requestAs } from "../support/rooms.ts";
import type { TestServer } from "../support/server.ts";
import { TestSocket } from "../support/ws-client.ts";
import { startStreamingServer } from "./streaming-support.ts";

let server: TestServer;
let fixture: RoomFixture;
let host: RoomPerson;
let socket: TestSocket | undefined;

beforeAll(async () => {
  server = await startStreamingServer({ PLENARY_STREAMING_ALLOW_PRIVATE_DESTINATIONS: "false" });
  fixture = await RoomFixture.create(server);
  host = await fixture.person("Hana Host");
  await fixture.teamMember(host, "owner");
}, 60_000);
afterAll(async () => {
  socket?.close();
  await fixture?.close();
  await server?.stop();
});

describe("streaming destinations", () => {
  it("refuses internal ingest hosts when saved, and again when the stream starts", async () => {
    const base = `/api/organize/events/${fixture.eventId}/stream-destinations`;
    for (const ingestUrl of ["rtmp://127.0.0.1:1935/live", "rtmp://localhost/live", "rtmps://[::1]/app", "rtmp://169.254.169.254/meta", "rtmp://192.168.1.20/live", "rtmp://[fd00::5]/live"]) {
      const refused = await requestAs(server, host, "POST", base, { name: "Inside", ingestUrl, streamKey: "sk-0123456789" });
      expect(refused.status, ingestUrl).toBe(400);
      expect(refused.body.error.code, ingestUrl).toBe("destination_not_public");
      expect(refused.body.error.message).toContain("internal address");
    }
    const outside = await requestAs(server, host, "POST", base, { name: "Outside", ingestUrl: "rtmp://203.0.113.9/live", streamKey: "sk-0123456789" });
    expect(outside.status).toBe(201);
    const moved = await requestAs(server, host, "PATCH", `/api/organize/stream-destinations/${outside.body.id}`, { ingestUrl: "rtmp://10.0.0.1/live" });
    expect(moved.body.error.code).toBe("destination_not_public");
    expect((await requestAs(server, host, "GET", base)).body.destinations[0].ingestUrl).toBe("rtmp://203.0.113.9/live");

    // As if its name resolved inward since it was saved: the start checks again and refuses.
    await fixture.db.updateTable("stream_destinations").set({ ingest_url: "rtmp://127.0.0.1:1" }).where("id", "=", outside.body.id).execute();
    const session = await fixture.session({ title: "Streamed" });
    const { body } = await fixture.joinToken(server, host, session);
    socket = await TestSocket.open(server.url);
    expect((await socket.request("media.join", { token: body.token })).t).toBe("ok");
    const started = await requestAs(server, host, "POST", `/api/sessions/${session}/stream/start`, { destinationIds: [outside.body.id] });
    expect(started.status).toBe(400);
    expect(started.body.error.code).toBe("destination_not_public");
    expect((await requestAs(server, host, "GET", `/api/sessions/${session}/stream`)).body.live).toBe(false);
  });
});
