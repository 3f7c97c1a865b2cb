/**
 * Invitations in Debian's Chromium at phone width (375 px): the organizer invites an address
 * from the organization page and sees it listed as invited (no name); the mail arrives in the
 * test SMTP server; the invitee, who has no account, opens the link, signs up with that
 * address, confirms it, logs in, comes back and accepts; the organizer then sees the name.
 * A browser signed in as someone else is told so, and a withdrawn link says it was withdrawn.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, PASSWORD, verifiedUser } from "../support/accounts.ts";
import { launchBrowser } from "../support/browser.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

const phone = { width: 375, height: 812 };
let server: TestServer;
let smtp: TestSmtpServer;
let owner: TestClient;
let browser: Browser;
let orgId = "";

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  await firstAdmin(server);
  owner = await verifiedUser(server, smtp, "owner@example.org", "Olga Owner");
  orgId = (await owner.post("/api/organizations", { name: "Conf Co", slug: "conf-co" })).body.organization.id;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

async function phonePage(client?: TestClient): Promise<Page> {
  const context = await browser.newContext({ viewport: phone });
  context.setDefaultTimeout(20_000);
  if (client) await context.addCookies([{ name: "plenary_session", value: client.cookies.get("plenary_session")!, url: server.url }]);
  return context.newPage();
}

/** The page fits the phone: nothing wider than the viewport. */
async function expectNoSideways(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
}

/** The link of the newest invitation mail to `to`, pointed at the test server. */
async function invitationLink(to: string, subject: string): Promise<string> {
  const mail = await smtp.next(to, (m) => m.subject === subject, 15_000);
  return /https?:\/\/\S+\/invitations\/accept\?token=[\w-]+/.exec(mail.text)![0].replace(/^https?:\/\/[^/]+/, server.url);
}

describe("invitations in the browser", { timeout: 180_000 }, () => {
  it("take a newcomer from the organizer's form through the mail, sign-up and acceptance to the member list", async () => {
    const organizer = await phonePage(owner);
    await organizer.goto(`${server.url}/organize/organizations/${orgId}`);
    await organizer.getByRole("heading", { name: "Members" }).waitFor();
    await organizer.getByLabel("E-mail", { exact: true }).fill("newcomer-with-a-rather-long-address@example.org");
    await organizer.getByRole("combobox", { name: "Role", exact: true }).selectOption("admin");
    await organizer.getByRole("button", { name: "Send invitation" }).click();
    await organizer.getByText("Invitation sent to newcomer-with-a-rather-long-address@example.org.").waitFor();
    const pending = organizer.getByRole("listitem", { name: "Invitation for newcomer-with-a-rather-long-address@example.org" });
    await pending.getByText("Invited", { exact: true }).waitFor();
    await expectNoSideways(organizer);

    // The newcomer has no account: the link offers sign-up with the invited address and brings them back.
    const link = await invitationLink("newcomer-with-a-rather-long-address@example.org", "Join Conf Co on Plenary");
    const invitee = await phonePage();
    await invitee.goto(link);
    await invitee.getByText("Olga Owner invited you to join the organization Conf Co as admin.").waitFor();
    await expectNoSideways(invitee);
    await invitee.getByRole("link", { name: /^Create one with/ }).click();
    expect(await invitee.getByLabel("E-mail address").inputValue()).toBe("newcomer-with-a-rather-long-address@example.org");
    await invitee.getByLabel("Your name").fill("Nora Newcomer");
    await invitee.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await invitee.getByRole("button", { name: "Create account" }).click();
    await invitee.getByRole("heading", { name: "Check your inbox" }).waitFor();
    const verify = await smtp.next("newcomer-with-a-rather-long-address@example.org", (m) => m.subject === "Confirm your e-mail address", 15_000);
    const verifyLink = /https?:\/\/\S+\/verify-email\?token=[\w-]+/.exec(verify.text)![0].replace(/^https?:\/\/[^/]+/, server.url);
    const verifyTab = await invitee.context().newPage();
    await verifyTab.goto(verifyLink);
    await verifyTab.getByRole("heading", { name: "Address confirmed" }).waitFor();
    await verifyTab.close();
    await invitee.getByRole("link", { name: "Go to log in" }).click();
    await invitee.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await invitee.getByRole("button", { name: "Log in", exact: true }).click();
    await invitee.getByRole("button", { name: "Accept invitation" }).click();
    await invitee.getByText("You are now part of Conf Co.").waitFor();
    await invitee.getByRole("link", { name: "Open Conf Co" }).click();
    await invitee.getByRole("heading", { name: "Conf Co" }).waitFor();

    // The organizer now sees the person's name, and the invitation is gone from the pending list.
    await organizer.reload();
    await organizer.getByRole("listitem", { name: "Nora Newcomer" }).waitFor();
    expect(await organizer.getByRole("listitem", { name: /^Invitation for newcomer/ }).count()).toBe(0);
    // The used link says so.
    await invitee.goto(link);
    await invitee.getByText("This invitation was already accepted.").waitFor();
    await organizer.context().close();
    await invitee.context().close();
  });

  it("tells someone signed in with another address to switch, and says when a link was withdrawn", async () => {
    const other = await verifiedUser(server, smtp, "someone-else@example.org", "Sam Else");
    expect((await owner.post(`/api/organizations/${orgId}/invitations`, { email: "invitee@example.org", role: "member" })).status).toBe(202);
    const link = await invitationLink("invitee@example.org", "Join Conf Co on Plenary");
    const page = await phonePage(other);
    await page.goto(link);
    await page.getByText("You are logged in as someone-else@example.org, but this invitation is for invitee@example.org.").waitFor();
    await page.getByRole("button", { name: "Log out and switch account" }).click();
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    expect(await page.getByLabel("E-mail address").inputValue()).toBe("invitee@example.org");

    const organizer = await phonePage(owner);
    await organizer.goto(`${server.url}/organize/organizations/${orgId}`);
    await organizer.getByRole("button", { name: "Withdraw the invitation to invitee@example.org" }).click();
    await organizer.getByText("Invitation to invitee@example.org withdrawn.").waitFor();
    await page.goto(link);
    await page.getByText("The organizer withdrew this invitation.").waitFor();
    await expectNoSideways(page);
    await organizer.context().close();
    await page.context().close();
  });
});
