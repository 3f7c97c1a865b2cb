/**
 * What the web client costs a visitor: the JavaScript (raw and gzip) Chromium downloads to show
 * the event list (/events) and an event page on a cold cache, and the JavaScript of the whole
 * build. Builds the client twice into temporary folders, as configured (split by route) and as
 * one single chunk (`output.codeSplitting: false`, the app before it was split), and loads both
 * against the real server process (seeded with one listed event); the browser's requests for the
 * app's files are answered from the build being measured, its API calls by the server.
 * client/dist is left alone, so browser tests running beside it keep their build.
 *
 *   node bench/client-size.ts
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Route } from "playwright-core";
import { build } from "vite";
import { firstAdmin } from "../test/support/accounts.ts";
import { launchBrowser } from "../test/support/browser.ts";
import { event, openServerDb, organization, write } from "../test/support/seed.ts";
import { ROOT, startServer } from "../test/support/server.ts";

type Size = { files: number; raw: number; gzip: number; names: string[] };
type Variant = { name: string; dir: string };

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".webmanifest": "application/manifest+json",
};

function sizeOf(files: readonly string[]): Size {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  // Chunk names without their content hash, to see what a page pulled in.
  const names = files.map((file) => path.basename(file).replace(/-[\w-]{8}\.js$/, ""));
  return { files: files.length, raw, gzip, names };
}

async function buildClient(name: string, singleChunk: boolean): Promise<Variant> {
  const dir = mkdtempSync(path.join(tmpdir(), `plenary-client-${name}-`));
  await build({
    configFile: path.join(ROOT, "client/vite.config.ts"),
    logLevel: "error",
    build: {
      outDir: dir,
      emptyOutDir: true,
      ...(singleChunk ? { rolldownOptions: { output: { codeSplitting: false } } } : {}),
    },
  });
  return { name, dir };
}

/** Answers the app's own files from `dir` (index.html for app paths) and lets the API through. */
async function serveFrom(dir: string, route: Route) {
  const url = new URL(route.request().url());
  if (url.pathname.startsWith("/api/") || url.pathname === "/healthz") return route.continue();
  let file = path.join(dir, decodeURIComponent(url.pathname));
  const exists = file.startsWith(dir) && statSync(file, { throwIfNoEntry: false })?.isFile();
  if (!exists) {
    if (url.pathname.startsWith("/assets/")) return route.fulfill({ status: 404, body: "missing" });
    file = path.join(dir, "index.html");
  }
  return route.fulfill({ status: 200, body: readFileSync(file), contentType: CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream" });
}

/** The JavaScript files a cold browser fetched to show `pathname` until `ready` is on screen. */
async function jsFor(browser: Browser, origin: string, variant: Variant, pathname: string, ready: string): Promise<Size> {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const scripts = new Set<string>();
  context.on("request", (request) => {
    const url = new URL(request.url());
    if (url.origin === origin && url.pathname.endsWith(".js")) scripts.add(url.pathname);
  });
  await context.route(`${origin}/**`, (route) => serveFrom(variant.dir, route));
  const page = await context.newPage();
  await page.goto(`${origin}${pathname}`);
  await page.getByRole("heading", { level: 1, name: ready }).waitFor({ timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  await context.close();
  return sizeOf([...scripts].map((p) => path.join(variant.dir, p)));
}

function wholeBuild(variant: Variant): Size {
  const assets = path.join(variant.dir, "assets");
  const files = readdirSync(assets).filter((f) => f.endsWith(".js")).map((f) => path.join(assets, f));
  return sizeOf([...files, path.join(variant.dir, "theme-init.js")]);
}

const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;
const row = (label: string, s: Size, names = true) =>
  `${label.padEnd(34)}${String(s.files).padStart(6)}${kB(s.raw).padStart(12)}${kB(s.gzip).padStart(12)}${names ? `   ${s.names.sort().join(" ")}` : ""}`;

const variants = [await buildClient("split", false), await buildClient("single", true)];
const server = await startServer();
let browser: Browser | undefined;
try {
  // Past first-run setup, so the app shows its pages instead of the setup form.
  await firstAdmin(server);
  const db = openServerDb(server.dataDir);
  const org = await write(db, organization());
  const listed = await write(db, event({ organizationId: org.id, title: "Bench Conference" }));
  await db.destroy();

  browser = await launchBrowser();
  const origin = new URL(server.url).origin;
  console.log(`${"JavaScript (cold cache, 375 px)".padEnd(34)}${"files".padStart(6)}${"raw".padStart(12)}${"gzip -9".padStart(12)}`);
  for (const variant of variants) {
    console.log(`-- ${variant.name === "split" ? "split by route (client/vite.config.ts)" : "one chunk (codeSplitting: false)"}`);
    console.log(row("  /events", await jsFor(browser, origin, variant, "/events", "Events")));
    console.log(row(`  /events/${listed.slug}`, await jsFor(browser, origin, variant, `/events/${listed.slug}`, "Bench Conference")));
    console.log(row("  whole build", wholeBuild(variant), false));
  }
} finally {
  await browser?.close();
  await server.stop();
  for (const variant of variants) rmSync(variant.dir, { recursive: true, force: true });
}
