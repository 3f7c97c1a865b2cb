/**
 * AES-128 HLS encryption done here rather than by ffmpeg (Debian 12's ffmpeg 5.1 refuses
 * "encrypted fmp4"): each media segment is AES-128-CBC with PKCS#7 padding, its IV being
 * its media sequence number (RFC 8216 §5.2, no IV attribute). The init segment holds no
 * media and stays clear, so EXT-X-KEY goes after EXT-X-MAP.
 */
import { createCipheriv } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export function sequenceIv(sequence: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(sequence), 8);
  return iv;
}

/** Encrypts the segments of `playlistFile` in place and adds the EXT-X-KEY line. */
export async function encryptHls(playlistFile: string, key: Buffer, keyUri: string): Promise<void> {
  const lines = (await readFile(playlistFile, "utf8")).split("\n");
  let sequence = Number(/^#EXT-X-MEDIA-SEQUENCE:(\d+)/m.exec(lines.join("\n"))?.[1] ?? 0);
  for (const line of lines) {
    if (!line || line.startsWith("#")) continue;
    const file = path.join(path.dirname(playlistFile), line);
    const cipher = createCipheriv("aes-128-cbc", key, sequenceIv(sequence++));
    await writeFile(file, Buffer.concat([cipher.update(await readFile(file)), cipher.final()]));
  }
  const keyLine = `#EXT-X-KEY:METHOD=AES-128,URI="${keyUri}"`;
  const map = lines.findIndex((l) => l.startsWith("#EXT-X-MAP"));
  const firstSegment = lines.findIndex((l) => l.startsWith("#EXTINF"));
  lines.splice(map >= 0 ? map + 1 : firstSegment, 0, keyLine);
  await writeFile(playlistFile, lines.join("\n"));
}
