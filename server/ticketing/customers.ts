/**
 * The buyer's customer at the payment provider, made at their first paid checkout, so the
 * card they pay with is saved and offered again next time. Without it (a provider that has
 * no customers, or one that failed to make one) checkout goes on with the e-mail alone.
 */
import { nowIso, type TicketingContext } from "./context.ts";

export async function customerFor(ctx: TicketingContext, userId: string): Promise<string | undefined> {
  const provider = ctx.provider;
  if (!provider?.createCustomer) return undefined;
  const saved = await ctx.db.selectFrom("payment_customers").select("customer_id").where("user_id", "=", userId).where("provider", "=", provider.name).executeTakeFirst();
  if (saved) return saved.customer_id;
  const user = await ctx.db.selectFrom("users").select(["email", "display_name"]).where("id", "=", userId).executeTakeFirstOrThrow();
  try {
    // Keyed by user: two first checkouts at once make one customer, and the second insert is a no-op.
    const customerId = await provider.createCustomer({ userId, email: user.email, name: user.display_name, idempotencyKey: `customer:${userId}` });
    await ctx.db
      .insertInto("payment_customers")
      .values({ user_id: userId, provider: provider.name, customer_id: customerId, created_at: nowIso() })
      .onConflict((oc) => oc.columns(["user_id", "provider"]).doNothing())
      .execute();
    return customerId;
  } catch (error) {
    ctx.log.warn({ err: error, userId }, "could not make a payment customer; checking out without saved cards");
    return undefined;
  }
}
