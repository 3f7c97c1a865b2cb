/**
 * Shared helpers for the static checks of deploy/ (one test file per file checked): what can
 * be verified without a Docker engine, Kubernetes or Jenkins. Every check either runs its
 * real checker (systemd-analyze, caddy, coturn, yamllint, PyYAML, groovyc, Plenary's own
 * config loader and metrics registry) or fails with the Debian package to install: none is
 * skipped. Checkers come from Debian packages (systemd, caddy, coturn, yamllint, python3-yaml,
 * groovy); see deploy/README.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect } from "vitest";
import { configSchema, loadConfig } from "../../server/config/index.ts";
import { ROOT } from "../support/server.ts";

export const DEPLOY = path.join(ROOT, "deploy");
export const K8S = path.join(DEPLOY, "kubernetes");
export const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/** A temporary folder for this test file, removed after its tests. */
export function scratchDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "plenary-deploy-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// --- checkers ----------------------------------------------------------------------------

/** The path of a command from a Debian package, or a failure that says what to install. */
export function need(command: string, debianPackage: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  const where = found.stdout.trim();
  if (found.status !== 0 || !where) {
    throw new Error(
      `${command} is not installed: apt-get install -y --no-install-recommends ${debianPackage} ` +
        `(and add ${debianPackage} to scripts/debian-packages.sh so CI has it)`,
    );
  }
  return where;
}

export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeout?: number } = {}) {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    encoding: "utf8",
    timeout: options.timeout ?? 60_000,
  });
  return { code: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "", output: `${result.stdout}${result.stderr}` };
}

// Parsed YAML/JSON is walked field by field and every expectation is asserted, so `any`
// here is the honest type of "a document we are about to check".
export type Doc = any;

/**
 * YAML through Debian's PyYAML (python3-yaml), which resolves YAML 1.1 like Kubernetes' and
 * Compose's parsers do (so `on`/`yes` would become booleans here too). No YAML parser is in
 * node_modules; the `yaml` npm package would replace this (see deploy/README.md).
 */
export function loadYaml(file: string): Doc[] {
  const python = "/usr/bin/python3";
  if (!existsSync(python)) throw new Error("Debian's python3 is missing: apt-get install -y python3-yaml");
  const script = "import json,sys,yaml\nprint(json.dumps(list(yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')))))";
  const result = run(python, ["-c", script, file]);
  if (result.stderr.includes("No module named 'yaml'")) {
    throw new Error("PyYAML is missing: apt-get install -y python3-yaml (and add it to scripts/debian-packages.sh)");
  }
  if (result.code !== 0) throw new Error(`${file} is not valid YAML:\n${result.stderr}`);
  return (JSON.parse(result.stdout) as Doc[]).filter((doc) => doc !== null);
}

/** Every PLENARY_<SECTION>_<KEY> the server reads, from the schema itself. */
export function configEnvNames(): Set<string> {
  const names = new Set<string>(["PLENARY_CONFIG"]);
  for (const [section, schema] of Object.entries(configSchema.shape)) {
    let inner: Doc = schema;
    while (inner && !inner.shape && typeof inner.unwrap === "function") inner = inner.unwrap();
    for (const key of Object.keys(inner?.shape ?? {})) names.add(`PLENARY_${section}_${key}`.toUpperCase());
  }
  return names;
}
const KNOWN_ENV = configEnvNames();

/** Plenary silently ignores a PLENARY_* variable it does not know: a typo would never show. */
export function expectKnownPlenaryEnv(names: Iterable<string>, where: string) {
  const unknown = [...names].filter((n) => n.startsWith("PLENARY_") && !KNOWN_ENV.has(n));
  expect(unknown, `${where} sets PLENARY_* variables that server/config/schema.ts does not define`).toEqual([]);
}

/** A TOML text through the real loader (throws ConfigError naming any unknown or bad key). */
export function loadToml(text: string) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "plenary-deploy-config-")), "plenary.toml");
  writeFileSync(file, text);
  try {
    return loadConfig({ file, env: {} });
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
export const defaultGraceMs = loadToml("").shutdown.grace_ms;

// --- Dockerfile ----------------------------------------------------------------------------

export type Instruction = { op: string; args: string };
/** Instructions grouped by stage, with line continuations joined and comments dropped. */
export function parseDockerfile(text: string): { args: Map<string, string>; stages: { from: string; name?: string; body: Instruction[] }[] } {
  const lines = text.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  const args = new Map<string, string>();
  const stages: { from: string; name?: string; body: Instruction[] }[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`cannot parse Dockerfile line: ${line}`);
    const op = match[1].toUpperCase();
    const rest = match[2].replace(/\s+/g, " ").trim();
    if (op === "FROM") {
      const [image, as, name] = rest.split(" ");
      stages.push({ from: image, name: as?.toUpperCase() === "AS" ? name : undefined, body: [] });
    } else if (stages.length === 0) {
      if (op !== "ARG") throw new Error(`${op} before the first FROM`);
      const [k, v = ""] = rest.split("=");
      args.set(k, v);
    } else {
      stages.at(-1)!.body.push({ op, args: rest });
    }
  }
  return { args, stages };
}

export function aptPackages(stage: { body: Instruction[] }): string[] {
  const packages: string[] = [];
  for (const { op, args } of stage.body) {
    if (op !== "RUN" || !args.includes("apt-get install")) continue;
    const tail = args.slice(args.indexOf("apt-get install") + "apt-get install".length).split("&&")[0];
    packages.push(...tail.split(" ").filter((t) => t && !t.startsWith("-")));
  }
  return packages;
}

/** The words of a bash array assignment `name=( ... )` in a script (comments dropped). */
export function bashArray(file: string, name: string): string[] {
  const text = read(file);
  const match = new RegExp(`^${name}=\\(([^)]*)\\)`, "m").exec(text);
  if (!match) throw new Error(`${file} no longer defines ${name}=( ... ); update this test`);
  return match[1]
    .split("\n")
    .map((l) => l.replace(/#.*/, ""))
    .join(" ")
    .split(/\s+/)
    .filter(Boolean);
}
