/**
 * Playback links: short-lived HMAC-signed paths (`/api/recordings/media/<token>/<file>`)
 * for the playlist, the AES-128 key, the segments (local store) and the poster and MP4.
 * The playlist is always served by this server, so it can point segments at presigned
 * store URLs (S3) or at signed routes (local), and hand the key only to whoever holds a
 * valid link. (A trim cuts the stored files themselves: server/recordings/processing.ts.) Full DRM (Widevine, FairPlay) would replace the
 * key route with a license server (a commercial service) and is out of scope.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors.ts";

export type LinkScope = "watch" | "download";

export class PlaybackSigner {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  /** The secret from `<keysDir>/recording-links.key`, made at first use. */
  static async load(keysDir: string): Promise<PlaybackSigner> {
    const file = path.join(keysDir, "recording-links.key");
    const existing = await readFile(file).catch(() => null);
    if (existing && existing.length >= 32) return new PlaybackSigner(existing);
    const secret = randomBytes(32);
    await mkdir(keysDir, { recursive: true });
    await writeFile(file, secret, { mode: 0o600 });
    return new PlaybackSigner(secret);
  }

  sign(recordingId: string, scope: LinkScope, expiresAt: number): string {
    const body = `${recordingId}.${scope}.${Math.floor(expiresAt / 1000)}`;
    return `${body}.${this.#mac(body)}`;
  }

  /** The recording and scope of a valid, unexpired token; else a 403 (link_expired). */
  verify(token: string, now = Date.now()): { recordingId: string; scope: LinkScope } {
    const parts = token.split(".");
    if (parts.length !== 4) throw invalid();
    const [recordingId, scope, expires, mac] = parts;
    const expected = Buffer.from(this.#mac(`${recordingId}.${scope}.${expires}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    if (Number(expires) * 1000 < now) throw invalid();
    if (scope !== "watch" && scope !== "download") throw invalid();
    return { recordingId, scope };
  }

  #mac(body: string): string {
    return createHmac("sha256", this.#secret).update(body).digest("base64url");
  }
}

function invalid(): AppError {
  return AppError.forbidden("link_expired", "This playback link is invalid or has expired; reload the page");
}

/** Files a link may fetch: name → where it lives under the recording's store prefix. */
export function storedPathOf(file: string): string | null {
  if (file === "index.m3u8" || file === "init.mp4" || /^seg_\d{4,6}\.m4s$/.test(file)) return `hls/${file}`;
  if (file === "poster.jpg" || file === "program.mp4" || file === "chapters.vtt" || file === "activity.vtt" || file === "sidecar.json") return file;
  return null;
}

export const CONTENT_TYPES: Record<string, string> = {
  m3u8: "application/vnd.apple.mpegurl",
  mp4: "video/mp4",
  m4s: "video/iso.segment",
  jpg: "image/jpeg",
  vtt: "text/vtt; charset=utf-8",
  json: "application/json",
};

/** Rewrites a stored playlist for one viewer: segment and init URIs through `uriOf`, the key placeholder to `keyUri`. */
export async function rewritePlaylist(
  playlist: string,
  options: { keyPlaceholder: string; keyUri: string; uriOf: (file: string) => Promise<string> },
): Promise<string> {
  const lines = playlist.split("\n");
  const header: string[] = [];
  const segments: { lines: string[] }[] = [];
  let pending: string[] = [];
  for (const line of lines) {
    if (!line.trim() || line.startsWith("#EXT-X-ENDLIST")) continue;
    if (line.startsWith("#EXTINF")) pending.push(line);
    else if (!line.startsWith("#")) {
      segments.push({ lines: [...pending, line] });
      pending = [];
    } else if (segments.length === 0 && pending.length === 0) header.push(line);
    else pending.push(line);
  }
  const out: string[] = [];
  for (const line of header) {
    if (line.startsWith("#EXT-X-MAP")) out.push(line.replace(/URI="([^"]+)"/, (_, uri: string) => `URI="\u0000${uri}\u0000"`));
    else if (line.startsWith("#EXT-X-KEY")) out.push(line.replace(`URI="${options.keyPlaceholder}"`, `URI="${options.keyUri}"`));
    else out.push(line);
  }
  for (const s of segments) for (const line of s.lines) out.push(line.startsWith("#") ? line : `\u0000${line}\u0000`);
  out.push("#EXT-X-ENDLIST", "");
  // Resolve every URI (marked with NULs above) through uriOf, in parallel.
  const text = out.join("\n");
  const uris = [...new Set([...text.matchAll(/\u0000([^\u0000]+)\u0000/g)].map((m) => m[1]))];
  const resolved = new Map(await Promise.all(uris.map(async (u) => [u, await options.uriOf(u)] as const)));
  return text.replace(/\u0000([^\u0000]+)\u0000/g, (_, u: string) => resolved.get(u) ?? u);
}

/** Parses a single `bytes=` range against `size`; null for none or unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | "invalid" | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return "invalid";
  let start: number;
  let end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? "invalid" : { start, end };
}
