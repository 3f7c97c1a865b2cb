/**
 * The room as a host and an attendee see it, in Debian's Chromium with fake devices (and no
 * emoji font, like many Linux desktops): on a phone the toolbar keeps one row and folds the
 * rest behind an accessible "More"; each role gets only the controls it can use; the poll
 * composer folds away once a poll is created; reactions and the raised hand are drawn, not
 * left to a font; and the chat panel's controls and hidden report dialog have proper names.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { join, launchRoomBrowser, openRoom, type RoomPage } from "../support/room-browser.ts";
import { RoomFixture, type RoomPerson } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";

const PHONE = { width: 375, height: 812 };
const SHOTS = process.env.PLENARY_SCREENSHOTS; // a folder: the test saves what it checked, to look at
const SLOW = 180_000;

let server: TestServer;
let fixture: RoomFixture;
let browser: Browser;
const pages: RoomPage[] = [];

beforeAll(async () => {
  server = await startServer();
  fixture = await RoomFixture.create(server);
  browser = await launchRoomBrowser();
}, 120_000);
// Each page sends fake video: close them between tests, the machine's two cores are shared.
afterEach(async () => {
  for (const p of pages.splice(0)) await p.context.close();
});
afterAll(async () => {
  await browser?.close();
  await fixture?.close();
  await server?.stop();
});

async function open(person: RoomPerson, session: string, viewport?: { width: number; height: number }): Promise<RoomPage> {
  const room = await openRoom(browser, server.url, person, session, viewport);
  pages.push(room);
  return room;
}
const host = (name: string) => fixture.coHost(name);
const attendee = (name: string) => fixture.attendee(name);
async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}
const toolbar = (page: Page) => page.getByRole("navigation", { name: "Room controls" });

describe("the room's controls", () => {
  it("keeps a host's phone toolbar to one row, with the rest under an accessible More", async () => {
    const session = await fixture.session();
    const { page } = await open(await host("Hana Host"), session, PHONE);
    await join({ page } as RoomPage);
    await shot(page, "room-host-375");
    const bar = (await toolbar(page).boundingBox())!;
    expect(bar.height, "one row of buttons").toBeLessThan(72);
    expect(bar.width).toBeLessThanOrEqual(PHONE.width);
    // A host is on stage already: no hand to raise.
    expect(await page.getByRole("button", { name: /Raise hand|Lower hand/ }).count()).toBe(0);

    const more = toolbar(page).getByRole("button", { name: "More", exact: true });
    expect(await more.getAttribute("aria-expanded")).toBe("false");
    await more.click();
    expect(await more.getAttribute("aria-expanded")).toBe("true");
    const menu = page.locator(`#${await more.getAttribute("aria-controls")}`);
    for (const name of ["Share screen", "People", "Chat", "End for all"]) await menu.getByRole("button", { name, exact: true }).waitFor();
    await shot(page, "room-host-375-more");
    const box = (await menu.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await page.keyboard.press("Escape");
    expect(await more.getAttribute("aria-expanded")).toBe("false");
    expect(await more.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await menu.isVisible()).toBe(false);

    // A control in the menu works, and closes the menu.
    await more.click();
    await menu.getByRole("button", { name: "Chat", exact: true }).click();
    await page.getByRole("tab", { name: "Polls" }).waitFor();
    expect(await more.getAttribute("aria-expanded")).toBe("false");
  }, SLOW);

  it("gives an attendee on a phone their hand and the chat, no stage controls, and draws the hand and reactions", async () => {
    const session = await fixture.session();
    const h = await open(await host("Hugo Host"), session);
    await join(h);
    const room = await open(await attendee("Abe Audience"), session, PHONE);
    await join(room);
    const { page } = room;
    for (const name of ["Raise hand", "Chat", "Leave", "More"]) await toolbar(page).getByRole("button", { name, exact: true }).waitFor();
    for (const name of ["Mute", "Unmute", "Stop video", "Share screen", "End for all"]) expect(await page.getByRole("button", { name, exact: true }).count(), name).toBe(0);
    expect((await toolbar(page).boundingBox())!.height).toBeLessThan(72);

    // The raised hand and the reactions are drawn, so they read without an emoji font.
    await toolbar(page).getByRole("button", { name: "Raise hand" }).click();
    await toolbar(page).getByRole("button", { name: "Lower hand" }).waitFor();
    await toolbar(h.page).getByRole("button", { name: /^People/ }).click();
    const badge = h.page.getByRole("complementary", { name: "People" }).locator(".tile__badge--hand").first();
    await badge.waitFor();
    expect(await badge.locator("svg").count()).toBe(1);
    expect((await badge.innerText()).trim(), "no glyph left to a font").toMatch(/^\d*$/);
    await shot(h.page, "room-host-1280-people");
    await toolbar(page).getByRole("button", { name: "Chat", exact: true }).click();
    const reactions = page.getByRole("group", { name: "Send a reaction" });
    await reactions.getByRole("button", { name: "Send thumbs up" }).waitFor();
    const drawn = await reactions.getByRole("button").evaluateAll((buttons) => buttons.map((b) => ({ name: b.getAttribute("aria-label"), svg: b.querySelector("svg") !== null, text: b.textContent?.trim() ?? "" })));
    expect(drawn.length).toBeGreaterThanOrEqual(6);
    for (const button of drawn) {
      expect(button.svg, `${button.name} is drawn`).toBe(true);
      expect(button.text, `${button.name} has no glyph left to a font`).toBe("");
      expect(button.name).not.toMatch(/\p{Extended_Pictographic}/u);
    }
    await shot(page, "room-attendee-375-chat");
  }, SLOW);

  it("folds the poll composer away once the poll is created, and names the chat's controls", async () => {
    const session = await fixture.session();
    const { page } = await open(await host("Polly Host"), session);
    await join({ page } as RoomPage);
    await toolbar(page).getByRole("button", { name: "Chat", exact: true }).click();

    // The report dialog is in the page before any message is chosen; its name must still read.
    const dialogName = await page.locator("dialog.report-dialog").evaluate((dialog) => document.getElementById(dialog.getAttribute("aria-labelledby")!)?.textContent?.trim());
    expect(dialogName).toBe("Report a message");
    // No two controls in the panel share a name, and none is a bare "Message".
    const names = await page.locator(".room-side input:visible, .room-side textarea:visible").evaluateAll((fields) =>
      fields.map((f) => (f.id ? document.querySelector(`label[for="${f.id}"]`)?.textContent?.trim() : f.closest("label")?.textContent?.trim()) ?? ""));
    expect(names).not.toContain("Message");
    expect(names.filter((n) => n).length).toBe(new Set(names.filter((n) => n)).size);

    await page.getByRole("tab", { name: "Polls" }).click();
    const panel = page.getByRole("tabpanel", { name: "Polls" });
    await panel.getByText("New poll").click();
    await panel.getByLabel("Question").fill("Which track next?");
    await panel.getByLabel("Option 1").fill("Media");
    await panel.getByLabel("Option 2").fill("Security");
    await panel.getByLabel("Multiple choice").check();
    await panel.getByRole("button", { name: "Create poll" }).click();
    const created = panel.getByTestId("poll").filter({ hasText: "Which track next?" });
    await created.waitFor();
    await shot(page, "room-host-1280-polls");
    expect(await panel.locator("details.engage-composer").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await panel.getByLabel("Question").isVisible()).toBe(false);
    // The new poll is in view inside the panel, not pushed below it.
    const poll = (await created.boundingBox())!;
    const side = (await page.locator(".room__panel").boundingBox())!;
    expect(poll.y + poll.height).toBeLessThanOrEqual(side.y + side.height);
    // Opened again, the composer is empty.
    await panel.getByText("New poll").click();
    expect(await panel.getByLabel("Question").inputValue()).toBe("");
    expect(await panel.getByLabel("Multiple choice").isChecked()).toBe(false);
  }, SLOW);
});
