/**
 * Accounts in a real browser against the real server and a real SMTP server: sign-up,
 * the verification link read from the mail, log-in, the account page, and the admin's
 * people list; on a desktop and at phone width.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, PASSWORD } from "../support/accounts.ts";
import { launchBrowser } from "../support/browser.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

const screenshotDir = path.join(tmpdir(), "plenary-accounts-screenshots");
const phone = { width: 375, height: 740 };

let server: TestServer;
let smtp: TestSmtpServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: smtp.env });
  await firstAdmin(server);
  browser = await launchBrowser();
});

// A step that cannot happen fails with its locator in the message, well before the test timeout.
async function newPage(options: Parameters<Browser["newContext"]>[0] = {}): Promise<Page> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(8_000);
  return context.newPage();
}
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

async function logIn(page: Page, email: string, password: string) {
  await page.goto(`${server.url}/log-in`);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
}

// Real browsers on a shared 2-core machine: generous, since nothing here asserts speed.
describe("accounts in the browser", { timeout: 90_000 }, () => {
  it("signs up at phone width, confirms the address from the e-mail, and logs in", async () => {
    const page = await newPage({ viewport: phone });
    const context = page.context();
    await page.goto(`${server.url}/sign-up`);
    await page.getByLabel("Your name").fill("Bea Browser");
    await page.getByLabel("E-mail address").fill("bea@example.org");
    await page.getByLabel("Password", { exact: true }).fill("password123");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("This password is one of the most common ones").waitFor();

    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    await page.screenshot({ path: path.join(screenshotDir, "phone-sign-up-sent.png"), fullPage: true });

    const mail = await smtp.next("bea@example.org");
    const link = /https?:\/\/\S+\/verify-email\?token=[\w-]+/.exec(mail.text)![0];
    await page.goto(link);
    await page.getByRole("heading", { name: "Address confirmed" }).waitFor();
    await page.getByRole("link", { name: "Log in" }).last().click();

    await page.waitForURL((url) => url.pathname === "/log-in");
    await page.getByLabel("E-mail address").fill("bea@example.org");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/");
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "plenary_session")).toMatchObject({ httpOnly: true, sameSite: "Lax" });

    await page.getByRole("link", { name: "Your account, Bea Browser" }).click();
    await page.getByRole("heading", { name: "Your account" }).waitFor();
    await page.getByText("This device").waitFor();
    // Nothing spills sideways at phone width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: path.join(screenshotDir, "phone-account.png"), fullPage: true });
    await context.close();
  });

  it("shows a wrong password as one message, and saves the profile", async () => {
    const page = await newPage({ viewport: { width: 1280, height: 860 } });
    const context = page.context();
    await logIn(page, "bea@example.org", "not the right password");
    await page.getByRole("alert").getByText("The e-mail address or the password is wrong").waitFor();
    await logIn(page, "bea@example.org", PASSWORD);
    await page.waitForURL((url) => url.pathname === "/");
    await page.goto(`${server.url}/account`);
    await page.getByLabel("About you").fill("Likes browsers");
    await page.getByLabel("Interests").fill("webrtc, design");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.getByText("Saved.").waitFor();
    const me = await page.evaluate(async () => (await (await fetch("/api/account")).json()).user);
    expect(me).toMatchObject({ bio: "Likes browsers", interests: ["webrtc", "design"] });

    await page.getByLabel("Event reminders by e-mail").uncheck();
    await expect.poll(async () =>
      page.evaluate(async () => (await (await fetch("/api/account")).json()).user.notificationPrefs.event_reminder?.email),
    ).toBe(false);

    await page.getByLabel("Token name").fill("export script");
    await page.getByRole("button", { name: "Create token" }).click();
    const token = await page.locator(".token-value").textContent();
    const viaToken = await fetch(`${server.url}/api/account`, { headers: { authorization: `Bearer ${token}` } });
    expect((await viaToken.json()).user.email).toBe("bea@example.org");
    await page.getByRole("button", { name: "Revoke export script" }).click();
    await page.getByRole("button", { name: "Revoke export script" }).waitFor({ state: "detached" });
    expect((await fetch(`${server.url}/api/account`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    await context.close();
  });

  it("lets the admin find and ban a person, whose open page then loses its session", async () => {
    const userPage = await newPage();
    const userContext = userPage.context();
    await logIn(userPage, "bea@example.org", PASSWORD);
    await userPage.waitForURL((url) => url.pathname === "/");

    const page = await newPage({ viewport: { width: 1280, height: 860 } });
    const adminContext = page.context();
    await logIn(page, "admin@example.org", PASSWORD);
    await page.waitForURL((url) => url.pathname === "/");
    await page.goto(`${server.url}/admin`);
    await page.getByRole("searchbox", { name: "Search people" }).fill("bea");
    await page.getByRole("button", { name: "Search" }).click();
    const row = page.getByRole("listitem", { name: "bea@example.org" });
    await row.getByRole("button", { name: "Ban…" }).click();
    await row.getByLabel("Reason (shown to them)").fill("Testing bans");
    await row.getByRole("button", { name: "Ban Bea Browser" }).click();
    await row.getByText("Banned: Testing bans").waitFor();
    await page.screenshot({ path: path.join(screenshotDir, "desktop-admin-people.png"), fullPage: true });
    await page.setViewportSize(phone);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: path.join(screenshotDir, "phone-admin-people.png"), fullPage: true });

    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByText("admin.users.ban").first().waitFor();

    const status = await userPage.evaluate(async () => (await fetch("/api/account")).status);
    expect(status).toBe(401);
    await logIn(userPage, "bea@example.org", PASSWORD);
    await userPage.getByText("This account is banned: Testing bans").waitFor();
    await adminContext.close();
    await userContext.close();
  });
});
