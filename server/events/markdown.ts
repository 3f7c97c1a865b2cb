/**
 * Event descriptions: organizers write Markdown; what pages show is HTML rendered from it
 * once, on save, and sanitized to a small allow-list (no scripts, styles, frames or event
 * attributes; links only to http, https and mailto, opened without an opener).
 */
import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

// Its own instance: global `marked` options set elsewhere must not change what we store.
const markdown = new Marked({ gfm: true, breaks: false, async: false });

const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: [
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
  ],
  allowedAttributes: { a: ["href", "title", "rel", "target"], th: ["align"], td: ["align"] },
  allowedSchemes: ["http", "https", "mailto"],
  // A description's headings sit under the page's own h1.
  transformTags: {
    h1: "h2",
    a: sanitizeHtml.simpleTransform("a", { rel: "noopener noreferrer nofollow", target: "_blank" }),
  },
};

/** The sanitized HTML for an organizer's Markdown. */
export function renderDescription(source: string): string {
  return sanitizeHtml(markdown.parse(source) as string, ALLOWED);
}
