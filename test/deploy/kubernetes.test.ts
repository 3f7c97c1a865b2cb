/** deploy/kubernetes: every manifest parsed, the ConfigMap through Plenary's config loader, the pod checked against the Dockerfile. */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Doc, expectKnownPlenaryEnv, K8S, loadToml, loadYaml, parseDockerfile, read } from "./support.ts";

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
