/**
 * Recording through the real server: a host records a live room where a (werift) peer
 * publishes VP8 while people chat, ask, vote and the host marks a chapter; the hosts are
 * warned over the socket when free disk space is under the (test-sized) warning line; the
 * recording goes recording → processing → uploading → ready into a real S3-compatible
 * store (s3rver on loopback, multipart) with its sidecars (chat, Q&A, polls, chapters as
 * JSON and WebVTT); a ticket holder plays it through signed links (presigned segments,
 * the AES key from the server) in ffmpeg; a non-ticket-holder and anonymous callers are
 * refused; organizers trim (the MP4, the HLS and the sidecars are cut again; the original
 * is kept, so a trim is undone), rename, retry and delete; a recorder killed midway fails
 * the recording with nothing in the store, and a retry recovers what was written.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe, run } from "../../recorder/ffmpeg.ts";
import { S3Storage } from "../../server/storage/s3.ts";
import { MediaPeer } from "../support/media-peer.ts";
import { RoomFixture, type RoomPerson, requestAs } from "../support/rooms.ts";
import { startS3, type TestS3 } from "../support/s3.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { encodeTestVp8 } from "../support/vp8.ts";
import { TestSocket } from "../support/ws-client.ts";

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
      // Any disk is "low" under a 10 TiB warning line: hosts are warned, nothing stops.
      PLENARY_RECORDING_WARN_FREE_DISK_MB: String(10 * 1024 ** 2),
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

const api = (person: RoomPerson | null, method: string, url: string, body?: unknown) => requestAs(server, person, method, url, body);

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

const socketOf = (person: RoomPerson) => TestSocket.open(server.url, { headers: { cookie: person.cookie, origin: server.url } });
async function ok(socket: TestSocket, t: string, payload: Record<string, unknown>) {
  const reply = await socket.request(t, payload);
  if (reply.t !== "ok") throw new Error(`${t} failed: ${JSON.stringify(reply)}`);
  return reply.data as any;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The sidecar a viewer's playback link carries. */
const sidecarOf = async (person: RoomPerson, id: string) => (await api(person, "POST", `/api/recordings/${id}/playback`)).body.sidecar;

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
    // Hosts watch the recording's warnings; others may not.
    const hostSocket = await socketOf(host);
    const holderSocket = await socketOf(holder);
    try {
      await ok(hostSocket, "recording.watch", { sessionId });
      expect((await holderSocket.request("recording.watch", { sessionId })).code).toBe("forbidden");
      await mediaWritten(recordingId);
      // The session's life while it records: chat, a poll, a question, a chapter mark.
      const channel = `session:${sessionId}`;
      await ok(holderSocket, "chat.send", { channel, text: "Hello from the audience" });
      const { poll } = await ok(hostSocket, "poll.create", { sessionId, question: "Tabs or spaces?", options: ["Tabs", "Spaces"], multiple: false, anonymous: false, resultsVisibility: "all", allowChange: false });
      await ok(hostSocket, "poll.open", { pollId: poll.id });
      await ok(holderSocket, "poll.vote", { pollId: poll.id, optionIds: [poll.options[1].id] });
      await ok(holderSocket, "qa.subscribe", { sessionId });
      const { question } = await ok(holderSocket, "qa.ask", { sessionId, text: "Is this recorded?", anonymous: false });
      await sleep(1_500);
      expect((await api(holder, "POST", `/api/sessions/${sessionId}/recording/markers`, { label: "Questions" })).status).toBe(403);
      const marked = await api(host, "POST", `/api/sessions/${sessionId}/recording/markers`, { label: "Questions" });
      expect(marked.status).toBe(201);
      expect(marked.body).toMatchObject({ recordingId, marker: { label: "Questions" } });
      await ok(hostSocket, "qa.moderate", { questionId: question.id, action: "pin" });
      await ok(hostSocket, "qa.moderate", { questionId: question.id, action: "answer", answer: "Yes, it is." });
      await ok(hostSocket, "poll.close", { pollId: poll.id });
      await ok(holderSocket, "chat.send", { channel, text: "Thanks, bye" });
      // The next item of the agenda starts while this one still records: a chapter of its own.
      await sleep(2_500);
      await fixture.session({ title: "Panel discussion" });
      // Free space is under the warning line: the hosts' socket says so (the check runs every 5 s).
      const warning = await hostSocket.next((f) => f.t === "recording.warning" || (f.t === "batch" && (f.frames as { t: string }[]).some((g) => g.t === "recording.warning")), 15_000);
      const pushed = (warning.t === "batch" ? (warning.frames as { t: string }[]).find((g) => g.t === "recording.warning") : warning) as Record<string, unknown>;
      expect(pushed).toMatchObject({ sessionId, reason: "disk_low", message: expect.stringMatching(/disk space/) });
      expect(holderSocket.frames.some((f) => JSON.stringify(f).includes("recording.warning"))).toBe(false);
      await sleep(1_000);
    } finally {
      hostSocket.close();
      holderSocket.close();
    }
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
    expect(keys).toEqual(expect.arrayContaining([
      `${recordingId}/program.mp4`, `${recordingId}/poster.jpg`, `${recordingId}/hls/index.m3u8`, `${recordingId}/tracks/manifest.json`,
      `${recordingId}/sidecar.json`, `${recordingId}/chapters.vtt`, `${recordingId}/activity.vtt`, `${recordingId}/tracks/activity.json`,
    ]));
    expect(keys).not.toContain(`${recordingId}/original.mp4`);
    expect(keys.some((k) => /tracks\/track-1-camera\.mkv$/.test(k))).toBe(true);
  }, 300_000);

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

  it("saves the chat, Q&A, polls and chapters beside it, in time with the video, as JSON and WebVTT", async () => {
    const playback = (await api(holder, "POST", `/api/recordings/${recordingId}/playback`)).body;
    const { sidecar } = playback;
    const { durationMs } = await listed(recordingId);
    expect(sidecar.chat.map((c: { author: string; text: string }) => [c.author, c.text])).toEqual([["Tia Ticket", "Hello from the audience"], ["Tia Ticket", "Thanks, bye"]]);
    expect(sidecar.activity.map((a: { kind: string }) => a.kind)).toEqual(["poll.opened", "question.asked", "question.pinned", "question.answered", "poll.closed"]);
    expect(sidecar.activity.at(-1)).toMatchObject({ question: "Tabs or spaces?", results: [{ text: "Tabs", votes: 0 }, { text: "Spaces", votes: 1 }] });
    expect(sidecar.activity[3]).toMatchObject({ text: "Is this recorded?", answer: "Yes, it is." });
    // Times are offsets into the video, in the order things happened.
    const times = [...sidecar.chat, ...sidecar.activity].map((e: { atMs: number }) => e.atMs);
    for (const at of times) expect(at).toBeGreaterThanOrEqual(0);
    for (const at of times) expect(at).toBeLessThan(durationMs);
    expect(sidecar.chat[0].atMs).toBeLessThan(sidecar.activity[0].atMs);
    expect(sidecar.chat[1].atMs).toBeGreaterThan(sidecar.activity.at(-1).atMs);
    // Chapters: the session's title from 0, the host's marker (between the question and its
    // pinning), then the agenda item that started while it recorded.
    expect(sidecar.chapters.map((c: { title: string }) => c.title)).toEqual(["Recorded keynote", "Questions", "Panel discussion"]);
    expect(sidecar.chapters[0].startMs).toBe(0);
    expect(sidecar.chapters[1].startMs).toBeGreaterThan(sidecar.activity[1].atMs);
    expect(sidecar.chapters[1].startMs).toBeLessThanOrEqual(sidecar.activity[2].atMs);
    expect(sidecar.chapters[2].startMs).toBeGreaterThan(sidecar.chat[1].atMs);
    expect(sidecar.chapters[1].endMs).toBe(sidecar.chapters[2].startMs);
    expect(sidecar.chapters[2].endMs).toBe(sidecar.durationMs);
    // The WebVTT tracks come through the same signed links (the store's presigned URL).
    const chapters = await (await fetch(`${server.url}${playback.chaptersUrl}`)).text();
    expect(chapters).toMatch(/^WEBVTT\n\n1\n00:00:00\.000 --> [\d:.]+\nRecorded keynote\n\n2\n[\d:.]+ --> [\d:.]+\nQuestions\n/);
    const activity = await (await fetch(`${server.url}${playback.activityUrl}`)).text();
    expect(activity).toContain("Tia Ticket: Hello from the audience");
    expect(activity).toContain("Poll closed: Tabs or spaces? — Tabs: 0, Spaces: 1");
    expect((await fetch(`${server.url}${playback.chaptersUrl.replace(/[\w-]{43}\/chapters\.vtt$/, `${"A".repeat(43)}/chapters.vtt`)}`)).status).toBe(403);
  });

  it("lets organizers rename, trim (MP4, HLS and sidecars cut again; undone from the kept original) and open it to everyone", async () => {
    expect((await api(holder, "PATCH", `/api/recordings/${recordingId}`, { title: "x" })).status).toBe(403);
    expect((await api(host, "PATCH", `/api/recordings/${recordingId}`, { trimStartMs: 3000, trimEndMs: 1000 })).body.error.code).toBe("invalid_trim");
    const before = await listed(recordingId);
    const sidecarBefore = await sidecarOf(host, recordingId);
    const trimStart = 1_500;
    const edited = await api(host, "PATCH", `/api/recordings/${recordingId}`, { title: "Keynote (edited)", trimStartMs: trimStart, access: "everyone" });
    expect(edited.body).toMatchObject({ title: "Keynote (edited)", trimStartMs: trimStart, access: "everyone", state: "processing" });
    // While it is cut again, nobody plays it, and a second trim waits its turn.
    expect((await api(host, "PATCH", `/api/recordings/${recordingId}`, { trimEndMs: 4_000 })).body.error.code).toBe("not_ready");
    const ready = await until("trimmed", async () => {
      const r = await listed(recordingId);
      if (r.state === "failed") throw new Error(`trim failed: ${r.failureReason}`);
      return r.state === "ready" ? r : undefined;
    }, 150_000);
    expect(Math.abs(ready.durationMs - (before.durationMs - trimStart))).toBeLessThan(300);

    // The download is the trimmed MP4; the untrimmed one is kept beside it.
    const playback = await api(outsider, "POST", `/api/recordings/${recordingId}/playback`);
    expect(playback.status).toBe(200);
    const organizer = await api(host, "POST", `/api/recordings/${recordingId}/playback`);
    const mp4 = path.join(scratch, "trimmed.mp4");
    await run("ffmpeg", ["-hide_banner", "-v", "error", "-y", "-i", `${server.url}${organizer.body.downloadUrl}`, "-c", "copy", mp4]);
    const probed = await probe("ffprobe", mp4);
    expect(Math.abs(Number(probed.format.duration) * 1000 - ready.durationMs)).toBeLessThan(300);
    expect(probed.streams.map((st) => st.codec_type).sort()).toEqual(["audio", "video"]);
    expect((await store.list(`${recordingId}/`)).map((o) => o.key)).toContain(`${recordingId}/original.mp4`);
    // The HLS is the trimmed one: it plays for its new length.
    const progress = await run("ffmpeg", ["-hide_banner", "-v", "error", "-i", `${server.url}${playback.body.playlistUrl}`, "-f", "null", "-", "-progress", "pipe:1"]);
    const played = Math.max(...[...progress.matchAll(/out_time_us=(\d+)/g)].map((m) => Number(m[1]) / 1000));
    expect(Math.abs(played - ready.durationMs) / ready.durationMs).toBeLessThan(0.1);

    // Sidecars shifted: what came before the new start is gone, the rest is 1.5 s earlier.
    const sidecar = playback.body.sidecar;
    const kept = (list: { atMs: number }[]) => list.filter((e) => e.atMs >= trimStart).map((e) => ({ ...e, atMs: e.atMs - trimStart }));
    expect(sidecar.chat).toEqual(kept(sidecarBefore.chat));
    expect(sidecar.activity).toEqual(kept(sidecarBefore.activity));
    expect(sidecar.chapters[1]).toMatchObject({ title: "Questions", startMs: sidecarBefore.chapters[1].startMs - trimStart });

    // Clearing the trim restores the whole recording from the kept original.
    expect((await api(host, "PATCH", `/api/recordings/${recordingId}`, { trimStartMs: null })).body.state).toBe("processing");
    const restored = await until("untrimmed", async () => {
      const r = await listed(recordingId);
      if (r.state === "failed") throw new Error(`untrim failed: ${r.failureReason}`);
      return r.state === "ready" ? r : undefined;
    }, 150_000);
    expect(Math.abs(restored.durationMs - before.durationMs)).toBeLessThan(300);
    expect((await sidecarOf(host, recordingId)).chat).toEqual(sidecarBefore.chat);
  }, 300_000);

  it("fails a trim that cannot be cut, with the reason, and a retry runs it again", async () => {
    const { durationMs } = await listed(recordingId);
    expect((await api(host, "PATCH", `/api/recordings/${recordingId}`, { trimStartMs: durationMs - 300 })).body.state).toBe("processing");
    const failed = await until("trim failed", async () => {
      const r = await listed(recordingId);
      return r.state === "failed" ? r : undefined;
    });
    expect(failed.failureReason).toMatch(/shorter than one second/);
    // Fix the trim (allowed on a failed recording), which processes it again.
    expect((await api(host, "PATCH", `/api/recordings/${recordingId}`, { trimStartMs: null })).body.state).toBe("processing");
    await until("ready again", async () => ((await listed(recordingId)).state === "ready" ? true : undefined));
  }, 180_000);

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
