/** deploy/Caddyfile: `caddy validate`, and the routes `caddy adapt` makes of it. */
import { describe, expect, it } from "vitest";
import { HSTS_MAX_AGE_SECONDS } from "../../server/http/security-headers.ts";
import { type Doc, need, run, scratchDir } from "./support.ts";

const scratch = scratchDir();

describe("deploy/Caddyfile", () => {
  // An upstream on loopback so that validation's health checker contacts nothing else, and
  // Caddy's storage in a scratch folder.
  const env = () => ({
    ...process.env,
    PLENARY_DOMAIN: "events.example.org",
    PLENARY_UPSTREAM: "127.0.0.1:9",
    XDG_DATA_HOME: scratch,
    XDG_CONFIG_HOME: scratch,
    HOME: scratch,
  });

  it("is accepted by `caddy validate`", () => {
    const caddy = need("caddy", "caddy");
    const result = run(caddy, ["validate", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"], { env: env() });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("Valid configuration");
  });

  it("proxies /ws and everything else to Plenary, and hides /metrics", () => {
    const caddy = need("caddy", "caddy");
    const result = run(caddy, ["adapt", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    const server = Object.values<Doc>(json.apps.http.servers)[0];
    const routes: Doc[] = [];
    const walk = (list: Doc[] = []) => {
      for (const route of list) {
        routes.push(route);
        for (const handler of route.handle ?? []) walk(handler.routes);
      }
    };
    walk(server.routes);
    const handlers = (route: Doc): Doc[] => (route.handle ?? []).flatMap((h: Doc) => [h, ...(h.routes ?? []).flatMap(handlers)]);
    const byPath = (p: string) => routes.find((r) => (r.match ?? []).some((m: Doc) => m.path?.includes(p)));

    const ws = byPath("/ws");
    expect(ws, "no route for /ws").toBeDefined();
    const proxy = handlers(ws).find((h) => h.handler === "reverse_proxy");
    expect(proxy?.upstreams).toEqual([{ dial: "127.0.0.1:9" }]);
    expect(proxy?.flush_interval).toBe(-1);

    const metrics = byPath("/metrics");
    expect(handlers(metrics).find((h) => h.handler === "static_response")?.status_code).toBe(404);
    expect(JSON.stringify(server.routes[0].match)).toContain("events.example.org");

    // Plenary sets the security headers; Caddy only fills them in where an answer lacks them
    // (its own error pages), with the same values, so none is doubled or contradicted.
    const headerSets = routes.flatMap(handlers).filter((h) => h.handler === "headers" && h.response?.set);
    const security = headerSets.filter((h) => "Strict-Transport-Security" in h.response.set);
    expect(security.length).toBeGreaterThan(0);
    for (const h of security) {
      for (const name of Object.keys(h.response.set)) expect(h.response.require?.headers?.[name], name).toBeNull();
      expect(h.response.set["Strict-Transport-Security"]).toEqual([`max-age=${HSTS_MAX_AGE_SECONDS}`]);
      expect(h.response.set["Referrer-Policy"]).toEqual(["no-referrer"]);
    }
  });
});
