/**
 * Live streaming out through the real server: organizers set up RTMP destinations whose
 * keys are never readable (API or SQLite file); a host streams a room where a peer
 * publishes VP8 to a local RTMP receiver and to live HLS; a ticket holder plays the live
 * playlist in ffmpeg while it is produced, an outsider is refused; a destination whose
 * ingest is down is reported and retried while the other streams; the receiver gets
 * H.264 + AAC.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe, run } from "../../recorder/ffmpeg.ts";
import { MediaPeer } from "../support/media-peer.ts";
import { RoomFixture, type RoomPerson, requestAs } from "../support/rooms.ts";
import type { TestServer } from "../support/server.ts";
import { encodeTestVp8 } from "../support/vp8.ts";
import { deadIngest, type RtmpReceiver, startRtmpReceiver, startStreamingServer, until } from "./streaming-support.ts";

let server: TestServer;
let fixture: RoomFixture;
let host: RoomPerson, cohost: RoomPerson, moderator: RoomPerson, holder: RoomPerson, outsider: RoomPerson;
let speakerPeer: MediaPeer;
let receiver: RtmpReceiver;
let sessionId: string;
const scratch = mkdtempSync(path.join(tmpdir(), "plenary-streaming-e2e-"));
const GOOD_KEY = "live_sk-9f8e7d6c5b4aXYZW";
const DEAD_KEY = "dead_sk-0a1b2c3d4e5fQRST";

beforeAll(async () => {
  server = await startStreamingServer({ PLENARY_STREAMING_RETRY_BACKOFF_MS: "300" });
  fixture = await RoomFixture.create(server);
  sessionId = await fixture.session({ title: "Streamed keynote" });
  host = await fixture.person("Hana Host");
  await fixture.teamMember(host, "owner");
  cohost = await fixture.person("Cody Cohost");
  await fixture.teamMember(cohost, "co_host");
  moderator = await fixture.person("Mo Moderator");
  await fixture.teamMember(moderator, "moderator");
  holder = await fixture.person("Tia Ticket");
  await fixture.ticket(holder);
  outsider = await fixture.person("Otto Outside");
  receiver = await startRtmpReceiver(path.join(scratch, "received.flv"), GOOD_KEY);
}, 120_000);
afterAll(async () => {
  await speakerPeer?.close();
  await receiver?.stop();
  await fixture?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const api = (person: RoomPerson | null, method: string, url: string, body?: unknown) => requestAs(server, person, method, url, body);


describe("live streaming", () => {
  const ids = { good: "", dead: "" };

  it("keeps stream keys sealed: organizers set destinations, nobody reads a key back", async () => {
    const base = `/api/organize/events/${fixture.eventId}/stream-destinations`;
    const bad = await api(cohost, "POST", base, { name: "Web", ingestUrl: "https://example.org/live", streamKey: GOOD_KEY });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe("ingestUrl");
    expect((await api(moderator, "POST", base, { name: "Mine", ingestUrl: receiver.url, streamKey: GOOD_KEY })).status).toBe(403);
    expect((await api(holder, "GET", base)).status).toBe(403);

    const good = await api(cohost, "POST", base, { name: "Local ingest", ingestUrl: receiver.url, streamKey: GOOD_KEY });
    expect(good.status).toBe(201);
    expect(good.body).toMatchObject({ name: "Local ingest", ingestUrl: receiver.url, streamKeyHint: "••••XYZW" });
    ids.good = good.body.id;
    const dead = await api(host, "POST", base, { name: "Down ingest", ingestUrl: `${await deadIngest()}/`, streamKey: "placeholder" });
    ids.dead = dead.body.id;
    expect((await api(host, "PATCH", `/api/organize/stream-destinations/${ids.dead}`, { streamKey: DEAD_KEY })).body.streamKeyHint).toBe("••••QRST");

    const listed = await api(host, "GET", base);
    expect(listed.body.destinations.map((d: { name: string }) => d.name)).toEqual(["Local ingest", "Down ingest"]);
    for (const key of [GOOD_KEY, DEAD_KEY]) {
      expect(listed.text).not.toContain(key);
      expect(listed.text).not.toContain(key.slice(0, -4));
      // Neither in the database file nor in its write-ahead log.
      for (const file of ["plenary.sqlite", "plenary.sqlite-wal"]) {
        const full = path.join(server.dataDir, file);
        if (existsSync(full)) expect(readFileSync(full).includes(Buffer.from(key))).toBe(false);
      }
    }
  });

  it("streams the room to RTMP and live HLS; outsiders are refused the playlist", async () => {
    const { body } = await fixture.joinToken(server, host, sessionId);
    speakerPeer = await MediaPeer.connect(server.url, body.token);
    await speakerPeer.publishVideo(encodeTestVp8(path.join(scratch, "source.ivf")));

    expect((await api(holder, "POST", `/api/sessions/${sessionId}/stream/start`, { destinationIds: [ids.good] })).status).toBe(403);
    const started = await api(host, "POST", `/api/sessions/${sessionId}/stream/start`, { destinationIds: [ids.good, ids.dead] });
    expect(started.status).toBe(201);
    expect(started.body.live).toBe(true);
    expect((await api(host, "POST", `/api/sessions/${sessionId}/stream/start`, {})).body.error.code).toBe("already_streaming");

    // Who may watch: the session's ticket holders and the team; not others.
    expect((await api(outsider, "POST", `/api/sessions/${sessionId}/stream/watch`)).status).toBe(403);
    expect((await api(null, "POST", `/api/sessions/${sessionId}/stream/watch`)).status).toBe(401);
    const watch = await api(holder, "POST", `/api/sessions/${sessionId}/stream/watch`);
    expect(watch.status).toBe(200);
    const playlistUrl = `${server.url}${watch.body.playlistUrl}`;
    const forged = playlistUrl.replace(/\/([^/]+)\/index\.m3u8$/, (_, token: string) => `/${token.slice(0, -3)}abc/index.m3u8`);
    const forgedResponse = await fetch(forged);
    expect(forgedResponse.status, await forgedResponse.clone().text()).toBe(403);
    const otherSession = await fixture.session({ title: "Other" });
    expect((await fetch(playlistUrl.replace(sessionId, otherSession))).status).toBe(403);

    const segment = await until("live segments", async () => {
      const response = await fetch(playlistUrl);
      if (response.status !== 200) return undefined;
      const segments = (await response.text()).split("\n").filter((l) => l.endsWith(".ts"));
      return segments.length >= 3 ? segments.at(-1) : undefined;
    });
    const bytes = Buffer.from(await (await fetch(new URL(segment, playlistUrl))).arrayBuffer());
    const segmentFile = path.join(scratch, "segment.ts");
    execFileSync("sh", ["-c", `cat > ${segmentFile}`], { input: bytes });
    expect((await probe("ffprobe", segmentFile)).streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    // ffmpeg plays the live playlist itself while it is being produced.
    await run("ffmpeg", ["-v", "error", "-i", playlistUrl, "-t", "2", "-f", "null", "-"], 60_000);

    // Health: the good ingest streams, the dead one is reported and retried.
    const health = await until("health of both destinations", async () => {
      const status = (await api(host, "GET", `/api/sessions/${sessionId}/stream`)).body;
      const good = status.health?.destinations.find((d: { id: string }) => d.id === ids.good);
      const dead = status.health?.destinations.find((d: { id: string }) => d.id === ids.dead);
      return good?.state === "live" && good.bitrateKbps > 0 && dead?.reconnects >= 2 ? status.health : undefined;
    });
    const dead = health.destinations.find((d: { id: string }) => d.id === ids.dead);
    expect(dead.state).not.toBe("live");
    expect(dead.lastError).toEqual(expect.any(String));
    expect(JSON.stringify(health)).not.toContain(DEAD_KEY);
    expect(health.destinations.find((d: { id: string }) => d.id === ids.good).reconnects).toBe(0);
    // Attendees learn that it is live, not its health or destinations.
    const seenByHolder = (await api(holder, "GET", `/api/sessions/${sessionId}/stream`)).body;
    expect(seenByHolder).toEqual({ live: true, startedAt: expect.any(String), isHost: false });
    // The organizer's event page shows it too.
    const organizer = (await api(cohost, "GET", `/api/organize/events/${fixture.eventId}/stream-destinations`)).body;
    expect(organizer.live).toEqual([expect.objectContaining({ sessionId, title: "Streamed keynote" })]);

    const stopped = await api(host, "POST", `/api/sessions/${sessionId}/stream/stop`);
    expect(stopped.body.live).toBe(false);
    await receiver.exited;
    const received = await probe("ffprobe", receiver.file);
    expect(received.streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    expect(Number(received.format.duration)).toBeGreaterThan(2);
  }, 180_000);
});
