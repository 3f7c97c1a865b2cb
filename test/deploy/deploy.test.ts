/**
 * Static checks of deploy/: what can be verified without a Docker engine, Kubernetes or
 * Jenkins. Every check either runs its real checker (systemd-analyze, caddy, coturn,
 * yamllint, PyYAML, groovyc, Plenary's own config loader and metrics registry) or fails
 * with the Debian package to install: none is skipped. Checkers come from Debian packages
 * (systemd, caddy, coturn, yamllint, python3-yaml, groovy); see deploy/README.md.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { freePort, waitForTcp } from "../support/net.ts";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configSchema, loadConfig } from "../../server/config/index.ts";
import { createMetrics } from "../../server/metrics.ts";
import { ROOT } from "../support/server.ts";

const DEPLOY = path.join(ROOT, "deploy");
const K8S = path.join(DEPLOY, "kubernetes");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

const scratch = mkdtempSync(path.join(tmpdir(), "plenary-deploy-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// --- checkers ----------------------------------------------------------------------------

/** The path of a command from a Debian package, or a failure that says what to install. */
function need(command: string, debianPackage: string): string {
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

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeout?: number } = {}) {
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
type Doc = any;

/**
 * YAML through Debian's PyYAML (python3-yaml), which resolves YAML 1.1 like Kubernetes' and
 * Compose's parsers do (so `on`/`yes` would become booleans here too). No YAML parser is in
 * node_modules; the `yaml` npm package would replace this (see deploy/README.md).
 */
function loadYaml(file: string): Doc[] {
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
function configEnvNames(): Set<string> {
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
function expectKnownPlenaryEnv(names: Iterable<string>, where: string) {
  const unknown = [...names].filter((n) => n.startsWith("PLENARY_") && !KNOWN_ENV.has(n));
  expect(unknown, `${where} sets PLENARY_* variables that server/config/schema.ts does not define`).toEqual([]);
}

/** A TOML text through the real loader (throws ConfigError naming any unknown or bad key). */
function loadToml(text: string) {
  const file = path.join(mkdtempSync(path.join(scratch, "config-")), "plenary.toml");
  writeFileSync(file, text);
  return loadConfig({ file, env: {} });
}
const defaultGraceMs = loadToml("").shutdown.grace_ms;

// --- Dockerfile ----------------------------------------------------------------------------

type Instruction = { op: string; args: string };
/** Instructions grouped by stage, with line continuations joined and comments dropped. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: { from: string; name?: string; body: Instruction[] }[] } {
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

function aptPackages(stage: { body: Instruction[] }): string[] {
  const packages: string[] = [];
  for (const { op, args } of stage.body) {
    if (op !== "RUN" || !args.includes("apt-get install")) continue;
    const tail = args.slice(args.indexOf("apt-get install") + "apt-get install".length).split("&&")[0];
    packages.push(...tail.split(" ").filter((t) => t && !t.startsWith("-")));
  }
  return packages;
}

/** The words of a bash array assignment `name=( ... )` in a script (comments dropped). */
function bashArray(file: string, name: string): string[] {
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

describe("deploy/Dockerfile", () => {
  const dockerfile = parseDockerfile(read("deploy/Dockerfile"));
  const final = dockerfile.stages.at(-1)!;
  const build = dockerfile.stages.find((s) => s.name === "build");

  it("brings the same Node release as scripts/setup.sh", () => {
    const setup = /^PLENARY_NODE_VERSION=(\S+)/m.exec(read("scripts/setup.sh"));
    expect(setup, "scripts/setup.sh no longer sets PLENARY_NODE_VERSION").not.toBeNull();
    expect(dockerfile.args.get("NODE_VERSION")).toBe(setup![1]);
    expect(dockerfile.stages[0].from).toBe("node:${NODE_VERSION}-bookworm-slim");
  });

  it("builds on Debian 12 and installs every mediasoup-worker build package that build.sh checks", () => {
    expect(build, "no stage named build").toBeDefined();
    expect(build!.from).toBe("debian:12-slim");
    const installed = aptPackages(build!);
    const required = bashArray("sfu/worker-build/build.sh", "build_packages");
    expect(required.filter((p) => !installed.includes(p)), "build packages missing from the build stage").toEqual([]);
    const runs = build!.body.filter((i) => i.op === "RUN").map((i) => i.args);
    expect(runs.some((r) => r.includes("sfu/worker-build/build.sh"))).toBe(true);
    // MEDIASOUP_WORKER_BIN must be set before npm ci, or mediasoup's postinstall downloads.
    const envAt = build!.body.findIndex((i) => i.op === "ENV" && i.args.includes("MEDIASOUP_WORKER_BIN="));
    const ciAt = build!.body.findIndex((i) => i.op === "RUN" && i.args.includes("npm ci"));
    expect(envAt).toBeGreaterThanOrEqual(0);
    expect(ciAt).toBeGreaterThan(envAt);
    expect(runs.some((r) => r.includes("vite build") && r.includes("npm prune --omit=dev"))).toBe(true);
  });

  it("has a Debian 12 runtime stage with only runtime libraries", () => {
    expect(final.from).toBe("debian:12-slim");
    const packages = aptPackages(final);
    for (const p of ["libuv1", "libssl3", "libsrtp2-1", "libabsl20220623", "ffmpeg"]) expect(packages).toContain(p);
    expect(packages.filter((p) => p.endsWith("-dev") || ["g++", "gcc", "make", "meson", "ninja-build"].includes(p))).toEqual([]);
    const copies = final.body.filter((i) => i.op === "COPY").map((i) => i.args);
    expect(copies.some((c) => c.includes("client/dist"))).toBe(true);
    expect(copies.some((c) => c.includes("mediasoup-worker"))).toBe(true);
  });

  it("runs the final stage as a numeric non-root user, with a HEALTHCHECK on /healthz", () => {
    const users = final.body.filter((i) => i.op === "USER").map((i) => i.args);
    expect(users.length, "the final stage has no USER").toBeGreaterThan(0);
    const user = users.at(-1)!;
    expect(user).toMatch(/^\d+(:\d+)?$/); // numeric, so Kubernetes can verify runAsNonRoot
    expect(user.split(":")[0]).not.toBe("0");
    const health = final.body.filter((i) => i.op === "HEALTHCHECK");
    expect(health).toHaveLength(1);
    expect(health[0].args).toContain("/healthz");
  });

  it("listens on 0.0.0.0, keeps data in a volume, and exposes HTTP and the WebRtcServer ports", () => {
    const env = final.body.filter((i) => i.op === "ENV").map((i) => i.args).join(" ");
    expect(env).toContain("PLENARY_HTTP_HOST=0.0.0.0");
    expect(env).toContain("PLENARY_DATA_DIR=/var/lib/plenary");
    expectKnownPlenaryEnv(env.match(/PLENARY_[A-Z_]+(?==)/g) ?? [], "deploy/Dockerfile");
    expect(final.body.find((i) => i.op === "VOLUME")?.args).toContain("/var/lib/plenary");
    const exposed = final.body.filter((i) => i.op === "EXPOSE").flatMap((i) => i.args.split(" "));
    expect(exposed).toEqual(expect.arrayContaining(["8080/tcp", "40000/udp", "40000/tcp"]));
  });

  it("copies only paths that exist and that the dockerignore file lets through", () => {
    const ignore = read("deploy/Dockerfile.dockerignore")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    const sources = final.body
      .filter((i) => i.op === "COPY" && i.args.includes("--from=build /src/"))
      .flatMap((i) => i.args.split(" ").filter((a) => a.startsWith("/src/")).map((a) => a.slice(5)));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      if (source === "node_modules" || source === "client/dist") continue; // made in the build stage
      expect(existsSync(path.join(ROOT, source)), `${source} is copied but does not exist`).toBe(true);
      expect(ignore, `${source} is needed but ignored`).not.toContain(source);
    }
  });
});

// --- compose ---------------------------------------------------------------------------------

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

// --- Kubernetes --------------------------------------------------------------------------

describe("deploy/kubernetes", () => {
  const files = readdirSync(K8S).filter((f) => f.endsWith(".yaml"));
  const docs = new Map(files.map((f) => [f, loadYaml(path.join(K8S, f))] as const));
  const all = [...docs.values()].flat();
  const one = (kind: string, name?: string) => {
    const found = all.filter((d) => d.kind === kind && (name === undefined || d.metadata?.name === name));
    expect(found, `expected one ${kind}${name ? ` ${name}` : ""}`).toHaveLength(1);
    return found[0];
  };

  it("parses, and every object has apiVersion, kind and a name", () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const doc of all) {
      expect(typeof doc.apiVersion).toBe("string");
      expect(typeof doc.kind).toBe("string");
      if (doc.kind !== "Kustomization") expect(typeof doc.metadata?.name).toBe("string");
    }
  });

  it("kustomization lists existing files and leaves the Secret template out", () => {
    const kustomization = one("Kustomization");
    for (const resource of kustomization.resources) expect(existsSync(path.join(K8S, resource)), resource).toBe(true);
    expect(kustomization.resources).not.toContain("secret.example.yaml");
    const images = kustomization.images.map((i: Doc) => i.name);
    expect(images).toContain(one("StatefulSet", "plenary").spec.template.spec.containers[0].image);
  });

  it("the ConfigMap's plenary.toml passes Plenary's own config loader", () => {
    const config = loadToml(one("ConfigMap", "plenary-config").data["plenary.toml"]);
    expect(config.http.host).toBe("0.0.0.0");
    expect(config.paths.dataDir).toBe("/var/lib/plenary");
  });

  it("runs one non-root, locked-down pod with probes on /readyz and /healthz and a data volume", () => {
    const set = one("StatefulSet", "plenary");
    const pod = set.spec.template.spec;
    const [container] = pod.containers;
    const config = loadToml(one("ConfigMap", "plenary-config").data["plenary.toml"]);

    expect(set.spec.replicas).toBe(1); // SQLite: one writer
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const dockerUser = parseDockerfile(read("deploy/Dockerfile")).stages.at(-1)!.body.filter((i) => i.op === "USER").at(-1)!.args;
    expect(`${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`).toBe(dockerUser);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });

    const portNames = new Set(container.ports.map((p: Doc) => p.name));
    expect(container.readinessProbe.httpGet.path).toBe("/readyz");
    expect(container.livenessProbe.httpGet.path).toBe("/healthz");
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      expect(portNames.has(probe.httpGet.port) || probe.httpGet.port === config.http.port).toBe(true);
    }
    expect(container.ports.find((p: Doc) => p.name === "http").containerPort).toBe(config.http.port);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(config.shutdown.grace_ms);

    const claim = set.spec.volumeClaimTemplates[0].metadata.name;
    const mount = container.volumeMounts.find((m: Doc) => m.name === claim);
    expect(mount?.mountPath).toBe(config.paths.dataDir);
    const configMount = container.volumeMounts.find((m: Doc) => m.name === "config");
    const configEnv = container.env.find((e: Doc) => e.name === "PLENARY_CONFIG");
    expect(configEnv.value).toBe(`${configMount.mountPath}/plenary.toml`);
    expectKnownPlenaryEnv(container.env.map((e: Doc) => e.name), "statefulset.yaml");
    expectKnownPlenaryEnv(Object.keys(one("Secret", "plenary-secrets").stringData), "secret.example.yaml");
  });

  it("Services select the pod and target ports it declares; media keeps UDP and TCP on one port number", () => {
    const pod = one("StatefulSet", "plenary").spec.template;
    const ports = pod.spec.containers[0].ports;
    for (const name of ["plenary-http", "plenary-media"]) {
      const service = one("Service", name);
      for (const [k, v] of Object.entries(service.spec.selector)) expect(pod.metadata.labels[k]).toBe(v);
      for (const port of service.spec.ports) {
        const target = ports.find((p: Doc) => p.name === port.targetPort);
        expect(target, `${name} targets unknown port ${port.targetPort}`).toBeDefined();
        expect(target.protocol).toBe(port.protocol);
      }
    }
    const media = one("Service", "plenary-media").spec.ports;
    expect(media.map((p: Doc) => p.protocol).sort()).toEqual(["TCP", "UDP"]);
    // ICE candidates carry the worker's port: outside and inside numbers must match.
    for (const p of media) expect(p.port).toBe(ports.find((c: Doc) => c.name === p.targetPort).containerPort);
  });
});

// --- systemd -----------------------------------------------------------------------------

describe("deploy/systemd/plenary.service", () => {
  const unitPath = path.join(DEPLOY, "systemd/plenary.service");
  const unit = readFileSync(unitPath, "utf8");
  const values = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => m[1].trim());

  /** The unit as shipped, with ExecStart's Node pointed at the Node running this test. */
  function runnableCopy(): string {
    const dir = mkdtempSync(path.join(scratch, "unit-"));
    const copy = path.join(dir, "plenary.service");
    const execStart = values("ExecStart")[0];
    writeFileSync(copy, unit.replace(`ExecStart=${execStart}`, `ExecStart=${realpathSync(process.execPath)} ${execStart.split(" ").slice(1).join(" ")}`));
    return copy;
  }

  it("passes systemd-analyze verify (ExecStart's Node is the only thing missing on a build host)", () => {
    const analyze = need("systemd-analyze", "systemd");
    // The shipped path exists only on an installed server; verify reports exactly that.
    const shipped = run(analyze, ["verify", unitPath]);
    const problems = shipped.output.split("\n").filter((l) => l.trim());
    expect(problems.length, shipped.output).toBeLessThanOrEqual(1);
    if (problems.length === 1) expect(problems[0]).toContain(`Command ${values("ExecStart")[0].split(" ")[0]} is not executable`);
    // With a real Node binary there, the unit verifies cleanly.
    const copy = run(analyze, ["verify", runnableCopy()]);
    expect(copy.output).toBe("");
    expect(copy.code).toBe(0);
  });

  it("is hardened: systemd-analyze security rates its exposure 2.0 or lower", () => {
    const analyze = need("systemd-analyze", "systemd");
    // --threshold is in tenths: 20 means an overall exposure of 2.0 ("OK").
    const result = run(analyze, ["security", "--offline=true", "--threshold=20", "--no-pager", runnableCopy()]);
    expect(result.code, result.stdout.split("\n").slice(-3).join("\n")).toBe(0);
  });

  it("has the hardening and stop settings this project relies on", () => {
    for (const [key, value] of Object.entries({
      ProtectSystem: "strict",
      NoNewPrivileges: "yes",
      PrivateTmp: "yes",
      KillSignal: "SIGTERM",
      KillMode: "mixed",
      User: "plenary",
    })) {
      expect(values(key), key).toEqual([value]);
    }
    expect(values("ReadWritePaths")).toContain("/var/lib/plenary");
    expect(values("RestrictAddressFamilies")[0].split(" ")).toEqual(expect.arrayContaining(["AF_INET", "AF_INET6", "AF_UNIX"]));
    expect(values("SystemCallFilter")).toContain("@system-service");
    expect(values("ExecStart")[0]).toMatch(/\/node server\/cli\.ts start$/);
    const stop = /^(\d+)s$/.exec(values("TimeoutStopSec")[0]);
    expect(Number(stop?.[1]) * 1000, "TimeoutStopSec must exceed shutdown.grace_ms").toBeGreaterThan(defaultGraceMs);
    const env = values("Environment").map((e) => e.split("=")[0]);
    expectKnownPlenaryEnv(env, "plenary.service");
    expect(values("Environment")).toContain("PLENARY_DATA_DIR=/var/lib/plenary");
  });
});

// --- Caddy -------------------------------------------------------------------------------

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
  });
});

// --- coturn ------------------------------------------------------------------------------

describe("deploy/coturn/turnserver.conf", () => {
  const conf = read("deploy/coturn/turnserver.conf");
  const options = conf
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

  it("uses the TURN REST API secret, commits no secret, and refuses private peers", () => {
    expect(options).toContain("use-auth-secret");
    expect(options.filter((o) => o.startsWith("static-auth-secret"))).toEqual([]);
    expect(options).toContain("fingerprint");
    for (const range of ["127.0.0.0-127.255.255.255", "10.0.0.0-10.255.255.255", "192.168.0.0-192.168.255.255", "172.16.0.0-172.31.255.255"]) {
      expect(options).toContain(`denied-peer-ip=${range}`);
    }
  });

  it("Debian's coturn runs it on loopback: REST-API credentials allocate, a wrong secret does not, loopback peers are refused", async () => {
    const turnserver = need("turnserver", "coturn");
    const uclient = need("turnutils_uclient", "coturn");
    const secret = "deploy-test-secret";
    const port = await freePort();
    const dir = mkdtempSync(path.join(scratch, "coturn-"));
    // Only what differs on a test host is overridden on the command line; the rest is the
    // file as shipped (compose passes the same kind of flags).
    const child = spawn(
      turnserver,
      [
        "-c", path.join(DEPLOY, "coturn/turnserver.conf"),
        `--static-auth-secret=${secret}`,
        "--realm=deploy-test.invalid",
        "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1",
        `--listening-port=${port}`,
        "--no-tls",
        "--no-dtls",
        `--pidfile=${dir}/turnserver.pid`,
        `--db=${dir}/turndb`,
        // As root it drops to nobody as configured; as anyone else it cannot, so stay.
        ...(process.getuid?.() === 0 ? [] : [`--proc-user=${userInfo().username}`, `--proc-group=${userInfo().username}`]),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let log = "";
    child.stdout!.on("data", (c) => (log += c));
    child.stderr!.on("data", (c) => (log += c));
    try {
      await waitForTcp(port, child, 10_000);
      const allocate = (key: string) =>
        run(uclient, ["-W", key, "-p", String(port), "-n", "1", "-m", "1", "-e", "127.0.0.1", "127.0.0.1"], { timeout: 20_000 });
      const good = allocate(secret);
      // The allocation succeeded (the channel bind comes after it) and the loopback peer is
      // refused by denied-peer-ip.
      expect(good.output, log).toContain("403 (Forbidden IP)");
      expect(good.output).not.toContain("Cannot complete Allocation");
      const bad = allocate("not-the-secret");
      expect(bad.output).toContain("Cannot complete Allocation");
      expect(log).not.toMatch(/CONFIG ERROR|Bad configuration|unknown option/i);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
    }
  });
});

// --- Grafana -----------------------------------------------------------------------------

describe("deploy/grafana-dashboard.json", () => {
  const dashboard = JSON.parse(read("deploy/grafana-dashboard.json"));
  const targets: { panel: string; expr: string }[] = dashboard.panels.flatMap((p: Doc) =>
    (p.targets ?? []).map((t: Doc) => ({ panel: p.title, expr: t.expr })),
  );

  it("is an importable dashboard with unique panel ids", () => {
    expect(dashboard.title).toBe("Plenary");
    expect(dashboard.__inputs[0].name).toBe("DS_PROMETHEUS");
    const ids = dashboard.panels.map((p: Doc) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(targets.length).toBeGreaterThan(10);
  });

  it("queries only metrics that Plenary exports, with labels they have", async () => {
    // The real registry: server/metrics.ts plus prom-client's default metrics.
    const { registry } = createMetrics();
    const exported = new Map<string, { type: string; labels: string[] }>();
    for (const metric of await registry.getMetricsAsJSON()) {
      const labels = (registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
      exported.set(metric.name, { type: String(metric.type), labels });
    }
    const lookup = (name: string) => {
      if (exported.has(name)) return { ...exported.get(name)!, extra: [] as string[] };
      const base = name.replace(/_(bucket|sum|count)$/, "");
      const histogram = exported.get(base);
      if (histogram?.type === "histogram") return { ...histogram, extra: name.endsWith("_bucket") ? ["le"] : [] };
      return undefined;
    };
    const expressions = [...targets.map((t) => t), ...dashboard.templating.list.map((v: Doc) => ({ panel: `$${v.name}`, expr: v.definition }))];
    for (const { panel, expr } of expressions) {
      // Every plenary_* name, and any other name used as a selector (followed by { or [).
      const selectors = [
        ...new Set([
          ...[...expr.matchAll(/\b(plenary_[a-z0-9_]+)/g)].map((m) => m[1]),
          ...[...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((m) => m[1]),
        ]),
      ];
      expect(selectors.length, `${panel}: no metric in ${expr}`).toBeGreaterThan(0);
      const labels = new Set(["job", "instance"]);
      for (const name of selectors) {
        const found = lookup(name);
        expect(found, `${panel}: ${name} is not exported by Plenary`).toBeDefined();
        for (const l of [...found!.labels, ...found!.extra]) labels.add(l);
      }
      for (const m of expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
        for (const label of m[1].split(",").map((s: string) => s.trim()).filter(Boolean)) {
          expect(labels.has(label), `${panel}: label ${label} is not on ${selectors.join(", ")}`).toBe(true);
        }
      }
    }
  });
});

// --- Jenkins -----------------------------------------------------------------------------

describe("deploy/Jenkinsfile", () => {
  const jenkinsfile = read("deploy/Jenkinsfile");

  it("runs the same steps as .ci/run, within CI's 90 minutes", () => {
    expect(jenkinsfile).toContain("sh 'bash .ci/run'");
    const timeout = /timeout\(time: (\d+), unit: 'MINUTES'\)/.exec(jenkinsfile);
    expect(Number(timeout?.[1])).toBeLessThanOrEqual(90);
  });

  it("is valid Groovy (groovyc compiles it; Jenkins' own linter needs a Jenkins)", () => {
    const groovyc = need("groovyc", "groovy");
    const java = realpathSync(need("java", "default-jre-headless"));
    const dir = mkdtempSync(path.join(scratch, "groovy-"));
    const source = path.join(dir, "Jenkinsfile.groovy");
    writeFileSync(source, jenkinsfile);
    const result = run(groovyc, ["-d", path.join(dir, "out"), source], {
      env: { ...process.env, JAVA_HOME: path.dirname(path.dirname(java)) },
      timeout: 120_000,
    });
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });
});
