import { Writable } from "node:stream";
import { expect, it } from "vitest";
import { createLogger } from "./log.ts";

it("never writes passwords, tokens or auth headers to the log", () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger("info", sink);
  log.info({ password: "hunter22", body: { password: "p", token: "t" }, req: { headers: { authorization: "Bearer abc", cookie: "s=1" } } }, "x");
  const text = lines.join("");
  for (const secret of ["hunter22", '"p"', '"t"', "Bearer abc", "s=1"]) expect(text).not.toContain(secret);
  expect(text).toContain("<redacted>");
});
