/**
 * Security headers on every answer (pages, API, static files, errors), set by @fastify/helmet
 * from the policy below; docs/design.md "Security headers" says why each is there and what a
 * proxy in front must keep. Helmet has no Permissions-Policy, so that one is a hook of ours.
 */
import helmet, { type FastifyHelmetOptions } from "@fastify/helmet";
import type { FastifyInstance } from "fastify";
import type { LoadedConfig } from "../config/index.ts";

/** One year, as deploy/Caddyfile had: browsers then refuse plain HTTP to this host. */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/** The Content-Security-Policy directives, by name. */
export function cspDirectives(config: LoadedConfig): Record<string, string[]> {
  const publicUrl = config.http.public_url ? new URL(config.http.public_url) : null;
  const storage = storageOrigin(config);
  // 'self' covers ws:/wss: to the page's own host in current browsers (CSP 3); the public
  // URL's socket origin is named too, for the address the page itself was loaded from.
  const socket = publicUrl ? `${publicUrl.protocol === "https:" ? "wss:" : "ws:"}//${publicUrl.host}` : null;
  return {
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
}

/** Only our own pages may ask for camera, microphone and screen; nothing asks for the rest. */
export const PERMISSIONS_POLICY =
  "camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), geolocation=(), payment=(), usb=()";

/** What helmet sets, from the configuration. */
export function helmetOptions(config: LoadedConfig): FastifyHelmetOptions {
  const https = config.http.public_url?.startsWith("https:") ?? false;
  return {
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(config) },
    // A page we open (Stripe, OAuth, shared links) cannot reach back into ours through window.opener.
    crossOriginOpenerPolicy: { policy: "same-origin" },
    // Mail clients and link previews load our images (logos, covers) from other origins.
    crossOriginResourcePolicy: false,
    // X-Frame-Options for browsers that predate frame-ancestors.
    frameguard: { action: "deny" },
    // Reset tokens and guest-order keys travel in URLs: never hand them to another site.
    referrerPolicy: { policy: "no-referrer" },
    // Only when people reach us over https; deploy/Caddyfile sends the same value.
    strictTransportSecurity: https ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: false } : false,
    xContentTypeOptions: true,
  };
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
  app.register(helmet, helmetOptions(config));
  app.addHook("onRequest", async (_request, reply) => {
    reply.header("permissions-policy", PERMISSIONS_POLICY);
  });
}
