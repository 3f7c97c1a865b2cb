/** The profile end to end: fields with their validation, and avatar upload and serving. */
import http from "node:http";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifiedUser } from "../support/accounts.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let client: TestClient;
beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: smtp.env });
  client = await verifiedUser(server, smtp, "zoe@example.org", "Zoe");
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

async function upload(body: Buffer | string, type: string) {
  const response = await fetch(`${server.url}/api/account/avatar`, {
    method: "PUT",
    headers: { "content-type": type, cookie: client.cookieHeader, origin: server.url },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Announces a body the server refuses by its length alone: it answers before the upload. */
function uploadTooLarge(bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}/api/account/avatar`, {
      method: "PUT",
      headers: { "content-type": "image/png", "content-length": bytes, cookie: client.cookieHeader, origin: server.url },
    });
    request.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    request.on("error", (error) => reject(error));
    request.write(Buffer.alloc(1_024, 1));
  });
}

describe("the profile", () => {
  it("saves name, bio, time zone, language, interests and notification preferences", async () => {
    const saved = await client.patch("/api/account", {
      displayName: "  Zoe Z  ",
      bio: "Speaker and organizer",
      timeZone: "Europe/Paris",
      language: "fr",
      interests: ["WebRTC", "webrtc", "Design"],
      notificationPrefs: { event_reminder: { email: false, in_app: true } },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.user).toMatchObject({
      displayName: "Zoe Z",
      timeZone: "Europe/Paris",
      language: "fr",
      interests: ["webrtc", "design"],
      notificationPrefs: { event_reminder: { email: false, in_app: true } },
    });
    const merged = await client.patch("/api/account", { notificationPrefs: { chat_mention: { email: true } } });
    expect(Object.keys(merged.body.user.notificationPrefs).sort()).toEqual(["chat_mention", "event_reminder"]);
  });

  it("names every invalid field", async () => {
    const bad = await client.patch("/api/account", {
      timeZone: "Mars/Olympus",
      language: "not a language",
      interests: ["x".repeat(41)],
      notificationPrefs: { spam: { email: true } },
      role: "admin",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(
      expect.arrayContaining(["interests.0", "language", "notificationPrefs", "timeZone"]),
    );
    expect((await client.get("/api/account")).body.user.role).toBe("user");
  });
});

describe("the avatar", () => {
  it("re-encodes an upload to a 256×256 WebP without metadata, and replaces it on the next upload", async () => {
    const photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#3366cc" } })
      .jpeg()
      .withMetadata({ exif: { IFD0: { Copyright: "secret location data" } } })
      .toBuffer();
    const first = await upload(photo, "image/jpeg");
    expect(first.status).toBe(200);
    const url = first.body.user.avatarUrl as string;
    expect(url).toMatch(/^\/api\/users\/[\w-]+\/avatar\?v=\w+$/);

    const served = await fetch(server.url + url);
    expect(served.headers.get("content-type")).toBe("image/webp");
    const bytes = Buffer.from(await served.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ format: "webp", width: 256, height: 256 });
    expect(meta.exif).toBeUndefined();
    expect(bytes.includes("secret location data")).toBe(false);

    const png = await sharp({ create: { width: 64, height: 64, channels: 4, background: "#ff000080" } }).png().toBuffer();
    const second = await upload(png, "image/png");
    expect(second.body.user.avatarUrl).not.toBe(url);
    expect((await fetch(server.url + url)).status).toBe(200); // the id is the same; the query changes
  });

  it("refuses what is not an image, an unsupported format, or a file too large", async () => {
    const fake = await upload("<?php echo 'hi'; ?>", "image/png");
    expect(fake.status).toBe(422);
    expect(fake.body.error.code).toBe("invalid_image");
    const svg = await upload('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "image/svg+xml");
    expect(svg.status).toBe(415);
    const text = await upload("hello", "text/plain");
    expect(text.status).toBe(415);
    expect(text.body.error.message).toMatch(/PNG, JPEG, WebP or GIF/);
    expect(await uploadTooLarge(6 * 1024 * 1024)).toBe(413);
  });

  it("can be removed", async () => {
    const id = (await client.get("/api/account")).body.user.id;
    expect((await client.delete("/api/account/avatar")).status).toBe(204);
    expect((await client.get("/api/account")).body.user.avatarUrl).toBeNull();
    expect((await fetch(`${server.url}/api/users/${id}/avatar`)).status).toBe(404);
  });
});
