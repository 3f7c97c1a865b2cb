/**
 * The web app against the real server in a real browser: first-run setup, the
 * shell and its navigation, the live connection, themes, and the phone layout.
 * Needs the client built into client/dist (`npm run build`) before it runs.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser.ts";
import { startServer, type TestServer } from "../support/server.ts";

// Screenshots for a human (or a reviewer) to look at; nothing compares them.
const screenshotDir = path.join(tmpdir(), "plenary-app-shell-screenshots");
const desktop = { width: 1280, height: 860 };
const phone = { width: 375, height: 740 };
const admin = { name: "Ada Admin", email: "ada@example.org", password: "correct horse battery" };

let server: TestServer;
let browser: Browser;
let desktopContext: BrowserContext;

async function newPage(viewport: { width: number; height: number }, context?: BrowserContext): Promise<Page> {
  const ctx = context ?? (await browser.newContext({ viewport, colorScheme: "light" }));
  const page = await ctx.newPage();
  await page.setViewportSize(viewport);
  return page;
}

/** Loads a page the way a visitor would, and fails at once if the server did not serve the app. */
async function open(page: Page, pathname: string) {
  const response = await page.goto(`${server.url}${pathname}`);
  expect(response?.status(), `GET ${pathname}`).toBe(200);
}

async function fillAccount(page: Page, fields: { password: string; confirm: string }) {
  await page.getByLabel("Your name").fill(admin.name);
  await page.getByLabel("E-mail address").fill(admin.email);
  await page.getByLabel("Password", { exact: true }).fill(fields.password);
  await page.getByLabel("Confirm password").fill(fields.confirm);
}

async function setupStatus(): Promise<{ needsFirstRun: boolean; publicUrl: string | null }> {
  const response = await fetch(`${server.url}/api/setup/status`);
  return (await response.json()) as { needsFirstRun: boolean; publicUrl: string | null };
}

beforeAll(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
  desktopContext = await browser.newContext({ viewport: desktop, colorScheme: "light" });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("app shell", () => {
  it("sends every page of a fresh server to first-run setup", async () => {
    expect(server.setupToken).toBeTruthy();
    const page = await newPage(desktop, desktopContext);
    await open(page, "/organize");
    await page.waitForURL((url) => url.pathname === "/setup");
    await page.getByRole("heading", { level: 1, name: "Welcome to Plenary" }).waitFor();
    // Without the console link, the page asks for the code by hand.
    await page.getByLabel("Setup code").waitFor();
    expect(await page.getByLabel("Public address").inputValue()).toBe(server.url);
    // No navigation to places that would only bounce back here.
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    await page.screenshot({ path: path.join(screenshotDir, "desktop-setup.png"), fullPage: true });

    const phonePage = await newPage(phone);
    await open(phonePage, `/setup?token=${server.setupToken}`);
    await phonePage.getByText("Using the setup code from your link").waitFor();
    await phonePage.screenshot({ path: path.join(screenshotDir, "phone-setup.png"), fullPage: true });
    await phonePage.context().close();
    await page.close();
  });

  it("shows a field error for mismatched passwords without creating anyone", async () => {
    const page = await newPage(desktop, desktopContext);
    await open(page, "/setup");
    await page.getByLabel("Setup code").fill(server.setupToken!);
    await fillAccount(page, { password: admin.password, confirm: "something else entirely" });
    await page.getByRole("button", { name: "Create admin account" }).click();

    const confirm = page.getByLabel("Confirm password");
    await page.getByText("The passwords don't match.").waitFor();
    expect(await confirm.getAttribute("aria-invalid")).toBe("true");
    // The message is announced with the input it belongs to.
    const describedBy = (await confirm.getAttribute("aria-describedby")) ?? "";
    const messageId = await page.getByText("The passwords don't match.").getAttribute("id");
    expect(describedBy.split(" ")).toContain(messageId);
    // Focus goes where the problem is.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("confirm-password");
    expect((await setupStatus()).needsFirstRun).toBe(true);
    await page.screenshot({ path: path.join(screenshotDir, "desktop-setup-errors.png"), fullPage: true });
    await page.close();
  });

  it("reports a wrong setup code from the server next to the code", async () => {
    const page = await newPage(desktop, desktopContext);
    await open(page, "/setup?token=not-the-real-token");
    await page.getByText("Using the setup code from your link").waitFor();
    await fillAccount(page, { password: admin.password, confirm: admin.password });
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/setup/first-run"));
    await page.getByRole("button", { name: "Create admin account" }).click();
    expect((await answer).status()).toBe(403);

    // The bad code from the link becomes an editable field carrying the error.
    const code = page.getByLabel("Setup code");
    await page.getByText("This setup code isn't valid").waitFor();
    expect(await code.getAttribute("aria-invalid")).toBe("true");
    expect(await code.inputValue()).toBe("not-the-real-token");
    expect((await setupStatus()).needsFirstRun).toBe(true);
    await page.close();
  });

  it("creates the admin with the console's link and confirms it", async () => {
    const page = await newPage(desktop, desktopContext);
    await open(page, `/setup?token=${server.setupToken}`);
    await fillAccount(page, { password: admin.password, confirm: admin.password });
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/setup/first-run"));
    await page.getByRole("button", { name: "Create admin account" }).click();
    expect((await answer).status()).toBe(201);

    await page.getByRole("heading", { level: 1, name: "You're set up" }).waitFor();
    expect(await page.locator(".setup-done").textContent()).toContain(admin.email);
    expect(await setupStatus()).toMatchObject({ needsFirstRun: false, publicUrl: server.url });
    // Signed in already: nobody should have to type the password they just chose.
    const cookie = (await desktopContext.cookies(server.url)).find((c) => c.name === "plenary_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    const account = await page.request.get(`${server.url}/api/account`);
    expect(account.status()).toBe(200);
    expect((await account.json()).user).toMatchObject({ email: admin.email, role: "admin" });
    expect(await page.locator(".setup-done").textContent()).toContain("You're signed in");
    await page.screenshot({ path: path.join(screenshotDir, "desktop-setup-done.png"), fullPage: true });

    await page.getByRole("link", { name: "Go to Plenary home" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.close();
  });

  it("shows the shell with navigation and a live connection once set up", async () => {
    const page = await newPage(desktop, desktopContext);
    await open(page, "/setup");
    // Setup is done, so /setup goes home.
    await page.waitForURL((url) => url.pathname === "/");

    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.waitFor();
    expect(await nav.getByRole("link").allTextContents()).toEqual(["Events", "My tickets", "Organize", "Admin"]);
    expect(await nav.getByRole("link", { name: "Events" }).getAttribute("aria-current")).toBe("page");
    await page.getByRole("heading", { level: 1, name: "Events" }).waitFor();
    expect(await page.getByRole("banner").count()).toBe(1);
    expect(await page.getByRole("main").count()).toBe(1);
    expect(await page.getByRole("contentinfo").count()).toBe(1);

    const status = page.locator("[data-realtime-status]");
    await page.locator('[data-realtime-status="open"]').waitFor();
    expect(await status.textContent()).toContain("Connected");

    await nav.getByRole("link", { name: "Organize" }).click();
    await page.getByRole("heading", { level: 1, name: "Organize" }).waitFor();
    expect(await nav.getByRole("link", { name: "Organize" }).getAttribute("aria-current")).toBe("page");
    // Client-side navigation keeps the same socket.
    expect(await status.getAttribute("data-realtime-status")).toBe("open");

    await open(page, "/");
    await page.locator('[data-realtime-status="open"]').waitFor();
    // The skip link is the first stop for keyboard users and lands in main.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
    await page.screenshot({ path: path.join(screenshotDir, "desktop-home-light.png"), fullPage: true });

    await open(page, "/no-such-page");
    await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
    await page.close();
  });

  it("switches to the dark theme and remembers it across reloads", async () => {
    const page = await newPage(desktop, desktopContext);
    await open(page, "/");
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    // The context prefers light, and no choice is stored yet.
    expect(await theme()).toBe("light");

    const toggle = page.getByRole("button", { name: "Dark theme" });
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    await toggle.click();
    expect(await theme()).toBe("dark");
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");

    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Events" }).waitFor();
    expect(await theme()).toBe("dark");
    await page.locator('[data-realtime-status="open"]').waitFor();
    await page.screenshot({ path: path.join(screenshotDir, "desktop-home-dark.png"), fullPage: true });

    await page.getByRole("button", { name: "Dark theme" }).click();
    expect(await theme()).toBe("light");
    await page.close();
  });

  it("puts the navigation behind a menu button on a phone", async () => {
    const page = await newPage(phone);
    await open(page, "/");
    await page.getByRole("heading", { level: 1, name: "Events" }).waitFor();

    const menu = page.getByRole("button", { name: "Menu" });
    const ticketsLink = page.getByRole("link", { name: "My tickets" });
    expect(await menu.isVisible()).toBe(true);
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await ticketsLink.isVisible()).toBe(false);
    // Nothing may stick out sideways on a narrow screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await page.locator('[data-realtime-status="open"]').waitFor();
    await page.screenshot({ path: path.join(screenshotDir, "phone-home.png"), fullPage: true });

    await menu.click();
    expect(await menu.getAttribute("aria-expanded")).toBe("true");
    await ticketsLink.waitFor({ state: "visible" });
    // Keyboard users go straight from the button into the list it opened.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Events");
    await page.waitForTimeout(300); // Let the opening animation finish for the screenshot.
    await page.screenshot({ path: path.join(screenshotDir, "phone-menu-open.png") });

    // Escape closes it and gives focus back to the button.
    await page.keyboard.press("Escape");
    await ticketsLink.waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-controls"))).toBe("main-nav-list");

    await menu.click();
    await ticketsLink.click();
    // My tickets needs an account: a visitor lands on log-in, sent back to their tickets after.
    await page.waitForURL((url) => url.pathname === "/log-in" && url.searchParams.get("next") === "/tickets");
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    await page.context().close();
  });
});
