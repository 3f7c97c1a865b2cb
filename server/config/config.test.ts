import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { ConfigError, configSchema, loadConfig } from "./index.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-config-"));
function file(name: string, text: string) {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("uses the defaults when there is no file", () => {
    const config = loadConfig({ file: undefined, env: {} });
    expect(config.source).toBeNull();
    expect(config.http).toMatchObject({ host: "127.0.0.1", port: 8080, trust_proxy: false });
    expect(config.realtime.max_frame_bytes).toBe(65_536);
    expect(config.paths.database).toBe(path.resolve("data/plenary.sqlite"));
  });

  it("reads a TOML file and resolves data paths from its folder", () => {
    const p = file("a.toml", '[http]\nport = 9001\n[data]\ndir = "state"\n[database]\npath = "x.db"\n');
    const config = loadConfig({ file: p, env: {} });
    expect(config.http.port).toBe(9001);
    expect(config.paths.database).toBe(path.join(dir, "state", "x.db"));
  });

  it("lets PLENARY_<SECTION>_<KEY> override the file, typed by the schema", () => {
    const p = file("b.toml", "[http]\nport = 9001\n");
    const config = loadConfig({
      file: p,
      env: { PLENARY_HTTP_PORT: "9100", PLENARY_HTTP_TRUST_PROXY: "true", PLENARY_DATA_DIR: "/srv/plenary" },
    });
    expect(config.http.port).toBe(9100);
    expect(config.http.trust_proxy).toBe(true);
    expect(config.paths.dataDir).toBe("/srv/plenary");
  });

  it("names the bad key and the environment variable it came from", () => {
    const found = problems(() => loadConfig({ file: undefined, env: { PLENARY_HTTP_PORT: "eighty" } }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^http\.port: .*number.*\(from PLENARY_HTTP_PORT\)$/);
  });

  it("names the file for a value out of range", () => {
    const p = file("c.toml", "[http]\nport = 70000\n");
    expect(problems(() => loadConfig({ file: p, env: {} }))[0]).toMatch(/^http\.port: .*65535.*c\.toml/);
  });

  it("rejects unknown settings by name", () => {
    const p = file("d.toml", "[http]\nprot = 1\n[colour]\nx = 1\n");
    const found = problems(() => loadConfig({ file: p, env: {} }));
    expect(found.join("\n")).toContain("http.prot: unknown setting");
    expect(found.join("\n")).toContain("colour: unknown setting");
  });

  it("reports the line of a TOML syntax error", () => {
    const p = file("e.toml", "[http]\nport = = 1\n");
    expect(problems(() => loadConfig({ file: p, env: {} }))[0]).toMatch(/not valid TOML at line 2/);
  });

  it("fails when an explicitly named file is missing", () => {
    expect(problems(() => loadConfig({ file: path.join(dir, "nope.toml"), env: {} }))[0]).toMatch(/cannot read/);
  });
});

describe("config.example.toml", () => {
  const text = readFileSync(new URL("../../config.example.toml", import.meta.url), "utf8");

  it("documents every setting with its default", () => {
    const defaults = configSchema.parse({});
    // Uncomment every "# key = value" line: the result must be exactly the defaults.
    const uncommented = text.replace(/^# ([a-z_]+ = .*)$/gm, "$1");
    const parsed = parse(uncommented) as Record<string, Record<string, unknown>>;
    for (const [section, values] of Object.entries(defaults)) {
      for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
        expect(parsed[section]?.[key], `${section}.${key}`).toEqual(value);
      }
    }
    const optional = Object.entries(parsed).flatMap(([s, v]) =>
      Object.keys(v).filter((k) => (defaults as Record<string, Record<string, unknown>>)[s]?.[k] === undefined).map((k) => `${s}.${k}`),
    );
    expect(optional).toEqual(["http.public_url"]);
  });

  it("is itself a valid configuration", () => {
    expect(() => loadConfig({ file: new URL("../../config.example.toml", import.meta.url).pathname, env: {} })).not.toThrow();
  });
});
