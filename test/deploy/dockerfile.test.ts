/** deploy/Dockerfile: parsed stage by stage and compared with the worker build script, setup.sh, the config schema and the dockerignore file. */
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/server.ts";
import { aptPackages, bashArray, expectKnownPlenaryEnv, parseDockerfile, read } from "./support.ts";

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
