import { type Kysely, sql } from "kysely";

/**
 * Ticketing: ticket types and the sessions they grant, promo codes, registration questions,
 * orders with one item per seat, tickets, refunds, disputes, the payment provider's webhook
 * events (each processed once), the revenue ledger, and the waitlist.
 *
 * Seats: `ticket_types.held` counts seats in open checkouts and `sold` seats in completed
 * orders; one transaction checks `sold + held + n <= quantity` and takes them, so a type is
 * never oversold. Money is integer minor units, rates basis points; timestamps ISO text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("ticket_types")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    // 0: free.
    .addColumn("price", "integer", (c) => c.notNull().check(sql`price >= 0`))
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("quantity", "integer", (c) => c.notNull().check(sql`quantity >= 0`))
    .addColumn("held", "integer", (c) => c.notNull().defaultTo(0).check(sql`held >= 0`))
    .addColumn("sold", "integer", (c) => c.notNull().defaultTo(0).check(sql`sold >= 0`))
    .addColumn("sale_starts_at", "text")
    .addColumn("sale_ends_at", "text")
    .addColumn("min_per_order", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("max_per_order", "integer", (c) => c.notNull().defaultTo(10))
    // Hidden types are offered only with the event's access code or their own.
    .addColumn("hidden", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("access_code_hash", "text")
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addCheckConstraint("ticket_types_not_oversold", sql`sold + held <= quantity`)
    .execute();
  await db.schema.createIndex("ticket_types_event").on("ticket_types").column("event_id").execute();

  // A ticket type without rows here grants every session of its event.
  await db.schema
    .createTable("ticket_type_sessions")
    .addColumn("ticket_type_id", "text", (c) => c.notNull().references("ticket_types.id").onDelete("cascade"))
    .addColumn("session_id", "text", (c) => c.notNull().references("event_sessions.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("ticket_type_sessions_pk", ["ticket_type_id", "session_id"])
    .execute();

  await db.schema
    .createTable("promo_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    // Stored upper case; buyers type it in any case.
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('percent', 'amount')`))
    // Basis points for percent, minor units for amount.
    .addColumn("value", "integer", (c) => c.notNull().check(sql`value > 0`))
    .addColumn("max_uses", "integer")
    .addColumn("used", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("valid_from", "text")
    .addColumn("valid_until", "text")
    // JSON array of ticket type ids it applies to; null: all.
    .addColumn("ticket_type_ids", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("promo_codes_event_code", ["event_id", "code"])
    .execute();

  await db.schema
    .createTable("registration_questions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('text', 'choice', 'multi_choice')`))
    // JSON array of strings for choice kinds.
    .addColumn("choices", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("required", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("orders")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("restrict"))
    .addColumn("user_id", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("buyer_name", "text", (c) => c.notNull())
    .addColumn("buyer_email", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('pending', 'paid', 'expired', 'cancelled', 'refunded', 'partially_refunded')`),
    )
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("subtotal", "integer", (c) => c.notNull())
    .addColumn("discount", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("tax", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("refunded", "integer", (c) => c.notNull().defaultTo(0))
    // The platform's commission on this order (a Connect application fee on Stripe).
    .addColumn("commission", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("vat_rate_bp", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("vat_inclusive", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("promo_code_id", "text", (c) => c.references("promo_codes.id").onDelete("set null"))
    .addColumn("provider", "text", (c) => c.notNull().check(sql`provider in ('free', 'stripe', 'paypal')`))
    .addColumn("checkout_id", "text", (c) => c.unique())
    .addColumn("payment_id", "text")
    // Seats are held until then while the order is pending.
    .addColumn("hold_expires_at", "text")
    // The client's key for this checkout: a retried request returns the same order.
    .addColumn("idempotency_key", "text", (c) => c.unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("paid_at", "text")
    .addColumn("cancelled_at", "text")
    .execute();
  await db.schema.createIndex("orders_event").on("orders").columns(["event_id", "status"]).execute();
  await db.schema.createIndex("orders_user").on("orders").column("user_id").execute();
  await db.schema.createIndex("orders_hold").on("orders").columns(["status", "hold_expires_at"]).execute();

  // One row per seat: who it is for and their answers.
  await db.schema
    .createTable("order_items")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull().references("orders.id").onDelete("cascade"))
    .addColumn("ticket_type_id", "text", (c) => c.notNull().references("ticket_types.id").onDelete("restrict"))
    .addColumn("unit_amount", "integer", (c) => c.notNull())
    .addColumn("discount", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("holder_name", "text", (c) => c.notNull())
    .addColumn("holder_email", "text", (c) => c.notNull())
    // JSON object: question id → answer (string or array of strings).
    .addColumn("answers", "text", (c) => c.notNull().defaultTo("{}"))
    .execute();
  await db.schema.createIndex("order_items_order").on("order_items").column("order_id").execute();

  await db.schema
    .createTable("tickets")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull().references("orders.id").onDelete("cascade"))
    .addColumn("order_item_id", "text", (c) => c.notNull().unique().references("order_items.id").onDelete("cascade"))
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("restrict"))
    .addColumn("ticket_type_id", "text", (c) => c.notNull().references("ticket_types.id").onDelete("restrict"))
    // The account that holds it (the buyer, or the attendee once they claim it).
    .addColumn("user_id", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("holder_name", "text", (c) => c.notNull())
    .addColumn("holder_email", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("valid").check(sql`status in ('valid', 'cancelled', 'refunded', 'revoked')`))
    .addColumn("status_reason", "text", (c) => c.notNull().defaultTo(""))
    // The signed code in the QR image (server/tickets/ticket-code.ts).
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("tickets_event").on("tickets").columns(["event_id", "status"]).execute();
  await db.schema.createIndex("tickets_user").on("tickets").column("user_id").execute();
  await db.schema.createIndex("tickets_email").on("tickets").column("holder_email").execute();

  await db.schema
    .createTable("refunds")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull().references("orders.id").onDelete("cascade"))
    .addColumn("provider_refund_id", "text", (c) => c.unique())
    .addColumn("amount", "integer", (c) => c.notNull().check(sql`amount > 0`))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending', 'succeeded', 'failed')`))
    .addColumn("reason", "text", (c) => c.notNull().defaultTo(""))
    // JSON array of the ticket ids it cancels.
    .addColumn("ticket_ids", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("created_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("settled_at", "text")
    .execute();
  await db.schema.createIndex("refunds_order").on("refunds").column("order_id").execute();

  await db.schema
    .createTable("disputes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.references("orders.id").onDelete("set null"))
    .addColumn("provider_dispute_id", "text", (c) => c.notNull().unique())
    .addColumn("amount", "integer", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  // Each provider webhook event is processed once, in the transaction that applies it.
  await db.schema
    .createTable("payment_events")
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    // When the provider created it: older events never undo newer state.
    .addColumn("created", "text", (c) => c.notNull())
    .addColumn("processed_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("payment_events_pk", ["provider", "event_id"])
    .execute();

  // Signed amounts: what the organization gains (+) or loses (−), per order where there is one.
  await db.schema
    .createTable("ledger_entries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id").onDelete("restrict"))
    .addColumn("event_id", "text", (c) => c.references("events.id").onDelete("set null"))
    .addColumn("order_id", "text", (c) => c.references("orders.id").onDelete("set null"))
    .addColumn("kind", "text", (c) =>
      c.notNull().check(sql`kind in ('sale', 'provider_fee', 'commission', 'refund', 'payout', 'dispute', 'dispute_reversal')`),
    )
    .addColumn("amount", "integer", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    // The provider object behind it (payment, refund, payout, dispute id): one entry per kind each.
    .addColumn("reference", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("ledger_entries_once", ["kind", "reference"])
    .execute();
  await db.schema.createIndex("ledger_entries_org").on("ledger_entries").columns(["organization_id", "created_at"]).execute();
  await db.schema.createIndex("ledger_entries_event").on("ledger_entries").columns(["event_id", "created_at"]).execute();

  await db.schema
    .createTable("waitlist_entries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("ticket_type_id", "text", (c) => c.notNull().references("ticket_types.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("waiting").check(sql`status in ('waiting', 'offered', 'claimed', 'expired', 'left')`))
    .addColumn("offer_token_hash", "text", (c) => c.unique())
    .addColumn("offer_expires_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("waitlist_once", ["ticket_type_id", "email"])
    .execute();
  await db.schema.createIndex("waitlist_entries_queue").on("waitlist_entries").columns(["ticket_type_id", "status", "created_at"]).execute();
}
