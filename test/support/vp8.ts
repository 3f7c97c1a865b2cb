/**
 * Real VP8 for media tests: ffmpeg encodes a test pattern to IVF; frames are cut into RTP
 * payloads (RFC 7741) to send, and received payloads are put back into frames and an IVF
 * file that ffmpeg decodes, proving what came through the SFU is decodable video.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

/** Encodes `seconds` of testsrc to VP8 IVF with a keyframe every `gop` frames. */
export function encodeTestVp8(file: string, { seconds = 2, fps = 15, gop = 15 } = {}): Buffer[] {
  execFileSync("ffmpeg", [
    "-v", "error", "-y", "-f", "lavfi", "-i", `testsrc=size=320x240:rate=${fps}`, "-t", String(seconds),
    "-c:v", "libvpx", "-g", String(gop), "-keyint_min", String(gop), "-deadline", "realtime", "-b:v", "300k", file,
  ]);
  return readIvf(file);
}

export function readIvf(file: string): Buffer[] {
  const data = readFileSync(file);
  const headerLength = data.readUInt16LE(6);
  const frames: Buffer[] = [];
  for (let at = headerLength; at + 12 <= data.length; ) {
    const size = data.readUInt32LE(at);
    frames.push(data.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return frames;
}

export function writeIvf(file: string, frames: Buffer[], width = 320, height = 240): void {
  const header = Buffer.alloc(32);
  header.write("DKIF", 0);
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(32, 6);
  header.write("VP80", 8);
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(15, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(frames.length, 24);
  const parts: Buffer[] = [header];
  frames.forEach((frame, i) => {
    const h = Buffer.alloc(12);
    h.writeUInt32LE(frame.length, 0);
    h.writeBigUInt64LE(BigInt(i), 4);
    parts.push(h, frame);
  });
  writeFileSync(file, Buffer.concat(parts));
}

/** Whether a whole VP8 frame is a keyframe (bit 0 of its first byte is 0). */
export const isKeyframe = (frame: Buffer) => frame.length > 0 && (frame[0] & 0x01) === 0;

/** RTP payloads of one frame: a one-byte descriptor (S on the first) and ≤ 1000 bytes each. */
export function packetize(frame: Buffer, max = 1000): Buffer[] {
  const payloads: Buffer[] = [];
  for (let at = 0; at < frame.length; at += max) {
    payloads.push(Buffer.concat([Buffer.from([at === 0 ? 0x10 : 0x00]), frame.subarray(at, at + max)]));
  }
  return payloads;
}

/** Length of a VP8 payload descriptor (RFC 7741 §4.2), which the SFU may have extended. */
function descriptorLength(payload: Buffer): number {
  let n = 1;
  if (payload[0] & 0x80) {
    const x = payload[1];
    n = 2;
    if (x & 0x80) n += payload[n] & 0x80 ? 2 : 1;
    if (x & 0x40) n += 1;
    if (x & 0x30) n += 1;
  }
  return n;
}

/** Reassembles frames from RTP packets in arrival order; a frame with a gap is dropped. */
export class Vp8Depacketizer {
  readonly frames: Buffer[] = [];
  #parts: Buffer[] | null = null;
  #lastSeq = -1;

  push(payload: Buffer, sequenceNumber: number, marker: boolean): void {
    const start = (payload[0] & 0x10) !== 0 && (payload[0] & 0x0f) === 0;
    const contiguous = this.#lastSeq >= 0 && ((this.#lastSeq + 1) & 0xffff) === sequenceNumber;
    this.#lastSeq = sequenceNumber;
    if (start) this.#parts = [];
    else if (!contiguous) this.#parts = null;
    if (!this.#parts) return;
    this.#parts.push(payload.subarray(descriptorLength(payload)));
    if (marker) {
      this.frames.push(Buffer.concat(this.#parts));
      this.#parts = null;
    }
  }

  /** Frames from the first keyframe on, the way a decoder joining late would take them. */
  decodable(): Buffer[] {
    const first = this.frames.findIndex(isKeyframe);
    return first < 0 ? [] : this.frames.slice(first);
  }
}

/** How many frames ffmpeg decodes from an IVF file. */
export function decodedFrameCount(file: string): number {
  const out = execFileSync("ffmpeg", ["-v", "error", "-i", file, "-f", "framemd5", "-"], { encoding: "utf8" });
  return out.split("\n").filter((line) => line && !line.startsWith("#")).length;
}
