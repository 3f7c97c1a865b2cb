/** deploy/Jenkinsfile: the same steps as .ci/run, and valid Groovy. */
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { need, read, run, scratchDir } from "./support.ts";

const scratch = scratchDir();

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
