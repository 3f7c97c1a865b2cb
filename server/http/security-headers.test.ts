import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/index.ts";
import { securityHeaders, storageOrigin } from "./security-headers.ts";

const config = (env: Record<string, string>) => loadConfig({ file: undefined, env: { PLENARY_DATA_DIR: "/tmp/plenary-unused", ...env } });
const directive = (headers: Record<string, string>, name: string) =>
  headers["content-security-policy"].split("; ").find((d) => d.startsWith(`${name} `));

describe("security headers", () => {
  it("let the player reach presigned S3 URLs at the store's origin, path-style or virtual-hosted", () => {
    const s3 = { PLENARY_STORAGE_BACKEND: "s3", PLENARY_STORAGE_BUCKET: "rec", PLENARY_STORAGE_REGION: "eu-west-1" };
    expect(storageOrigin(config({}))).toBeNull();
    expect(storageOrigin(config({ ...s3, PLENARY_STORAGE_ENDPOINT: "https://s3.example.org:3900/ignored" }))).toBe("https://s3.example.org:3900");
    expect(storageOrigin(config({ ...s3, PLENARY_STORAGE_ENDPOINT: "https://s3.example.org", PLENARY_STORAGE_PATH_STYLE: "false" }))).toBe("https://rec.s3.example.org");
    expect(storageOrigin(config({ ...s3, PLENARY_STORAGE_PATH_STYLE: "false" }))).toBe("https://rec.s3.eu-west-1.amazonaws.com");
    const headers = securityHeaders(config({ ...s3, PLENARY_STORAGE_ENDPOINT: "http://127.0.0.1:3900" }));
    for (const name of ["media-src", "connect-src", "img-src"]) expect(directive(headers, name)).toContain("http://127.0.0.1:3900");
    expect(directive(headers, "script-src")).toBe("script-src 'self'");
  });

  it("ask for HTTPS only when the public URL is https, and allow its socket origin", () => {
    expect(securityHeaders(config({ PLENARY_HTTP_PUBLIC_URL: "http://events.example.org" }))["strict-transport-security"]).toBeUndefined();
    const https = securityHeaders(config({ PLENARY_HTTP_PUBLIC_URL: "https://events.example.org" }));
    expect(https["strict-transport-security"]).toBe("max-age=31536000");
    expect(directive(https, "connect-src")).toBe("connect-src 'self' wss://events.example.org");
  });
});
