/**
 * Debian's Chromium, launched for browser tests the one way the team runs it: without its
 * sandbox, and without background traffic (component updates, sync and other background
 * requests), so a test's network is only what its pages ask for.
 */
import { type Browser, chromium } from "playwright-core";

// The flags every test browser gets; media and room browsers add theirs.
const BASE_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Chromium at /usr/bin/chromium with the base flags, plus `extraArgs`. */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: [...BASE_ARGS, ...extraArgs] });
}
