/**
 * The live program's sound: every audio producer of the room, decoded by its own small
 * ffmpeg (RTP tap → 48 kHz stereo s16le on stdout) and mixed here into one PCM stream,
 * paced by the clock. Producers come and go while the composer's input stays one
 * continuous stream, silent when nobody speaks, so the encoder never waits on audio.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import type { Logger } from "../server/log.ts";
import { type RtpTap, tapProducer, waitUdpListening } from "../sfu/plain-tap.ts";
import type { RoomProducer } from "../sfu/Room.ts";

const RATE = 48_000;
/** Bytes per stereo s16 sample frame. */
const FRAME_BYTES = 4;
/** A source further behind than this is cut back, so the mix stays live. */
const MAX_BACKLOG_BYTES = (RATE * FRAME_BYTES) / 5;
const TICK_MS = 10;

type AudioSource = { tap: RtpTap; child: ChildProcess; chunks: Buffer[]; bytes: number };

export class LiveAudioMix {
  // Decoding sources by producer id.
  readonly #sources = new Map<string, AudioSource>();
  readonly #options: { dir: string; ffmpeg: string; log: Logger };
  // Pacing timer, set by the first start().
  #timer: NodeJS.Timeout | undefined;
  // The composer's stdin the mix goes to now.
  #output: Writable | undefined;
  // Sample frames written since start().
  #written = 0;
  #startedAt = 0;
  #closed = false;

  constructor(options: { dir: string; ffmpeg: string; log: Logger }) {
    this.#options = options;
  }

  get sourceCount(): number {
    return this.#sources.size;
  }

  /** Starts decoding a producer into the mix. */
  async add(entry: RoomProducer): Promise<void> {
    const id = entry.producer.id;
    if (this.#closed || this.#sources.has(id)) return;
    const tap = await tapProducer(entry.peer.home.router, id);
    const sdp = path.join(this.#options.dir, `audio-${id}.sdp`);
    await writeFile(sdp, tap.sdp);
    const child = spawn(
      this.#options.ffmpeg,
      [
        "-hide_banner", "-loglevel", "error", "-nostats",
        "-protocol_whitelist", "file,udp,rtp", "-analyzeduration", "500000", "-probesize", "32768",
        "-i", sdp, "-f", "s16le", "-ar", String(RATE), "-ac", "2", "pipe:1",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const source: AudioSource = { tap, child, chunks: [], bytes: 0 };
    this.#sources.set(id, source);
    child.stdout?.on("data", (chunk: Buffer) => {
      source.chunks.push(chunk);
      source.bytes += chunk.length;
    });
    child.stderr?.on("data", (chunk: Buffer) => this.#options.log.debug({ producer: id, ffmpeg: chunk.toString().trim() }, "live audio decoder"));
    child.once("exit", () => {
      if (this.#sources.get(id) === source) this.#sources.delete(id);
      tap.close();
    });
    if (this.#closed) return this.remove(id);
    await waitUdpListening(tap.port);
    await tap.consumer.resume();
  }

  remove(producerId: string): void {
    const source = this.#sources.get(producerId);
    if (!source) return;
    this.#sources.delete(producerId);
    source.child.kill("SIGKILL");
    source.tap.close();
  }

  /**
   * Writes the mix to `output` in real time from now on. Called again with a restarted
   * composer's stdin, the clock starts over at its time zero and what the sources queued
   * meanwhile is dropped, so the new encoder gets live sound, not a burst of the gap.
   */
  start(output: Writable): void {
    if (this.#closed) return;
    this.#output = output;
    this.#startedAt = performance.now();
    this.#written = 0;
    for (const source of this.#sources.values()) take(source, source.bytes);
    this.#timer ??= setInterval(() => this.#tick(), TICK_MS);
  }

  #tick() {
    const due = Math.floor(((performance.now() - this.#startedAt) * RATE) / 1000) - this.#written;
    if (due <= 0) return;
    this.#written += due;
    // Mixed even when nobody reads (a dead composer, waiting for its restart): the sources' queues must not grow.
    const pcm = mix([...this.#sources.values()], due);
    const output = this.#output;
    // A composer that stopped reading (dying) gets no more: memory must not grow.
    if (!output || output.writableLength > 4 * 1024 * 1024 || output.destroyed || !output.writable) return;
    output.write(pcm);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#output = undefined;
    for (const id of [...this.#sources.keys()]) this.remove(id);
  }
}

/** Takes `frames` sample frames from each source (silence where one has none) and sums them. */
function mix(sources: AudioSource[], frames: number): Buffer {
  const out = Buffer.alloc(frames * FRAME_BYTES);
  const sum = new Int32Array(frames * 2);
  for (const source of sources) {
    const taken = take(source, frames * FRAME_BYTES);
    for (let i = 0; i + 1 < taken.length; i += 2) sum[i >> 1] += taken.readInt16LE(i);
    // Keep latency low: a source that fell behind (a burst after a stall) drops the excess.
    if (source.bytes > MAX_BACKLOG_BYTES) take(source, source.bytes - MAX_BACKLOG_BYTES);
  }
  for (let i = 0; i < sum.length; i++) out.writeInt16LE(Math.max(-32_768, Math.min(32_767, sum[i])), i * 2);
  return out;
}

/** Up to `bytes` bytes (whole sample frames) off the front of a source's queue. */
function take(source: AudioSource, bytes: number): Buffer {
  const whole = (n: number) => n - (n % FRAME_BYTES);
  const want = Math.min(whole(bytes), whole(source.bytes));
  const parts: Buffer[] = [];
  let got = 0;
  while (got < want) {
    const chunk = source.chunks[0];
    const n = Math.min(chunk.length, want - got);
    parts.push(chunk.subarray(0, n));
    if (n === chunk.length) source.chunks.shift();
    else source.chunks[0] = chunk.subarray(n);
    got += n;
  }
  source.bytes -= got;
  return Buffer.concat(parts, got);
}
