import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/index.ts";
import { cspDirectives, registerSecurityHeaders, storageOrigin } from "./security-headers.ts";

const config = (env: Record<string, string>) => loadConfig({ file: undefined, env: { PLENARY_DATA_DIR: "/tmp/plenary-unused", ...env } });

/** The headers an app with our security headers answers with. */
async function headersFor(env: Record<string, string>) {
  const app = Fastify();
  registerSecurityHeaders(app, config(env));
  app.get("/", async () => "ok");
  const answer = await app.inject({ method: "GET", url: "/" });
  await app.close();
  return answer.headers;
}

describe("security headers", () => {
  it("let the player reach presigned S3 URLs at the store's origin, path-style or virtual-hosted", async () => {
    const s3 = { PLENARY_STORAGE_BACKEND: "s3", PLENARY_STORAGE_BUCKET: "rec", PLENARY_STORAGE_REGION: "eu-west-1" };
    expect(storageOrigin(config({}))).toBeNull();
    expect(storageOrigin(config({ ...s3, PLENARY_STORAGE_ENDPOINT: "https://s3.example.org:3900/ignored" }))).toBe("https://s3.example.org:3900");
    expect(storageOrigin(config({ ...s3, PLENARY_STORAGE_ENDPOINT: "https://s3.example.org", PLENARY_STORAGE_PATH_STYLE: "false" }))).toBe("https://rec.s3.example.org");
    expect(storageOrigin(config({ ...s3, PLENARY_STORAGE_PATH_STYLE: "false" }))).toBe("https://rec.s3.eu-west-1.amazonaws.com");
    const directives = cspDirectives(config({ ...s3, PLENARY_STORAGE_ENDPOINT: "http://127.0.0.1:3900" }));
    for (const name of ["media-src", "connect-src", "img-src"]) expect(directives[name]).toContain("http://127.0.0.1:3900");
    const csp = String((await headersFor({ ...s3, PLENARY_STORAGE_ENDPOINT: "http://127.0.0.1:3900" }))["content-security-policy"]);
    expect(csp).toContain("media-src 'self' blob: http://127.0.0.1:3900");
    expect(csp).toContain("script-src 'self';");
  });

  it("ask for HTTPS only when the public URL is https, and allow its socket origin", async () => {
    expect((await headersFor({ PLENARY_HTTP_PUBLIC_URL: "http://events.example.org" }))["strict-transport-security"]).toBeUndefined();
    const https = await headersFor({ PLENARY_HTTP_PUBLIC_URL: "https://events.example.org" });
    expect(https["strict-transport-security"]).toBe("max-age=31536000");
    expect(String(https["content-security-policy"])).toContain("connect-src 'self' wss://events.example.org;");
    expect(https["permissions-policy"]).toContain("camera=(self)");
    expect(https["x-frame-options"]).toBe("DENY");
  });
});
