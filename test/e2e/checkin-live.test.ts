/**
 * Live check-in counts over the realtime socket: a team member watching the event's
 * dashboard is pushed the counts after each scan, online or synced from an offline queue,
 * and a replayed queue pushes nothing new; people outside the team cannot watch.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifiedUser } from "../support/accounts.ts";
import { EventFixture } from "../support/event-fixture.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";
import { type Frame, TestSocket } from "../support/ws-client.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let fixture: EventFixture;
let owner: TestClient, moderator: TestClient, staff: TestClient, outsider: TestClient;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  // One at a time: parallel sign-ups (password hashing) on a loaded machine can outlast the mail wait.
  owner = await verifiedUser(server, smtp, "owner@example.org");
  moderator = await verifiedUser(server, smtp, "moderator@example.org");
  staff = await verifiedUser(server, smtp, "staff@example.org");
  outsider = await verifiedUser(server, smtp, "outsider@example.org");
  fixture = new EventFixture(server);
}, 120_000);
afterAll(async () => {
  for (const socket of sockets) socket.close();
  fixture?.close();
  await server?.stop();
  await smtp?.close();
});

const scan = (code: string) => ({ nonce: randomUUID(), scannedAt: new Date().toISOString(), code });
async function socketOf(client: TestClient): Promise<TestSocket> {
  const socket = await TestSocket.open(server.url, { headers: { cookie: client.cookieHeader, origin: server.url } });
  sockets.push(socket);
  return socket;
}
const countsPushes = (socket: TestSocket) => socket.frames.filter((f) => f.t === "checkin.counts");

describe("live check-in counts", () => {
  it("are pushed to team members watching the dashboard after every scan, online or synced", async () => {
    const { eventId } = fixture.event("owner@example.org", "Live Door Conf");
    fixture.teamMember(eventId, "moderator@example.org", "moderator");
    fixture.teamMember(eventId, "staff@example.org", "check_in_staff");
    const type = fixture.ticketType(eventId, "General");
    const [ada, bob, cleo] = ["Ada", "Bob", "Cleo"].map((name) => fixture.ticket(eventId, type, name, `${name.toLowerCase()}@example.org`));
    const door = (await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Main entrance" })).body.list;
    const workshop = (await owner.post(`/api/events/${eventId}/checkin-lists`, { name: "Workshop" })).body.list;

    const watcher = await socketOf(moderator);
    const watched = await watcher.request("checkin.watch", { eventId });
    expect(watched).toMatchObject({ t: "ok", data: { eventId, checkedIn: 0, lists: [{ id: door.id, checkedIn: 0, expected: 3 }, { id: workshop.id, checkedIn: 0, expected: 3 }] } });

    const outsiderSocket = await socketOf(outsider);
    expect(await outsiderSocket.request("checkin.watch", { eventId })).toMatchObject({ t: "error", code: "not_found" });
    expect((await outsiderSocket.request("checkin.watch", { eventId: "nope" })).t).toBe("error");

    // Online: one scan, one push.
    expect((await staff.post(`/api/checkin-lists/${door.id}/scans`, { scans: [scan(ada.code)] })).body.results[0].outcome).toBe("admitted");
    const first = await watcher.next((f) => f.t === "checkin.counts" && f.checkedIn === 1);
    expect(first).toMatchObject({ eventId, lists: [{ id: door.id, checkedIn: 1 }, { id: workshop.id, checkedIn: 0 }] });

    // An offline queue synced: the counts arrive once the upload lands; the same ticket on another list is one person.
    const queue = [scan(bob.code), scan(cleo.code), { nonce: randomUUID(), scannedAt: new Date().toISOString(), ticketId: ada.id }];
    await staff.post(`/api/checkin-lists/${door.id}/scans`, { scans: queue.slice(0, 2) });
    await watcher.next((f) => f.t === "checkin.counts" && f.checkedIn === 3);
    await staff.post(`/api/checkin-lists/${workshop.id}/scans`, { scans: queue.slice(2) });
    const last = await watcher.next((f) => f.t === "checkin.counts" && (f.lists as { checkedIn: number }[])[1].checkedIn === 1);
    expect(last).toMatchObject({ checkedIn: 3, lists: [{ checkedIn: 3 }, { checkedIn: 1 }] });

    // The same queue uploaded again admits nobody new and pushes nothing; a refusal pushes nothing either.
    // The next admission's push comes after anything those two could have pushed (one topic keeps its order).
    const before = countsPushes(watcher).length;
    await staff.post(`/api/checkin-lists/${door.id}/scans`, { scans: queue.slice(0, 2) });
    await staff.post(`/api/checkin-lists/${door.id}/scans`, { scans: [scan(ada.code)] });
    const dan = fixture.ticket(eventId, type, "Dan", "dan@example.org");
    await staff.post(`/api/checkin-lists/${door.id}/scans`, { scans: [scan(dan.code)] });
    await watcher.next((f) => f.t === "checkin.counts" && f.checkedIn === 4);
    expect(countsPushes(watcher).length).toBe(before + 1);
    expect(countsPushes(outsiderSocket)).toEqual([]);

    // Unwatching stops the pushes for that socket only.
    const other = await socketOf(owner);
    expect((await other.request("checkin.watch", { eventId })).data).toMatchObject({ checkedIn: 4 });
    expect((await watcher.request("checkin.unwatch", { eventId })).t).toBe("ok");
    const eve = fixture.ticket(eventId, type, "Eve", "eve@example.org");
    await staff.post(`/api/checkin-lists/${door.id}/scans`, { scans: [scan(eve.code)] });
    await other.next((f: Frame) => f.t === "checkin.counts" && f.checkedIn === 5);
    expect(countsPushes(watcher).length).toBe(before + 1);
  });
});
