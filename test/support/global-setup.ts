/** Builds the web client once before the suite when it has not been built yet. */
import { existsSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./server.ts";

export default async function setup() {
  if (existsSync(path.join(ROOT, "client/dist/index.html"))) return;
  const { build } = await import("vite");
  await build({ configFile: path.join(ROOT, "client/vite.config.ts"), logLevel: "warn" });
}
