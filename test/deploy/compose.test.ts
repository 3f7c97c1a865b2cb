/** deploy/compose.yaml: yamllint, then its services and wiring through PyYAML. */
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Doc, DEPLOY, defaultGraceMs, expectKnownPlenaryEnv, loadYaml, need, run } from "./support.ts";

describe("deploy/compose.yaml", () => {
  it("passes yamllint with deploy/.yamllint.yaml, as do the Kubernetes manifests", () => {
    const yamllint = need("yamllint", "yamllint");
    const result = run(yamllint, ["--strict", "-c", path.join(DEPLOY, ".yamllint.yaml"), "deploy/compose.yaml", "deploy/kubernetes", "deploy/.yamllint.yaml"]);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  it("defines Plenary, Caddy, coturn and Garage with the expected wiring", () => {
    const [compose] = loadYaml(path.join(DEPLOY, "compose.yaml"));
    const { plenary, caddy, coturn, garage } = compose.services;
    expect(Object.keys(compose.services).sort()).toEqual(["caddy", "coturn", "garage", "plenary"]);

    expect(plenary.build).toEqual({ context: "..", dockerfile: "deploy/Dockerfile" });
    expect(plenary.volumes).toContain("plenary-data:/var/lib/plenary");
    expect(plenary.ports).toEqual(expect.arrayContaining(["40000:40000/udp", "40000:40000/tcp"]));
    expect(plenary.environment.PLENARY_HTTP_TRUST_PROXY).toBe("true");
    expectKnownPlenaryEnv(Object.keys(plenary.environment), "compose.yaml (plenary)");
    const grace = /^(\d+)s$/.exec(plenary.stop_grace_period);
    expect(Number(grace?.[1]) * 1000).toBeGreaterThan(defaultGraceMs);
    expect(plenary.healthcheck.test.join(" ")).toContain("/readyz");

    expect(caddy.image).toMatch(/^caddy:2/);
    expect(caddy.ports).toEqual(expect.arrayContaining(["80:80/tcp", "443:443/tcp"]));
    expect(caddy.volumes).toContain("./Caddyfile:/etc/caddy/Caddyfile:ro");

    expect(coturn.image).toMatch(/^coturn\/coturn:/);
    expect(coturn.network_mode).toBe("host");
    expect(coturn.volumes).toContain("./coturn/turnserver.conf:/etc/coturn/turnserver.conf:ro");
    const secretArg = coturn.command.find((a: string) => a.startsWith("--static-auth-secret="));
    expect(secretArg, "the TURN secret must come from the environment").toMatch(/^--static-auth-secret=\$\{TURN_SECRET:\?/);

    expect(garage.image).toMatch(/^dxflrs\/garage:v\d/);
    expect(garage.volumes).toContain("./garage/garage.toml:/etc/garage.toml:ro");

    for (const v of [...plenary.volumes, ...caddy.volumes, ...coturn.volumes, ...garage.volumes]) {
      const [source] = String(v).split(":");
      if (source.startsWith("./")) expect(existsSync(path.join(DEPLOY, source)), `${source} is mounted but missing`).toBe(true);
      else expect(Object.keys(compose.volumes), `named volume ${source} is not declared`).toContain(source);
    }
  });

  it("commits no secret: every secret-looking value is an interpolation from .env", () => {
    const [compose] = loadYaml(path.join(DEPLOY, "compose.yaml"));
    for (const [name, service] of Object.entries<Doc>(compose.services)) {
      for (const [key, value] of Object.entries<Doc>(service.environment ?? {})) {
        if (/SECRET|PASSWORD|TOKEN/.test(key)) expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z_]+(:[-?][^}]*)?\}$/);
      }
    }
  });
});
