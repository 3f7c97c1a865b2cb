/**
 * The cost of authenticating: a session check (one indexed read of a real SQLite file,
 * through kysely, as every cookie request does) and a room join token verification
 * (EdDSA signature, no database), each against baselines in the same run: a bare SHA-256
 * of the token (the floor under any session lookup) and a bare Ed25519 signature check
 * with node:crypto (the floor under any join token check). Prints operations per second
 * and the median cost per operation.
 *
 *   node bench/auth.ts [--ops 20000]
 */
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Kysely } from "kysely";
import { mintJoinToken, verifyJoinToken } from "../server/accounts/join-tokens.ts";
import { SigningKeys } from "../server/accounts/keys.ts";
import { createSession, validateSessionToken } from "../server/accounts/sessions.ts";
import { hashSecret } from "../server/accounts/tokens.ts";
import { createUser } from "../server/accounts/users.ts";
import { migrateToLatest } from "../server/db/migrate.ts";
import { openSqlite } from "../server/db/sqlite.ts";

const { values } = parseArgs({ options: { ops: { type: "string", default: "20000" } } });
const OPS = Number(values.ops);

type Result = { name: string; perSecond: number; medianUs: number; p99Us: number };

async function measure(name: string, op: () => unknown): Promise<Result> {
  for (let i = 0; i < Math.min(2_000, OPS / 10); i++) await op();
  const samples = new Float64Array(OPS);
  const started = performance.now();
  for (let i = 0; i < OPS; i++) {
    const t = performance.now();
    await op();
    samples[i] = performance.now() - t;
  }
  const elapsed = (performance.now() - started) / 1_000;
  samples.sort();
  return { name, perSecond: OPS / elapsed, medianUs: samples[OPS >> 1] * 1_000, p99Us: samples[Math.floor(OPS * 0.99)] * 1_000 };
}

const dir = mkdtempSync(path.join(tmpdir(), "plenary-bench-auth-"));
try {
  const db = openSqlite({ file: path.join(dir, "bench.sqlite") });
  await migrateToLatest(db as Kysely<unknown>);
  const someone = (await createUser(db, { email: "bench@bench.test", displayName: "Bench", password: "bench password 1" }, "user")).id;
  // Enough sessions that the lookup is a real index search.
  for (let i = 0; i < 10_000; i++) await createSession(db, someone, { userAgent: "", ip: "" }, 30);
  const { token } = await createSession(db, someone, { userAgent: "", ip: "" }, 30);

  const keys = await SigningKeys.load(path.join(dir, "keys"));
  const joinToken = await mintJoinToken(keys, { identity: someone, name: "Bench", grants: { room: "bench-room", canPublish: true } });

  const pair = generateKeyPairSync("ed25519");
  const signed = Buffer.from(joinToken.slice(0, joinToken.lastIndexOf(".")));
  const signature = sign(null, signed, pair.privateKey);

  const results = [
    await measure("sha-256 of a token (baseline)", () => hashSecret(token)),
    await measure("bare ed25519 check (baseline)", () => verify(null, signed, pair.publicKey, signature)),
    await measure("session validation", async () => {
      if (!(await validateSessionToken(db, token, 30))) throw new Error("session lost");
    }),
    await measure("join token verification", () => verifyJoinToken(keys, joinToken)),
  ];
  // Each measured operation against its own floor: sessions against hashing, tokens against the signature.
  const baselineOf = [0, 1, 0, 1];
  console.log(`\n${OPS} operations each (Node ${process.version})\n`);
  console.log("operation                       ops/s      median µs   p99 µs    × its baseline");
  results.forEach((r, i) => {
    const ratio = r.medianUs / results[baselineOf[i]].medianUs;
    console.log(
      `${r.name.padEnd(30)} ${Math.round(r.perSecond).toString().padStart(8)}   ${r.medianUs.toFixed(1).padStart(9)}   ${r.p99Us.toFixed(1).padStart(7)}   ${ratio.toFixed(1).padStart(8)}`,
    );
  });
  await db.destroy();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
