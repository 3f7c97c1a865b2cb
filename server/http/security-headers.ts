/**
 * Security headers on every answer (pages, API, static files, errors); docs/design.md
 * "Security headers" says why each is there and what a proxy in front must keep.
 *
 * Set by hand because @fastify/helmet is not in node_modules yet; `securityHeaders` is the
 * whole policy in one object, so moving to helmet means handing these values to it.
 */
import type { FastifyInstance } from "fastify";
import type { LoadedConfig } from "../config/index.ts";

/** One year, as deploy/Caddyfile had: browsers then refuse plain HTTP to this host. */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/** The header name → value pairs every answer carries. */
export function securityHeaders(config: LoadedConfig): Record<string, string> {
  const publicUrl = config.http.public_url ? new URL(config.http.public_url) : null;
  const storage = storageOrigin(config);
  // 'self' covers ws:/wss: to the page's own host in current browsers (CSP 3); the public
  // URL's socket origin is named too, for the address the page itself was loaded from.
  const socket = publicUrl ? `${publicUrl.protocol === "https:" ? "wss:" : "ws:"}//${publicUrl.host}` : null;
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // No inline script anywhere (client/public/theme-init.js is a file for this reason).
    "script-src": ["'self'"],
    // Solid renders style="" attributes from templates; inline styles cannot run script.
    "style-src": ["'self'", "'unsafe-inline'"],
    // Sponsor logos and speaker photos may be any https address; QR codes and previews use data:/blob:.
    "img-src": ["'self'", "data:", "blob:", "https:", ...(storage ? [storage] : [])],
    // hls.js plays through MediaSource (blob:) and fetches presigned S3 segments.
    "media-src": ["'self'", "blob:", ...(storage ? [storage] : [])],
    "connect-src": ["'self'", ...(socket ? [socket] : []), ...(storage ? [storage] : [])],
    // hls.js runs its demuxer in a worker made from a blob: URL.
    "worker-src": ["'self'", "blob:"],
    "font-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    // No other site may frame the signed-in app (clickjacking). OBS loads overlays as a page, not a frame.
    "frame-ancestors": ["'none'"],
  };
  const csp = Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(" ")}`)
    .join("; ");
  const headers: Record<string, string> = {
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    // For browsers that predate frame-ancestors.
    "x-frame-options": "DENY",
    // Reset tokens and guest-order keys travel in URLs: never hand them to another site.
    "referrer-policy": "no-referrer",
    // A page we open (Stripe, OAuth, shared links) cannot reach back into ours through window.opener.
    "cross-origin-opener-policy": "same-origin",
    // Only our own pages may ask for camera, microphone and screen; nothing asks for the rest.
    "permissions-policy": "camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), geolocation=(), payment=(), usb=()",
  };
  if (publicUrl?.protocol === "https:") headers["strict-transport-security"] = `max-age=${HSTS_MAX_AGE_SECONDS}`;
  return headers;
}

/** The origin presigned recording URLs point to, when recordings live in S3; else null. */
export function storageOrigin(config: LoadedConfig): string | null {
  const s3 = config.storage;
  if (s3.backend !== "s3") return null;
  if (!s3.endpoint) return s3.path_style ? `https://s3.${s3.region}.amazonaws.com` : `https://${s3.bucket}.s3.${s3.region}.amazonaws.com`;
  const endpoint = new URL(s3.endpoint);
  return s3.path_style ? endpoint.origin : `${endpoint.protocol}//${s3.bucket}.${endpoint.host}`;
}

/** Adds the headers to every answer; a route that set one itself (e.g. a narrower CSP) keeps its own. */
export function registerSecurityHeaders(app: FastifyInstance, config: LoadedConfig): void {
  const headers = Object.entries(securityHeaders(config));
  app.addHook("onSend", async (_request, reply) => {
    for (const [name, value] of headers) if (!reply.hasHeader(name)) reply.header(name, value);
  });
}
