/**
 * Recording under real faults, on the real server process: the recordings folder on a
 * small tmpfs filled at once while recording (ffmpeg dies with "No space left on device";
 * the server must stay up, fail the recording with a reason the hosts are told, and a
 * retry after space is freed must recover it); the server killed with SIGKILL while
 * recording (the restart processes what was captured to a playable program); a work
 * folder whose manifest.json is empty or unreadable (a retry rebuilds it from the track
 * files, or fails saying why). Mounting a tmpfs needs root, which CI has.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe, run } from "../../recorder/ffmpeg.ts";
import { MediaPeer } from "../support/media-peer.ts";
import { RoomFixture, type RoomPerson, requestAs } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { encodeTestVp8 } from "../support/vp8.ts";
import { TestSocket } from "../support/ws-client.ts";

const ENV = {
  PLENARY_SFU_WORKERS: "1",
  PLENARY_SFU_RECONNECT_GRACE_MS: "300",
  PLENARY_RECORDING_SEGMENT_SECONDS: "2",
  // No stop line: the disk fills under ffmpeg, as when something else fills it at once.
  PLENARY_RECORDING_MIN_FREE_DISK_MB: "0",
  PLENARY_RECORDING_WARN_FREE_DISK_MB: "0",
  PLENARY_RECORDING_ENCRYPT: "false",
  PLENARY_JOBS_POLL_INTERVAL_MS: "100",
};

const scratch = mkdtempSync(path.join(tmpdir(), "plenary-recording-faults-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A server with a host publishing test video into a session's room. */
async function liveRoom(server: TestServer) {
  const fixture = await RoomFixture.create(server);
  const sessionId = await fixture.session({ title: "Faulty keynote" });
  const host = await fixture.person("Hana Host");
  await fixture.teamMember(host, "owner");
  const peer = await MediaPeer.connect(server.url, (await fixture.joinToken(server, host, sessionId)).body.token);
  await peer.publishVideo(encodeTestVp8(path.join(scratch, `${sessionId}.ivf`)));
  return { fixture, sessionId, host, peer };
}

const api = (server: TestServer, person: RoomPerson, method: string, url: string) => requestAs(server, person, method, url);
const listed = async (server: TestServer, host: RoomPerson, eventId: string, id: string) =>
  (await api(server, host, "GET", `/api/events/${eventId}/recordings`)).body.recordings.find((r: { id: string }) => r.id === id);
const workDir = (server: TestServer, id: string) => path.join(server.dataDir, "recordings-work", id);

/** Waits until the camera track of recording `id` holds `bytes` of media. */
const mediaWritten = (server: TestServer, id: string, bytes = 20_000) =>
  until("media written", async () => ((statSync(path.join(workDir(server, id), "track-1-camera.mkv"), { throwIfNoEntry: false })?.size ?? 0) > bytes ? true : undefined));

async function readyRecording(server: TestServer, host: RoomPerson, eventId: string, id: string) {
  return until("ready", async () => {
    const r = await listed(server, host, eventId, id);
    if (r.state === "failed") throw new Error(`recording failed: ${r.failureReason}`);
    return r.state === "ready" ? r : undefined;
  });
}

/** The program MP4 as the organizer downloads it, probed: its length in seconds. */
async function playableSeconds(server: TestServer, host: RoomPerson, id: string): Promise<number> {
  const { body } = await api(server, host, "POST", `/api/recordings/${id}/playback`);
  const file = path.join(scratch, `${id}.mp4`);
  await run("ffmpeg", ["-hide_banner", "-v", "error", "-y", "-headers", `cookie: ${host.cookie}\r\n`, "-i", `${server.url}${body.downloadUrl}`, "-c", "copy", file]);
  const probed = await probe("ffprobe", file);
  expect(probed.streams.some((s) => s.codec_type === "video")).toBe(true);
  return Number(probed.format.duration);
}

function requireRoot() {
  if (process.getuid?.() !== 0) throw new Error("these tests mount a tmpfs and must run as root (CI does): run them with sudo");
}

describe("a recordings disk that fills at once", () => {
  let server: TestServer;
  let room: Awaited<ReturnType<typeof liveRoom>>;
  const dataDir = mkdtempSync(path.join(tmpdir(), "plenary-disk-full-"));
  const mountPoint = path.join(dataDir, "recordings-work");
  let mounted = false;

  beforeAll(async () => {
    requireRoot();
    execFileSync("mkdir", ["-p", mountPoint]);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=40m", "tmpfs", mountPoint]);
    mounted = true;
    server = await startServer({ dataDir, env: ENV });
    room = await liveRoom(server);
  }, 180_000);
  afterAll(async () => {
    await room?.peer.close();
    await room?.fixture.close();
    await server?.stop();
    if (mounted) execFileSync("umount", ["-l", mountPoint]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("fails the recording with a reason hosts see, keeps the server serving, and a retry after freeing space recovers it", async () => {
    const { fixture, sessionId, host } = room;
    const started = await api(server, host, "POST", `/api/sessions/${sessionId}/recording/start`);
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const hostSocket = await TestSocket.open(server.url, { headers: { cookie: host.cookie, origin: server.url } });
    try {
      expect((await hostSocket.request("recording.watch", { sessionId })).t).toBe("ok");
      await mediaWritten(server, id);

      // Everything the file system has left, taken at once.
      const { bavail, bsize } = statfsSync(mountPoint);
      execFileSync("fallocate", ["-l", String(bavail * bsize), path.join(mountPoint, "filler")]);
      try {
        execFileSync("dd", ["if=/dev/zero", `of=${path.join(mountPoint, "filler-rest")}`, "bs=4k"], { stdio: "ignore" });
      } catch {
        // dd stops at "No space left on device": the disk is full.
      }

      const failed = await until("failed", async () => {
        const r = await listed(server, host, fixture.eventId, id);
        return r.state === "failed" ? r : undefined;
      });
      expect(failed.failureReason).toMatch(/recordings disk is full/);
      const pushed = await hostSocket.next((f) => JSON.stringify(f).includes('"recording.stopped"'), 15_000);
      expect(JSON.stringify(pushed)).toMatch(/"reason":"failed".*The recording stopped: The recordings disk is full/);
    } finally {
      hostSocket.close();
    }

    // The server is still up and answers everything else.
    expect(server.process.exitCode).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await api(server, host, "GET", `/api/sessions/${sessionId}/recording`)).body).toMatchObject({ recording: false });
    const readyz = await (await fetch(`${server.url}/readyz`)).json();
    expect(readyz.checks).toMatchObject({ database: "ok", database_disk: "ok" });

    // Space freed: a retry processes what was recorded before the disk filled.
    rmSync(path.join(mountPoint, "filler"), { force: true });
    rmSync(path.join(mountPoint, "filler-rest"), { force: true });
    const retried = await api(server, host, "POST", `/api/recordings/${id}/retry`);
    expect(retried.body.state).toBe("processing");
    await readyRecording(server, host, fixture.eventId, id);
    expect(await playableSeconds(server, host, id)).toBeGreaterThan(0.5);
    expect(server.process.exitCode).toBeNull();
  }, 300_000);
});

describe("a server killed while recording", () => {
  let server: TestServer;
  let room: Awaited<ReturnType<typeof liveRoom>>;
  const dataDir = mkdtempSync(path.join(tmpdir(), "plenary-kill9-"));

  beforeAll(async () => {
    server = await startServer({ dataDir, env: ENV });
    room = await liveRoom(server);
  }, 180_000);
  afterAll(async () => {
    await room?.peer.close().catch(() => {});
    await room?.fixture.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("processes what was captured when it starts again: processing, then ready and playable", async () => {
    const { fixture, sessionId, host, peer } = room;
    const started = await api(server, host, "POST", `/api/sessions/${sessionId}/recording/start`);
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await mediaWritten(server, id, 100_000);

    // kill -9: no shutdown runs. Its ffmpeg children are killed too, as the service manager
    // does with the whole control group (left alone they would wait for RTP forever).
    const children = execFileSync("pgrep", ["-P", String(server.process.pid)]).toString().trim().split("\n").map(Number);
    const exited = new Promise((resolve) => server.process.once("exit", resolve));
    server.process.kill("SIGKILL");
    await exited;
    for (const pid of children) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone (the media workers end with their parent).
      }
    }
    await peer.close().catch(() => {});

    server = await startServer({ dataDir, env: ENV });
    const states: string[] = [];
    await until("ready after the restart", async () => {
      const r = await listed(server, host, fixture.eventId, id);
      if (states.at(-1) !== r.state) states.push(r.state);
      if (r.state === "failed") throw new Error(`recovered recording failed: ${r.failureReason}`);
      return r.state === "ready" ? r : undefined;
    });
    expect(states[0]).not.toBe("recording");
    expect(states.at(-1)).toBe("ready");
    expect(await playableSeconds(server, host, id)).toBeGreaterThan(0.5);
  }, 300_000);

  it("retries a recording whose manifest.json is empty by rebuilding it from the track files", async () => {
    const { fixture, sessionId, host } = room;
    const peer = await MediaPeer.connect(server.url, (await fixture.joinToken(server, host, sessionId)).body.token);
    try {
      await peer.publishVideo(encodeTestVp8(path.join(scratch, "again.ivf")));
      const id = (await api(server, host, "POST", `/api/sessions/${sessionId}/recording/start`)).body.id as string;
      await mediaWritten(server, id);
      // A recorder killed midway fails the recording; then its manifest is found empty.
      for (const pid of execFileSync("pgrep", ["-P", String(server.process.pid), "ffmpeg"]).toString().trim().split("\n").map(Number)) process.kill(pid, "SIGKILL");
      await until("failed", async () => ((await listed(server, host, fixture.eventId, id)).state === "failed" ? true : undefined));
      writeFileSync(path.join(workDir(server, id), "manifest.json"), "");
      expect((await api(server, host, "POST", `/api/recordings/${id}/retry`)).body.state).toBe("processing");
      await readyRecording(server, host, fixture.eventId, id);
      expect(await playableSeconds(server, host, id)).toBeGreaterThan(0.5);
    } finally {
      await peer.close();
    }
  }, 300_000);

  it("says why a retry cannot work when the manifest is unreadable and no track holds media", async () => {
    const { fixture, sessionId, host } = room;
    const peer = await MediaPeer.connect(server.url, (await fixture.joinToken(server, host, sessionId)).body.token);
    let id: string;
    try {
      await peer.publishVideo(encodeTestVp8(path.join(scratch, "lost.ivf")));
      id = (await api(server, host, "POST", `/api/sessions/${sessionId}/recording/start`)).body.id as string;
      await mediaWritten(server, id);
      for (const pid of execFileSync("pgrep", ["-P", String(server.process.pid), "ffmpeg"]).toString().trim().split("\n").map(Number)) process.kill(pid, "SIGKILL");
      await until("failed", async () => ((await listed(server, host, fixture.eventId, id)).state === "failed" ? true : undefined));
    } finally {
      await peer.close();
    }
    writeFileSync(path.join(workDir(server, id), "manifest.json"), '{"room": "trunc');
    writeFileSync(path.join(workDir(server, id), "track-1-camera.mkv"), "");
    expect((await api(server, host, "POST", `/api/recordings/${id}/retry`)).body.state).toBe("processing");
    const failed = await until("failed again", async () => {
      const r = await listed(server, host, fixture.eventId, id);
      return r.state === "failed" ? r : undefined;
    });
    expect(failed.failureReason).toMatch(/Nothing usable was recorded: its manifest.json is unreadable and no track file holds media/);
    // With nothing at all left, the retry is refused at once.
    rmSync(workDir(server, id), { recursive: true, force: true });
    const refused = await api(server, host, "POST", `/api/recordings/${id}/retry`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/files were not kept/);
  }, 300_000);
});
