import type { Kysely } from "kysely";

/**
 * Commerce hardening.
 *
 * Rate buckets: `checkout_buckets` now holds every limit Plenary keeps in the database (the
 * checkout starts of 0021, and wrong access codes and promo codes per address and per event),
 * so a restart does not give a guesser a fresh allowance. A bucket refills `per_minute` tokens
 * a minute up to `capacity`; null keeps the checkout buckets' rule, a minute's allowance.
 *
 * Orders: `idempotency_fingerprint` is the SHA-256 of the checkout request an Idempotency-Key
 * was first used with (event, seats with their answers, buyer, codes), so the key replays only
 * that request; null on orders placed before it, which then replay nothing. `payment_problem`
 * says why a payment the provider reported was not applied to the order (an amount or checkout
 * that does not match it), for organizers and admins to look into; null when there is none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("checkout_buckets").addColumn("capacity", "real").execute();
  await db.schema.alterTable("orders").addColumn("idempotency_fingerprint", "text").execute();
  await db.schema.alterTable("orders").addColumn("payment_problem", "text").execute();
}
