/**
 * The live encoder dies mid-stream (its ffmpeg killed, as a crash would): through the real
 * server, it is restarted while the destination keeps its RTMP connection and receives
 * again, the live playlist goes on with new segments after a discontinuity, and the
 * room's hosts are pushed "reconnecting" then "live" over the realtime socket; killed
 * again and again, it is given up after `encoder_max_failures` and the stream ends as
 * failed with the reason. Health goes to a host's socket, never to an attendee's, who
 * hears only that the stream started and ended.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../recorder/ffmpeg.ts";
import { MediaPeer } from "../support/media-peer.ts";
import { RoomFixture, type RoomPerson, requestAs } from "../support/rooms.ts";
import type { TestServer } from "../support/server.ts";
import { encodeTestVp8 } from "../support/vp8.ts";
import { type Frame, TestSocket } from "../support/ws-client.ts";
import { type RtmpReceiver, startRtmpReceiver, startStreamingServer, until } from "./streaming-support.ts";

const MAX_FAILURES = 3;
let server: TestServer;
let fixture: RoomFixture;
let host: RoomPerson, holder: RoomPerson;
let speakerPeer: MediaPeer;
let receiver: RtmpReceiver;
let hostSocket: TestSocket, holderSocket: TestSocket;
let sessionId: string;
const scratch = mkdtempSync(path.join(tmpdir(), "plenary-streaming-restart-"));
const KEY = "live_sk-restart0123ABCD";

beforeAll(async () => {
  server = await startStreamingServer({ PLENARY_STREAMING_RETRY_BACKOFF_MS: "300", PLENARY_STREAMING_ENCODER_MAX_FAILURES: String(MAX_FAILURES) });
  fixture = await RoomFixture.create(server);
  sessionId = await fixture.session({ title: "Crash-proof keynote" });
  host = await fixture.person("Hana Host");
  await fixture.teamMember(host, "owner");
  holder = await fixture.person("Tia Ticket");
  await fixture.ticket(holder);
  receiver = await startRtmpReceiver(path.join(scratch, "received.flv"), KEY);
}, 120_000);
afterAll(async () => {
  hostSocket?.close();
  holderSocket?.close();
  await speakerPeer?.close();
  await receiver?.stop();
  await fixture?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const api = (person: RoomPerson | null, method: string, url: string, body?: unknown) => requestAs(server, person, method, url, body);
const socketOf = (person: RoomPerson) => TestSocket.open(server.url, { headers: { cookie: person.cookie, origin: server.url } });


/** Every push a socket got, in order, with the fan-out's batches unwrapped. */
const pushes = (socket: TestSocket, t: string): Frame[] =>
  socket.frames.flatMap((f) => (f.t === "batch" ? (f.frames as Frame[]) : [f])).filter((f) => f.t === t);

/** The composer: the server's ffmpeg child that reads the program video (the SDP file). */
function composerPid(): number | undefined {
  let children: number[];
  try {
    children = execFileSync("pgrep", ["-P", String(server.process.pid), "ffmpeg"]).toString().trim().split("\n").map(Number);
  } catch {
    return undefined; // pgrep exits 1 when there is none
  }
  return children.find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("video.sdp");
    } catch {
      return false;
    }
  });
}

const playlistPath = () => path.join(server.dataDir, "live", sessionId, "index.m3u8");
const segmentNumbers = (playlist: string) => playlist.split("\n").filter((l) => l.endsWith(".ts")).map((l) => Number(/(\d+)\.ts$/.exec(l)![1]));

describe("live encoder restarts", () => {
  it("restarts a killed encoder: the destination and the live playlist go on, hosts hear reconnecting then live", async () => {
    const destination = await api(host, "POST", `/api/organize/events/${fixture.eventId}/stream-destinations`, { name: "Local ingest", ingestUrl: receiver.url, streamKey: KEY });
    expect(destination.status).toBe(201);
    const { body } = await fixture.joinToken(server, host, sessionId);
    speakerPeer = await MediaPeer.connect(server.url, body.token);
    await speakerPeer.publishVideo(encodeTestVp8(path.join(scratch, "source.ivf")));

    hostSocket = await socketOf(host);
    holderSocket = await socketOf(holder);
    const hostReply = await hostSocket.request("stream.subscribe", { sessionId });
    expect(hostReply).toMatchObject({ t: "ok", data: { live: false, state: "off", isHost: true } });
    const holderReply = await holderSocket.request("stream.subscribe", { sessionId });
    expect(holderReply).toMatchObject({ t: "ok", data: { live: false, isHost: false } });
    expect(holderReply.data).not.toHaveProperty("health");
    const outsider = await fixture.person("Otto Outside");
    const outsiderSocket = await socketOf(outsider);
    // Whoever may not enter the room is refused (here: no ticket for the session).
    expect(await outsiderSocket.request("stream.subscribe", { sessionId })).toMatchObject({ t: "error", code: "ticket_required" });
    outsiderSocket.close();

    const started = await api(host, "POST", `/api/sessions/${sessionId}/stream/start`, { destinationIds: [destination.body.id] });
    expect(started.status).toBe(201);
    // Everyone hears that it started; the periodic health reaches the host.
    await until("the holder told it is live", () => pushes(holderSocket, "stream.live").find((p) => p.live === true));
    await until("health pushed to the host with the destination live", () =>
      pushes(hostSocket, "stream.health").find((p) => {
        const d = (p.health as { destinations: { state: string; bitrateKbps: number }[] } | null)?.destinations[0];
        return p.state === "live" && d?.state === "live" && d.bitrateKbps > 0 ? p : undefined;
      }),
    );
    const before = await until("three live segments", () => {
      if (!existsSync(playlistPath())) return undefined;
      const numbers = segmentNumbers(readFileSync(playlistPath(), "utf8"));
      return numbers.length >= 3 ? numbers : undefined;
    });
    await until("the receiver writing", () => (existsSync(receiver.file) && statSync(receiver.file).size > 20_000) || undefined);

    const first = composerPid();
    expect(first).toBeDefined();
    const healthBefore = pushes(hostSocket, "stream.health").length;
    const receivedAtKill = statSync(receiver.file).size;
    process.kill(first!, "SIGKILL");

    const reconnecting = await until("a reconnecting push", () => pushes(hostSocket, "stream.health").slice(healthBefore).find((p) => p.state === "reconnecting"));
    expect(reconnecting).toMatchObject({ live: true, failure: null, health: { encoder: { state: "reconnecting", lastError: expect.stringContaining("SIGKILL") } } });
    await until("a live push after it", () => {
      const later = pushes(hostSocket, "stream.health").slice(healthBefore);
      return later.slice(later.indexOf(reconnecting)).find((p) => p.state === "live");
    }, 60_000);
    const second = composerPid();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);

    // The playlist goes on after the seam: new segment numbers after a discontinuity, no end.
    const lastBefore = Math.max(...before);
    const playlist = await until("new segments after the restart", () => {
      const text = readFileSync(playlistPath(), "utf8");
      return segmentNumbers(text).filter((n) => n > lastBefore + 2).length >= 2 && text.includes("#EXT-X-DISCONTINUITY") ? text : undefined;
    });
    expect(playlist).not.toContain("#EXT-X-ENDLIST");
    const watch = await api(holder, "POST", `/api/sessions/${sessionId}/stream/watch`);
    const served = await fetch(`${server.url}${watch.body.playlistUrl}`);
    expect(served.status).toBe(200);
    expect(Math.max(...segmentNumbers(await served.text()))).toBeGreaterThan(lastBefore);

    // The destination kept its connection (the receiver takes one publisher) and receives again.
    await until("the receiver growing after the restart", () => (statSync(receiver.file).size > receivedAtKill + 50_000 ? true : undefined), 60_000);
    expect(receiver.child.exitCode).toBeNull();
    const status = (await api(host, "GET", `/api/sessions/${sessionId}/stream`)).body;
    expect(status).toMatchObject({ live: true, state: "live", failure: null });
    expect(status.health.encoder).toMatchObject({ state: "live", restarts: 1 });
    expect(status.health.destinations[0]).toMatchObject({ state: "live", reconnects: 0 });

    // Attendees hear only starts and ends: no health, no encoder state.
    expect(pushes(holderSocket, "stream.health")).toEqual([]);
    expect(pushes(holderSocket, "stream.live").map((p) => p.live)).toEqual([true]);
  }, 240_000);

  it("gives up after repeated quick failures: the stream ends as failed, with the reason", async () => {
    const killed = new Set<number>();
    const ended = () => pushes(hostSocket, "stream.health").find((p) => p.live === false && p.failure);
    for (let kills = 0; kills <= MAX_FAILURES && !ended(); kills++) {
      // The next composer (the restarted one), once it runs.
      const pid = await until("a composer to kill", () => {
        if (ended()) return 0;
        const found = composerPid();
        return found !== undefined && !killed.has(found) ? found : undefined;
      }, 60_000);
      if (pid === 0) break;
      killed.add(pid);
      process.kill(pid, "SIGKILL");
      await until("the kill noticed", () => (ended() || pushes(hostSocket, "stream.health").some((p) => p.state === "reconnecting" && (p.health as { encoder: { restarts: number } }).encoder.restarts >= killed.size) ? true : undefined), 60_000);
    }
    const failed = await until("the failed push", ended, 60_000);
    expect(killed.size).toBeLessThanOrEqual(MAX_FAILURES);
    expect(failed).toMatchObject({ live: false, state: "off", health: null });
    expect(failed.failure).toMatch(/^the live encoder stopped \(SIGKILL\).*failures in a row: given up/);

    const status = (await api(host, "GET", `/api/sessions/${sessionId}/stream`)).body;
    expect(status).toMatchObject({ live: false, state: "off", failure: failed.failure });
    await until("the holder told it ended", () => pushes(holderSocket, "stream.live").find((p) => p.live === false));
    expect(pushes(holderSocket, "stream.health")).toEqual([]);
    // The destination's push was ended cleanly with the stream.
    await receiver.exited;
    expect(composerPid()).toBeUndefined();
    // What the ingest got across the restarts is one H.264 + AAC stream that decodes.
    const received = await probe("ffprobe", receiver.file);
    expect(received.streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    expect(Number(received.format.duration)).toBeGreaterThan(4);
    const decoded = spawnSync("ffmpeg", ["-v", "error", "-i", receiver.file, "-f", "null", "-"], { encoding: "utf8" });
    expect(decoded.status).toBe(0);
    expect(decoded.stderr).toBe("");
  }, 240_000);
});
