/**
 * Recording through the real server: a host records a live room where a (werift) peer
 * publishes VP8; the recording goes recording → processing → uploading → ready into a
 * real S3-compatible store (s3rver on loopback, multipart); a ticket holder plays it
 * through signed links (presigned segments, the AES key from the server) in ffmpeg; a
 * non-ticket-holder and anonymous callers are refused; a recorder killed midway fails the
 * recording with nothing in the store, and a retry recovers what was written; organizers
 * rename, trim, retry and delete.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../recorder/ffmpeg.ts";
import { S3Storage } from "../../server/storage/s3.ts";
import { MediaPeer } from "../support/media-peer.ts";
import { RoomFixture, type RoomPerson } from "../support/rooms.ts";
import { startS3, type TestS3 } from "../support/s3.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { encodeTestVp8 } from "../support/vp8.ts";

let server: TestServer;
let s3: TestS3;
let fixture: RoomFixture;
let store: S3Storage;
let host: RoomPerson, holder: RoomPerson, outsider: RoomPerson, speakerPeer: MediaPeer;
let sessionId: string;
const scratch = mkdtempSync(path.join(tmpdir(), "plenary-recording-e2e-"));

beforeAll(async () => {
  s3 = await startS3();
  server = await startServer({
    env: {
      PLENARY_SFU_WORKERS: "1",
      PLENARY_SFU_RECONNECT_GRACE_MS: "300",
      PLENARY_RECORDING_SEGMENT_SECONDS: "2",
      PLENARY_RECORDING_MIN_FREE_DISK_MB: "1",
      PLENARY_STORAGE_BACKEND: "s3",
      PLENARY_STORAGE_ENDPOINT: s3.endpoint,
      PLENARY_STORAGE_BUCKET: s3.bucket,
      PLENARY_STORAGE_PREFIX: "plenary/",
      PLENARY_STORAGE_ACCESS_KEY_ID: s3.accessKeyId,
      PLENARY_STORAGE_SECRET_ACCESS_KEY: s3.secretAccessKey,
      PLENARY_STORAGE_UPLOAD_PART_SIZE_MB: "5",
      PLENARY_JOBS_POLL_INTERVAL_MS: "100",
    },
  });
  store = new S3Storage({ ...s3, prefix: "plenary/", region: "us-east-1", pathStyle: true });
  fixture = await RoomFixture.create(server);
  sessionId = await fixture.session({ title: "Recorded keynote" });
  host = await fixture.person("Hana Host");
  await fixture.teamMember(host, "owner");
  holder = await fixture.person("Tia Ticket");
  await fixture.ticket(holder);
  outsider = await fixture.person("Otto Outside");
  const { body } = await fixture.joinToken(server, host, sessionId);
  speakerPeer = await MediaPeer.connect(server.url, body.token);
  await speakerPeer.publishVideo(encodeTestVp8(path.join(scratch, "source.ivf")));
}, 120_000);
afterAll(async () => {
  await speakerPeer?.close();
  await fixture?.close();
  await server?.stop();
  await s3?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function api(person: RoomPerson | null, method: string, url: string, body?: unknown) {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: { origin: server.url, "content-type": "application/json", ...(person ? { cookie: person.cookie } : {}) },
    body: method === "GET" ? undefined : JSON.stringify(body ?? {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until the recorder has written media for the camera track of recording `id`. */
const mediaWritten = (id: string) =>
  until("media written", async () => {
    const size = statSync(path.join(server.dataDir, "recordings-work", id, "track-1-camera.mkv"), { throwIfNoEntry: false })?.size ?? 0;
    return size > 20_000 ? true : undefined;
  });

const listed = async (id: string) => (await api(host, "GET", `/api/events/${fixture.eventId}/recordings`)).body.recordings.find((r: { id: string }) => r.id === id);

describe("recording", () => {
  let recordingId: string;

  it("lets only a host start recording, and records until stopped", async () => {
    expect((await api(holder, "POST", `/api/sessions/${sessionId}/recording/start`)).status).toBe(403);
    const started = await api(host, "POST", `/api/sessions/${sessionId}/recording/start`);
    expect(started.status).toBe(201);
    expect(started.body.state).toBe("recording");
    recordingId = started.body.id;
    // Everyone in the room sees that it is recorded.
    expect((await api(holder, "GET", `/api/sessions/${sessionId}/recording`)).body).toMatchObject({ recording: true, startedAt: expect.any(String) });
    expect((await api(host, "POST", `/api/sessions/${sessionId}/recording/start`)).body.error.code).toBe("already_recording");
    await new Promise((r) => setTimeout(r, 5_000));
    const stopped = await api(host, "POST", `/api/sessions/${sessionId}/recording/stop`);
    expect(stopped.status).toBe(200);
    expect(["processing", "uploading", "ready"]).toContain(stopped.body.state);
    expect((await api(holder, "GET", `/api/sessions/${sessionId}/recording`)).body).toMatchObject({ recording: false, startedAt: null });
    const ready = await until("ready", async () => {
      const r = await listed(recordingId);
      if (r.state === "failed") throw new Error(`recording failed: ${r.failureReason}`);
      return r.state === "ready" ? r : undefined;
    });
    expect(ready.durationMs).toBeGreaterThan(3_500);
    const keys = (await store.list(`${recordingId}/`)).map((o) => o.key);
    expect(keys).toEqual(expect.arrayContaining([`${recordingId}/program.mp4`, `${recordingId}/poster.jpg`, `${recordingId}/hls/index.m3u8`, `${recordingId}/tracks/manifest.json`]));
    expect(keys.some((k) => /tracks\/track-1-camera\.mkv$/.test(k))).toBe(true);
  }, 180_000);

  it("plays for a ticket holder through signed links and refuses others", async () => {
    expect((await api(null, "POST", `/api/recordings/${recordingId}/playback`)).status).toBe(401);
    const refused = await api(outsider, "POST", `/api/recordings/${recordingId}/playback`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("ticket_required");
    expect((await api(outsider, "GET", `/api/events/${fixture.eventId}/recordings`)).body.recordings).toEqual([]);

    const playback = await api(holder, "POST", `/api/recordings/${recordingId}/playback`);
    expect(playback.status).toBe(200);
    expect(playback.body.downloadUrl).toBeNull();
    const playlist = await (await fetch(`${server.url}${playback.body.playlistUrl}`)).text();
    // Segments come straight from the store by presigned URL; the key only from the server.
    expect(playlist).toMatch(/#EXT-X-KEY:METHOD=AES-128,URI="key"/);
    expect(playlist).toMatch(new RegExp(`^${s3.endpoint}/${s3.bucket}/plenary/${recordingId}/hls/seg_0000\\.m4s\\?.*X-Amz-Signature=`, "m"));
    const key = await fetch(`${server.url}${playback.body.playlistUrl.replace("index.m3u8", "key")}`);
    expect(Buffer.from(await key.arrayBuffer())).toHaveLength(16);
    const progress = await run("ffmpeg", ["-hide_banner", "-v", "error", "-i", `${server.url}${playback.body.playlistUrl}`, "-f", "null", "-", "-progress", "pipe:1"]);
    const played = Math.max(...[...progress.matchAll(/out_time_us=(\d+)/g)].map((m) => Number(m[1]) / 1000));
    const { durationMs } = await listed(recordingId);
    expect(Math.abs(played - durationMs) / durationMs).toBeLessThan(0.1);

    // A tampered link is refused; the holder may not download, the organizer may.
    expect((await fetch(`${server.url}${playback.body.playlistUrl.replace(/[\w-]{43}\/index\.m3u8$/, `${"A".repeat(43)}/index.m3u8`)}`)).status).toBe(403);
    expect((await fetch(`${server.url}${playback.body.playlistUrl.replace("index.m3u8", "program.mp4")}`)).status).toBe(404);
    const organizer = await api(host, "POST", `/api/recordings/${recordingId}/playback`);
    const download = await fetch(`${server.url}${organizer.body.downloadUrl}`, { redirect: "manual" });
    expect(download.status).toBe(302);
    expect(download.headers.get("location")).toContain("X-Amz-Signature=");
  }, 180_000);

  it("lets organizers rename, trim (playlist shortened) and open it to everyone", async () => {
    expect((await api(holder, "PATCH", `/api/recordings/${recordingId}`, { title: "x" })).status).toBe(403);
    expect((await api(host, "PATCH", `/api/recordings/${recordingId}`, { trimStartMs: 3000, trimEndMs: 1000 })).body.error.code).toBe("invalid_trim");
    const edited = await api(host, "PATCH", `/api/recordings/${recordingId}`, { title: "Keynote (edited)", trimStartMs: 2_500, access: "everyone" });
    expect(edited.body).toMatchObject({ title: "Keynote (edited)", trimStartMs: 2_500, access: "everyone" });
    const playback = await api(outsider, "POST", `/api/recordings/${recordingId}/playback`);
    expect(playback.status).toBe(200);
    const playlist = await (await fetch(`${server.url}${playback.body.playlistUrl}`)).text();
    expect(playlist).not.toMatch(/seg_0000\.m4s/);
    expect(playlist).toMatch(/#EXT-X-MEDIA-SEQUENCE:1/);
  });

  it("fails a recording whose recorder is killed midway with nothing in the store; a retry recovers it; delete removes it", async () => {
    const started = await api(host, "POST", `/api/sessions/${sessionId}/recording/start`);
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await mediaWritten(id);
    const children = execFileSync("pgrep", ["-P", String(server.process.pid), "ffmpeg"]).toString().trim().split("\n").map(Number);
    expect(children.length).toBeGreaterThan(0);
    for (const pid of children) process.kill(pid, "SIGKILL");
    const failed = await until("failed", async () => {
      const r = await listed(id);
      return r.state === "failed" ? r : undefined;
    });
    expect(failed.failureReason).toMatch(/ffmpeg exited/);
    expect(await store.list(`${id}/`)).toEqual([]);
    // Its tracks were written as they came: a retry recovers what was recorded.
    expect((await api(holder, "POST", `/api/recordings/${id}/retry`)).status).toBe(403);
    expect((await api(host, "POST", `/api/recordings/${id}/retry`)).body.state).toBe("processing");
    await until("recovered", async () => {
      const r = await listed(id);
      if (r.state === "failed") throw new Error(`retry failed: ${r.failureReason}`);
      return r.state === "ready" ? r : undefined;
    });
    expect((await store.list(`${id}/`)).length).toBeGreaterThan(0);
    expect((await api(host, "DELETE", `/api/recordings/${id}`)).status).toBe(204);
    expect(await listed(id)).toBeUndefined();
    expect(await store.list(`${id}/`)).toEqual([]);
  }, 180_000);

  it("records a session set to record automatically from when its room opens until it closes", async () => {
    const auto = await fixture.session({ title: "Auto-recorded panel" });
    await fixture.db.updateTable("event_sessions").set({ recording: 1 }).where("id", "=", auto).execute();
    const peer = await MediaPeer.connect(server.url, (await fixture.joinToken(server, host, auto)).body.token);
    await peer.publishVideo(encodeTestVp8(path.join(scratch, "auto.ivf")));
    const live = await until("auto recording", async () => {
      const rows = (await api(host, "GET", `/api/events/${fixture.eventId}/recordings`)).body.recordings;
      return rows.find((r: { sessionId: string; state: string }) => r.sessionId === auto && r.state === "recording");
    });
    await mediaWritten(live.id);
    await peer.close();
    const done = await until("auto recording ready", async () => {
      const r = await listed(live.id);
      if (r.state === "failed") throw new Error(`auto recording failed: ${r.failureReason}`);
      return r.state === "ready" ? r : undefined;
    });
    expect(done.title).toBe("Auto-recorded panel");
    expect(done.durationMs).toBeGreaterThan(1_500);
    expect((await api(host, "DELETE", `/api/recordings/${live.id}`)).status).toBe(204);
  }, 180_000);

  it("reports storage in /readyz and recordings in /metrics", async () => {
    const ready = await (await fetch(`${server.url}/readyz`)).json();
    expect(ready.checks.storage).toBe("ok");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/plenary_recordings\{state="ready"\} 1/);
    expect(metrics).toMatch(/plenary_recordings\{state="failed"\} 0/);
  });
});

describe("recording without ffmpeg", () => {
  it("refuses to start the server, saying how to fix it", async () => {
    await expect(startServer({ env: { PLENARY_SFU_WORKERS: "1", PLENARY_RECORDING_FFMPEG_PATH: "/nonexistent/ffmpeg" } })).rejects.toThrow(
      /recording is enabled but ffmpeg was not found at recording.ffmpeg_path/,
    );
  }, 120_000);
});
