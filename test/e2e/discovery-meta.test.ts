/**
 * Link previews: the raw HTML of /events/:slug, fetched without running any JavaScript the way
 * crawlers do, carries Open Graph, Twitter Card and JSON-LD Event markup, escaped so that an
 * organizer's text can neither break out of an attribute nor close the JSON-LD script.
 */
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../server/db/schema.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { inDays, openServerDb, seedEvent, seedOrganization } from "./discovery-seed.ts";

let server: TestServer;
let db: Kysely<DB>;

const NASTY = `Tom & Jerry's "Live" </script><script>alert(1)</script> <b>`;
const startsAt = inDays(9);

beforeAll(async () => {
  server = await startServer();
  db = openServerDb(server.dataDir);
  const org = await seedOrganization(db, "Acme <Events>", "acme");
  await seedEvent(db, org, {
    slug: "nasty-title", title: NASTY, summary: "Fun \u2028 for <all> & everyone", startsAt,
    sessions: [{ title: "Keynote", startsAt, endsAt: inDays(9.05), speakers: ["Ana"] }],
    ticketTypes: [{ name: "Standard", price: 2_550 }, { name: "Free", price: 0 }, { name: "Secret", price: 100, hidden: true }],
  });
  await seedEvent(db, org, { slug: "quiet-draft", title: "Quiet draft", status: "draft", startsAt });
  await seedEvent(db, org, { slug: "by-link", title: "By link", visibility: "unlisted", startsAt });
  await seedEvent(db, org, { slug: "members-only", title: "Members only", visibility: "invite_only", accessCode: "LETMEIN", startsAt });
});

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

async function page(path: string, accept = "text/html") {
  const response = await fetch(server.url + path, { headers: { accept } });
  return { status: response.status, type: response.headers.get("content-type"), html: await response.text() };
}

const metaContent = (html: string, key: string) =>
  new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)" />`).exec(html)?.[1];
const jsonLd = (html: string) => {
  const scripts = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)];
  expect(scripts).toHaveLength(1);
  return JSON.parse(scripts[0][1]);
};

describe("event pages for crawlers", () => {
  it("carry Open Graph, Twitter Card and a JSON-LD Event, all escaped", async () => {
    const { status, type, html } = await page("/events/nasty-title");
    expect(status).toBe(200);
    expect(type).toContain("text/html");
    // Still the web client: its script tag is there for browsers.
    expect(html).toContain('<div id="app"></div>');
    const escaped = "Tom &#38; Jerry&#39;s &#34;Live&#34; &#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62; &#60;b&#62;";
    expect(metaContent(html, "og:title")).toBe(escaped);
    expect(metaContent(html, "twitter:title")).toBe(escaped);
    expect(metaContent(html, "twitter:card")).toBe("summary");
    expect(metaContent(html, "og:url")).toBe(`${server.url}/events/nasty-title`);
    expect(metaContent(html, "og:description")).toContain("&#60;all&#62; &#38; everyone");
    expect(html).toContain(`<title>${escaped} · Plenary</title>`);
    expect(html.match(/<title>/g)).toHaveLength(1);
    expect(html.match(/<meta name="description"/g)).toHaveLength(1);
    // The organizer's text never closes a tag: the only script elements are ours.
    expect(html).not.toContain("<script>alert(1)");
    expect(html.match(/<\/script>/g)!.length).toBe(html.match(/<script[ >]/g)!.length);
    // A raw line separator inside a script breaks older JSON-in-JS parsers; it goes in escaped.
    expect(/<script type="application\/ld\+json">([^<]*)</.exec(html)![1]).not.toContain("\u2028");
    expect(html).toContain("Fun \\u2028 for");

    const ld = jsonLd(html);
    expect(ld).toMatchObject({
      "@context": "https://schema.org",
      "@type": "Event",
      name: NASTY,
      startDate: startsAt,
      eventStatus: "https://schema.org/EventScheduled",
      eventAttendanceMode: "https://schema.org/OnlineEventAttendanceMode",
      location: { "@type": "VirtualLocation", url: `${server.url}/events/nasty-title` },
      organizer: { "@type": "Organization", name: "Acme <Events>" },
      performer: [{ "@type": "Person", name: "Ana" }],
      subEvent: [{ "@type": "Event", name: "Keynote", startDate: startsAt }],
    });
    // Hidden ticket types are not advertised.
    expect(ld.offers.map((o: { name: string; price: string; priceCurrency: string }) => [o.name, o.price, o.priceCurrency])).toEqual([
      ["Standard", "25.50", "EUR"],
      ["Free", "0.00", "EUR"],
    ]);
  });

  it("answers crawlers that do not ask for HTML", async () => {
    const { status, html } = await page("/events/nasty-title", "*/*");
    expect(status).toBe(200);
    expect(jsonLd(html)["@type"]).toBe("Event");
  });

  it("describes nothing a stranger may not see", async () => {
    for (const path of ["/events/quiet-draft", "/events/members-only", "/events/members-only?code=WRONG", "/events/no-such-event"]) {
      const { status, html } = await page(path);
      expect(status, path).toBe(200);
      expect(html, path).not.toContain("og:title");
      expect(html, path).not.toContain("application/ld+json");
      expect(html, path).toContain("<title>Plenary</title>");
    }
  });

  it("keeps unlisted and invite-only events out of search engines", async () => {
    const unlisted = await page("/events/by-link");
    expect(metaContent(unlisted.html, "og:title")).toBe("By link");
    expect(metaContent(unlisted.html, "robots")).toBe("noindex");
    const invited = await page("/events/members-only?code=LETMEIN");
    expect(metaContent(invited.html, "og:title")).toBe("Members only");
    expect(metaContent(invited.html, "robots")).toBe("noindex");
    // The canonical URL does not carry the access code.
    expect(metaContent(invited.html, "og:url")).toBe(`${server.url}/events/members-only`);
    expect(metaContent((await page("/events/nasty-title")).html, "robots")).toBeUndefined();
  });
});
