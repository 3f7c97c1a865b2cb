import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest } from "../db/migrate.ts";
import type { DB } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import { CheckoutLimiter, CheckoutRateLimited } from "./checkout-limit.ts";

let db: Kysely<DB>;

beforeAll(async () => {
  db = openSqlite({ file: ":memory:" });
  await migrateToLatest(db as Kysely<unknown>);
});
afterAll(async () => {
  await db.destroy();
});

/** One take in its own transaction, as the checkout does: the seconds to wait, 0 when allowed. */
async function take(limiter: CheckoutLimiter, ip: string, buyer: string, now: number): Promise<number> {
  try {
    await db.transaction().execute((trx) => limiter.take(trx, ip, buyer, now));
    return 0;
  } catch (error) {
    if (error instanceof CheckoutRateLimited) return error.retryAfterSeconds;
    throw error;
  }
}

const bucket = (key: string) => db.selectFrom("checkout_buckets").select(["tokens", "at"]).where("key", "=", key).executeTakeFirst();

describe("CheckoutLimiter", () => {
  it("allows a minute's allowance at once, then one per refill interval, per buyer and per IP", async () => {
    const limiter = new CheckoutLimiter({ perIpPerMinute: 4, perBuyerPerMinute: 2 });
    const t0 = 1_000_000;
    expect(await take(limiter, "10.0.0.1", "ada", t0)).toBe(0);
    expect(await take(limiter, "10.0.0.1", "ada", t0)).toBe(0);
    // Ada's two are used: one more comes back in 30 s.
    expect(await take(limiter, "10.0.0.1", "ada", t0)).toBe(30);
    expect(await take(limiter, "10.0.0.1", "ada", t0 + 10_000)).toBe(20);
    expect(await take(limiter, "10.0.0.1", "ADA", t0 + 30_000)).toBe(0);
    // Refused attempts took nothing from the address, which is full again after 30 s: 3 left.
    expect(await take(limiter, "10.0.0.1", "bob", t0 + 30_000)).toBe(0);
    expect(await take(limiter, "10.0.0.1", "cy", t0 + 30_000)).toBe(0);
    expect(await take(limiter, "10.0.0.1", "di", t0 + 30_000)).toBe(0);
    expect(await take(limiter, "10.0.0.1", "ed", t0 + 30_000)).toBe(15);
    expect(await take(limiter, "10.0.0.2", "ed", t0 + 30_000)).toBe(0);
  });

  it("keeps the buckets in the database: a new limiter (a restarted server) goes on from them", async () => {
    const t0 = 5_000_000;
    const before = new CheckoutLimiter({ perIpPerMinute: 10, perBuyerPerMinute: 1 });
    expect(await take(before, "10.1.0.1", "restart@example.org", t0)).toBe(0);
    const after = new CheckoutLimiter({ perIpPerMinute: 10, perBuyerPerMinute: 1 });
    expect(await take(after, "10.1.0.1", "restart@example.org", t0 + 1_000)).toBe(59);
    expect(await bucket("buyer:restart@example.org")).toEqual({ tokens: 0, at: t0 });
  });

  it("takes nothing when the caller's transaction rolls back, and never refills backwards", async () => {
    const limiter = new CheckoutLimiter({ perIpPerMinute: 10, perBuyerPerMinute: 2 });
    const t0 = 9_000_000;
    await expect(
      db.transaction().execute(async (trx) => {
        await limiter.take(trx, "10.2.0.1", "rolled", t0);
        throw new Error("seats gone");
      }),
    ).rejects.toThrow("seats gone");
    expect(await bucket("buyer:rolled")).toBeUndefined();
    expect(await take(limiter, "10.2.0.1", "rolled", t0)).toBe(0);
    // The clock set back a minute: no tokens come from the negative interval.
    expect(await take(limiter, "10.2.0.1", "rolled", t0 - 60_000)).toBe(0);
    expect(await take(limiter, "10.2.0.1", "rolled", t0 - 60_000)).toBe(30);
  });

  it("deletes buckets idle for a minute (full again) at most once a minute", async () => {
    const limiter = new CheckoutLimiter({ perIpPerMinute: 10, perBuyerPerMinute: 5 });
    const t0 = 20_000_000;
    await take(limiter, "10.3.0.1", "old", t0);
    // This process's first take prunes: everything idle since the earlier tests goes.
    expect(await bucket("buyer:old")).toBeDefined();
    expect(await bucket("buyer:ada")).toBeUndefined();
    await take(limiter, "10.3.0.2", "newer", t0 + 59_000);
    expect(await bucket("buyer:old")).toBeDefined();
    await take(limiter, "10.3.0.3", "newest", t0 + 61_000);
    expect(await bucket("buyer:old")).toBeUndefined();
    expect(await bucket("buyer:newer")).toBeDefined();
    expect(await db.selectFrom("checkout_buckets").select("key").orderBy("key").execute()).toEqual(
      ["buyer:newer", "buyer:newest", "ip:10.3.0.2", "ip:10.3.0.3"].map((key) => ({ key })),
    );
  });
});
