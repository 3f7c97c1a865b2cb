/**
 * Browser media tests: a mediasoup-client page from test/e2e/fixtures/ bundled with vite,
 * served from a loopback static server that forwards /ws to the real server (so the product
 * gets no test-only route), and Chromium with a fake camera and microphone.
 */
import { createServer } from "node:http";
import { connect } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser.ts";
import { ROOT } from "./server.ts";

export type FixturePage = {
  /** Where the page is served, e.g. http://127.0.0.1:41234. */
  url: string;
  close(): Promise<void>;
};

/** Builds test/e2e/fixtures/<name> and serves it, proxying /ws to `server` without the Origin header. */
export async function serveFixturePage(name: string, server: URL): Promise<FixturePage> {
  const outDir = mkdtempSync(path.join(tmpdir(), `plenary-fixture-${name}-`));
  const { build } = await import("vite");
  await build({
    configFile: false,
    root: path.join(ROOT, "test/e2e/fixtures", name),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, target: "es2022", minify: false },
  });
  const http = createServer((request, response) => {
    const file = new URL(request.url ?? "/", "http://x").pathname;
    const asset = file === "/" ? "index.html" : file.slice(1);
    try {
      const body = readFileSync(path.join(outDir, path.normalize(asset)));
      const type = asset.endsWith(".js") ? "text/javascript" : asset.endsWith(".html") ? "text/html" : "application/octet-stream";
      response.writeHead(200, { "content-type": type }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  http.on("upgrade", (request, socket, head) => {
    const upstream = connect(Number(server.port), server.hostname, () => {
      const headers = Object.entries(request.headers)
        .filter(([k]) => k !== "origin" && k !== "host")
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v}`);
      upstream.write([`GET ${request.url} HTTP/1.1`, `host: ${server.host}`, ...headers, "", ""].join("\r\n"));
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", () => resolve()));
  const { port } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise((resolve) => http.close(resolve));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** launchBrowser's Chromium with the fake camera and microphone (allowed without asking), plus `extraArgs`. */
export function launchMediaBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return launchBrowser(["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", ...extraArgs]);
}
