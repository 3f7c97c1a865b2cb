/**
 * Link previews for event pages. Crawlers (Facebook, X, LinkedIn, search engines) do not
 * run JavaScript, so GET /events/:slug answers with the web client's index.html carrying
 * the event's Open Graph, Twitter Card and JSON-LD Event markup in its head. Only what an
 * anonymous visitor may see is described (an invite-only event needs its code in the URL);
 * anything else gets the plain page, which tells nothing about whether the event exists.
 */
import { readFile } from "node:fs/promises";
import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { ANONYMOUS } from "../accounts/actor.ts";
import type { DB } from "../db/schema.ts";
import { accessCodeGuard } from "../discovery/access-codes.ts";
import { type PublicEvent, readPublicEvent } from "../discovery/event-page.ts";
import { AppError } from "../errors.ts";
import { IMAGE_SHAPES } from "../events/images.ts";
import { formatMinor } from "../revenue/reports.ts";

const EVENT_PATH = /^\/events\/([a-z0-9][a-z0-9-]{0,119})\/?$/;

/** Escapes text for an HTML attribute value or element content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON for inside a <script> element: `<`, `>` and `&` as \u escapes, so no text in it can
 * close the element or open a comment, and U+2028/2029 escaped for old JSON parsers.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Minor units as the decimal string schema.org and Open Graph expect ("25.00", "1500" for JPY). */
export function decimalAmount(amount: number, currency: string): string {
  return formatMinor(amount, currency);
}

export type SocialMetaOptions = {
  db: Kysely<DB>;
  /** The built web client's index.html. */
  indexFile: string;
};

/** Builds the renderer the SPA fallback asks first: HTML for an event URL, or null for the plain page. */
export function socialMetaRenderer(options: SocialMetaOptions) {
  return async (request: FastifyRequest): Promise<string | null> => {
    if (request.method !== "GET") return null;
    const url = new URL(request.url, "http://x");
    const slug = EVENT_PATH.exec(url.pathname)?.[1];
    if (!slug) return null;
    // A paused address gets previews as if it had sent no code; wrong codes count here too.
    const code = (await accessCodeGuard.wait(options.db, request.ip)) > 0 ? undefined : (url.searchParams.get("code") ?? undefined);
    let event: PublicEvent;
    try {
      event = await readPublicEvent(options.db, ANONYMOUS, slug, code);
    } catch (error) {
      if (!(error instanceof AppError && error.status === 404)) throw error;
      if (code) await accessCodeGuard.wrong(options.db, request.ip);
      return null;
    }
    if (event.accessCode === "rejected") await accessCodeGuard.wrong(options.db, request.ip);
    // Read each time (a few kB): a rebuilt client renames its assets, and a cached copy would point at gone files.
    const template = await readFile(options.indexFile, "utf8");
    const base = await request.server.publicBaseUrl();
    return injectEventHead(template, event, base);
  };
}

/** Puts the event's title, description and markup into the page's head. */
export function injectEventHead(html: string, event: PublicEvent, base: string): string {
  const url = `${base}/events/${event.slug}`;
  // The cover when it is public (an invite-only event's images are for its invitees only), else the app's icon.
  const cover = event.visibility !== "invite_only" ? event.coverUrl : null;
  const image = cover ? `${base}${cover}` : `${base}/icons/icon-512.png`;
  const size = cover ? IMAGE_SHAPES.cover : { width: 512, height: 512 };
  const description = event.summary || `${event.organization.name} on Plenary`;
  const meta: [string, string, string][] = [
    ["name", "description", description],
    ["property", "og:type", "website"],
    ["property", "og:site_name", "Plenary"],
    ["property", "og:title", event.title],
    ["property", "og:description", description],
    ["property", "og:url", url],
    ["property", "og:image", image],
    ["property", "og:image:width", String(size.width)],
    ["property", "og:image:height", String(size.height)],
    ["property", "og:image:alt", event.title],
    ["property", "og:locale", event.language.replace("-", "_")],
    ["name", "twitter:card", cover ? "summary_large_image" : "summary"],
    ["name", "twitter:title", event.title],
    ["name", "twitter:description", description],
    ["name", "twitter:image", image],
  ];
  // Unlisted and invite-only events are for people with the link, not for search engines.
  if (event.visibility !== "public") meta.push(["name", "robots", "noindex"]);
  const tags = [
    `<title>${escapeHtml(event.title)} · Plenary</title>`,
    `<link rel="canonical" href="${escapeHtml(url)}" />`,
    ...meta.map(([attr, key, content]) => `<meta ${attr}="${key}" content="${escapeHtml(content)}" />`),
    `<script type="application/ld+json">${scriptSafeJson(eventJsonLd(event, url, image))}</script>`,
  ].join("\n    ");
  return html
    .replace(/<title>[^<]*<\/title>/, "")
    .replace(/<meta name="description"[^>]*>/, "")
    .replace("</head>", () => `  ${tags}\n  </head>`);
}

const SCHEMA = "https://schema.org/";

/** schema.org Event, as search engines read it for event listings. */
export function eventJsonLd(event: PublicEvent, url: string, image: string): Record<string, unknown> {
  const online = { "@type": "VirtualLocation", url };
  const place = { "@type": "Place", name: event.venueAddress, address: event.venueAddress };
  const speakers = new Map(event.speakers.map((s) => [s.id, s]));
  return {
    "@context": "https://schema.org",
    "@type": "Event",
    name: event.title,
    description: event.summary,
    url,
    image: [image],
    startDate: event.startsAt,
    endDate: event.endsAt,
    inLanguage: event.language,
    eventStatus: SCHEMA + (event.status === "cancelled" ? "EventCancelled" : "EventScheduled"),
    eventAttendanceMode:
      SCHEMA + { online: "OnlineEventAttendanceMode", hybrid: "MixedEventAttendanceMode", in_person: "OfflineEventAttendanceMode" }[event.venueType],
    location: { online, hybrid: [online, place], in_person: place }[event.venueType],
    organizer: { "@type": "Organization", name: event.organization.name },
    performer: [...speakers.values()].map((s) => ({ "@type": "Person", name: s.name })),
    subEvent: event.sessions.map((s) => ({ "@type": "Event", name: s.title, startDate: s.startsAt, endDate: s.endsAt })),
    offers: event.ticketTypes.map((t) => ({
      "@type": "Offer",
      name: t.name,
      price: decimalAmount(t.price, t.currency),
      priceCurrency: t.currency.toUpperCase(),
      availability: SCHEMA + (t.state === "sold_out" ? "SoldOut" : t.state === "on_sale" ? "InStock" : "OutOfStock"),
      url: `${url}/checkout`,
      ...(t.saleStartsAt ? { validFrom: t.saleStartsAt } : {}),
    })),
  };
}
