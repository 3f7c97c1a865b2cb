/** deploy/grafana-dashboard.json: importable, and every query names metrics (and labels) that Plenary exports. */
import path from "node:path";
import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import { migrateToLatest } from "../../server/db/migrate.ts";
import { openSqlite } from "../../server/db/sqlite.ts";
import { registerJobMetrics } from "../../server/jobs/metrics.ts";
import { createMetrics } from "../../server/metrics.ts";
import { registerSfuMetrics } from "../../sfu/metrics.ts";
import type { Sfu } from "../../sfu/Sfu.ts";
import { type Doc, read, scratchDir } from "./support.ts";

const scratch = scratchDir();

/**
 * The registry a running server scrapes: server/metrics.ts with prom-client's defaults, the
 * SFU's gauges and the job queue's. The SFU gauges read an empty model here (their names and
 * labels are what is checked); the job gauge reads a real, migrated SQLite file.
 */
async function serverRegistry() {
  const metrics = createMetrics();
  const emptySfu = { rooms: new Map(), pool: { health: { expected: 0, alive: 0 }, workers: [] } } as unknown as Sfu;
  registerSfuMetrics(metrics.registry, emptySfu);
  const db = openSqlite({ file: path.join(scratch, "metrics.sqlite") });
  await migrateToLatest(db as Kysely<unknown>);
  registerJobMetrics(metrics.registry, db);
  return { registry: metrics.registry, close: () => db.destroy() };
}

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
    const { registry, close } = await serverRegistry();
    const exported = new Map<string, { type: string; labels: string[] }>();
    for (const metric of await registry.getMetricsAsJSON()) {
      const labels = (registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
      exported.set(metric.name, { type: String(metric.type), labels });
    }
    await close();
    // The panels this dashboard exists for: HTTP latency, the SFU and the job queue.
    const queried = targets.map((t) => t.expr).join("\n");
    for (const name of ["plenary_http_request_duration_seconds_bucket", "plenary_sfu_rooms", "plenary_sfu_peers", "plenary_sfu_producers", "plenary_sfu_consumers", "plenary_sfu_worker_cpu_seconds", "plenary_jobs"]) {
      expect(queried, `no panel shows ${name}`).toContain(name);
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
