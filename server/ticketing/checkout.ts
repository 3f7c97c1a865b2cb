/**
 * Checkout: POST /api/events/:id/checkout (signed in) or /guest-checkout (a guest's name and
 * address) with an Idempotency-Key header, limited per IP and buyer. The key belongs to its
 * caller (the account, or a guest's address) and to the request it was first sent with: the
 * same request again gets the same order, any other request with it 422. One transaction
 * checks the request (types on sale, per-order limits, answers, promo code, waitlist offer)
 * and takes the seats; a free order completes in it, a paid one stays pending with its seats
 * held for the event's hold_minutes while the buyer pays on the provider's page. The order
 * becomes paid only from the provider's verified webhook (payment-events.ts).
 */
import { createHash, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Transaction } from "kysely";
import { z } from "zod";
import { actorUserId } from "../accounts/actor.ts";
import type { DB } from "../db/schema.ts";
import { AppError, type FieldProblem } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { nowIso, publicBase, type TicketingContext } from "./context.ts";
import { CheckoutLimiter, CheckoutRateLimited } from "./checkout-limit.ts";
import { customerFor } from "./customers.ts";
import { completeOrder, endPendingOrder, enqueueIn, JOB_HOLD_EXPIRY } from "./fulfil.ts";
import { guardAccessCode, saleProblem, typeVisible, visibleEvent } from "./offer.ts";
import { orderPagePath } from "./guest-links.ts";
import { orderView } from "./order-view.ts";
import { commissionFor, commissionRate, priceOrder } from "./pricing.ts";
import { PromoCodeInvalid, promoCodeGuard, type PromoCodeRow, usePromoCode } from "./promo-codes.ts";
import { type Answers, checkAnswers } from "./questions.ts";
import { checkEventCapacity, countByType, soldOut, takeSeats } from "./seats.ts";
import { idParams } from "./ticket-types.ts";
import { claimOffer, sendOfferMails } from "./waitlist.ts";

const checkoutInput = z.strictObject({
  buyer: z.strictObject({ name: z.string().trim().min(1).max(120), email: z.email().max(254) }).optional(),
  seats: z
    .array(
      z.strictObject({
        ticketTypeId: z.uuid(),
        name: z.string().trim().min(1, "Who is this ticket for?").max(120),
        email: z.email("Enter a valid e-mail address").max(254),
        answers: z.record(z.string(), z.union([z.string().max(2_000), z.array(z.string().max(200)).max(50)])).default({}),
      }),
    )
    .min(1, "Choose at least one ticket")
    .max(50, "At most 50 tickets per order"),
  promoCode: z.string().trim().max(40).optional(),
  accessCode: z.string().trim().max(64).optional(),
  waitlistOffer: z.string().max(100).optional(),
});

const guestCheckoutInput = checkoutInput.extend({
  buyer: z.strictObject({ name: z.string().trim().min(1, "Enter your name").max(120), email: z.email("Enter a valid e-mail address").max(254) }),
});

const idempotencyKey = z.string().min(8, "Idempotency-Key must be 8 to 200 characters").max(200);

/** Stripe will not run a checkout that ends sooner than this. */
const PROVIDER_MIN_CHECKOUT_MS = 31 * 60_000;

/** Who is buying: an account holder, or a guest (userId null) known by name and e-mail address only. */
type Purchaser = { userId: string | null; email: string; name: string };

export function checkoutRoutes(app: FastifyInstance, ctx: TicketingContext) {
  const { db } = ctx;
  const limiter = new CheckoutLimiter({ perIpPerMinute: ctx.config.checkout.max_per_ip_per_minute, perBuyerPerMinute: ctx.config.checkout.max_per_buyer_per_minute });

  app.post("/api/events/:id/checkout", { config: { action: "checkout.create" } }, async (request, reply) => {
    const input = parseBody(checkoutInput, request.body);
    const user = await db.selectFrom("users").select(["id", "email", "display_name"]).where("id", "=", actorUserId(request.actor)!).executeTakeFirstOrThrow();
    return checkout(request, reply, input, { userId: user.id, email: user.email, name: user.display_name });
  });

  // Guests buy with a name and an address; their order page is reached by the key in its link.
  app.post("/api/events/:id/guest-checkout", { config: { action: "checkout.guest" } }, async (request, reply) => {
    const input = parseBody(guestCheckoutInput, request.body);
    return checkout(request, reply, input, { userId: null, email: input.buyer.email.toLowerCase(), name: input.buyer.name });
  });

  async function checkout(request: FastifyRequest, reply: FastifyReply, input: z.infer<typeof checkoutInput>, purchaser: Purchaser) {
    const { id: eventId } = parseBody(idParams, request.params);
    const header = idempotencyKey.safeParse(request.headers["idempotency-key"]);
    if (!header.success) throw AppError.badRequest("idempotency_key_required", "Send an Idempotency-Key header (8–200 characters) with each checkout");
    const key = createHash("sha256").update(`${purchaser.userId ?? `guest:${purchaser.email}`}:${header.data}`).digest("hex");
    const fingerprint = requestFingerprint(eventId, purchaser, input);
    const answer = async (status: number, orderId: string, checkoutUrl: string | null) => {
      const orderPage = purchaser.userId ? null : await orderPagePath(db, { id: orderId, user_id: null });
      return reply.code(status).send({ order: await orderView(db, orderId), checkoutUrl, orderPage });
    };
    // A replay only for the very request the key was first used with: another body (another
    // buyer's name, seats or codes with someone's address and key) learns nothing of the order.
    const replayOf = async (order: { id: string; idempotency_fingerprint: string | null }) => {
      if (order.idempotency_fingerprint !== fingerprint) throw keyReused();
      return answer(200, order.id, await openCheckoutUrl(ctx, order.id));
    };

    const replay = await db.selectFrom("orders").select(["id", "idempotency_fingerprint"]).where("idempotency_key", "=", key).executeTakeFirst();
    if (replay) return replayOf(replay);

    // Guessing limits, kept outside the order's transaction so a refused order still counts.
    await guardAccessCode(db, request.ip, eventId, input.accessCode);
    if (input.promoCode) await promoCodeGuard.assertMayTry(db, request.ip, eventId);

    await refuseWhenSoldOut(ctx, input);
    const buyer = input.buyer ?? { name: purchaser.name, email: purchaser.email };
    let placed: { orderId: string; paid: boolean; holdEnds: Date | null };
    try {
      placed = await db.transaction().execute(async (trx) => {
        // Counted in the order's transaction: an attempt that places no order gives its token back.
        await limiter.take(trx, request.ip, purchaser.userId ?? purchaser.email);
        return placeOrder(trx, ctx, request, { eventId, key, fingerprint, userId: purchaser.userId, userEmail: purchaser.email, buyer, input });
      });
    } catch (error) {
      // The same key sent twice at once: the first insert won; answer with its order.
      const raced = await db.selectFrom("orders").select(["id", "idempotency_fingerprint"]).where("idempotency_key", "=", key).executeTakeFirst();
      if (!raced) {
        if (error instanceof CheckoutRateLimited) void reply.header("retry-after", String(error.retryAfterSeconds));
        if (error instanceof PromoCodeInvalid) await promoCodeGuard.wrong(db, request.ip, eventId);
        throw error;
      }
      return replayOf(raced);
    }
    ctx.jobs.wake();
    const checkoutUrl = placed.paid ? null : await startProviderCheckout(ctx, request, placed.orderId, placed.holdEnds!, { userId: purchaser.userId, email: buyer.email });
    return answer(201, placed.orderId, checkoutUrl);
  }
}

type PlaceInput = {
  eventId: string;
  key: string;
  fingerprint: string;
  userId: string | null;
  userEmail: string;
  buyer: { name: string; email: string };
  input: z.infer<typeof checkoutInput>;
};

async function placeOrder(trx: Transaction<DB>, ctx: TicketingContext, request: FastifyRequest, p: PlaceInput) {
  const { input } = p;
  const at = nowIso();
  const { event, organizer } = await visibleEvent(trx, request.actor, p.eventId, input.accessCode);
  const typeIds = [...new Set(input.seats.map((s) => s.ticketTypeId))];
  const typeRows = await trx.selectFrom("ticket_types").selectAll().where("event_id", "=", p.eventId).where("id", "in", typeIds).execute();
  const types = new Map(typeRows.map((t) => [t.id, t]));
  const problems: FieldProblem[] = [];
  const counts = countByType(input.seats.map((s) => ({ ticket_type_id: s.ticketTypeId })));
  const offerType = input.waitlistOffer ? await claimOffer(trx, input.waitlistOffer, p.userEmail, at) : null;
  for (const [typeId, n] of counts) {
    const type = types.get(typeId);
    const path = `ticketType.${typeId}`;
    if (!type || (!typeVisible(event, type, input.accessCode, organizer) && offerType !== typeId)) {
      problems.push({ path, message: "No such ticket type for this event" });
      continue;
    }
    const notOnSale = saleProblem(event, type, at);
    if (notOnSale) problems.push({ path, message: notOnSale });
    else if (n < type.min_per_order) problems.push({ path, message: `Choose at least ${type.min_per_order}` });
    else if (n > type.max_per_order) problems.push({ path, message: `Choose at most ${type.max_per_order}` });
  }
  if (offerType && !counts.has(offerType)) problems.push({ path: "waitlistOffer", message: "The offer is for another ticket type" });
  const questions = await trx.selectFrom("registration_questions").selectAll().where("event_id", "=", p.eventId).execute();
  const answers = input.seats.map((seat, i) => {
    const checked = checkAnswers(questions, seat.answers as Answers, `seats.${i}`);
    problems.push(...checked.problems);
    return checked.kept;
  });
  if (problems.length > 0) throw new AppError("validation_failed", 400, "Some fields are not valid", problems);

  for (const [typeId, n] of counts) {
    const already = typeId === offerType ? 1 : 0;
    if (n > already && !(await takeSeats(trx, typeId, n - already, "held"))) throw soldOut(typeId);
  }
  await checkEventCapacity(trx, p.eventId);

  const promo: PromoCodeRow | null = input.promoCode ? await usePromoCode(trx, p.eventId, input.promoCode, at) : null;
  const { seats, price } = priceOrder(input.seats, types, promo, { rateBp: event.vat_rate_bp, inclusive: event.vat_inclusive === 1 });
  const paid = price.total === 0;
  if (!paid && !ctx.provider) throw AppError.conflict("payments_disabled", "This server cannot take payments; only free tickets can be ordered");
  const rate = paid ? 0 : await commissionRate(trx, event.organization_id);
  const orderId = randomUUID();
  const holdEnds = paid ? null : new Date(Date.now() + event.hold_minutes * 60_000);
  await trx
    .insertInto("orders")
    .values({
      id: orderId, event_id: p.eventId, user_id: p.userId, buyer_name: p.buyer.name, buyer_email: p.buyer.email.toLowerCase(), status: "pending",
      currency: event.currency, subtotal: price.subtotal, discount: price.discount, tax: price.tax, total: price.total,
      commission: commissionFor(price.total, rate), vat_rate_bp: event.vat_rate_bp, vat_inclusive: event.vat_inclusive,
      promo_code_id: promo?.id ?? null, provider: paid ? "free" : ctx.provider!.name as "stripe", hold_expires_at: holdEnds?.toISOString() ?? null,
      idempotency_key: p.key, idempotency_fingerprint: p.fingerprint, created_at: at, updated_at: at,
    })
    .execute();
  await trx
    .insertInto("order_items")
    .values(input.seats.map((seat, i) => ({
      id: randomUUID(), order_id: orderId, ticket_type_id: seat.ticketTypeId, unit_amount: seats[i].unitAmount, discount: seats[i].discount,
      holder_name: seat.name, holder_email: seat.email.toLowerCase(), answers: JSON.stringify(answers[i]),
    })))
    .execute();
  if (paid) await completeOrder(trx, ctx, orderId, { paymentId: null, payment: null });
  else await enqueueIn(trx, JOB_HOLD_EXPIRY, `hold:${orderId}`, { orderId }, holdEnds!);
  return { orderId, paid, holdEnds };
}

/** Stripe's answer to the same case, in its words. */
const keyReused = () =>
  new AppError("idempotency_key_reused", 422, "Keys for idempotent requests can only be used with the same parameters they were first used with; send a new Idempotency-Key for a new checkout");

/**
 * What makes two checkouts the same request: the event, who asks (account or guest address),
 * the buyer, each seat with its answers, and the codes. Keys are sorted so the order of JSON
 * properties does not matter; e-mail addresses and codes compare as the checkout reads them.
 */
function requestFingerprint(eventId: string, purchaser: Purchaser, input: z.infer<typeof checkoutInput>): string {
  const canonical = {
    eventId,
    caller: purchaser.userId ?? `guest:${purchaser.email}`,
    buyer: input.buyer ? { name: input.buyer.name, email: input.buyer.email.toLowerCase() } : null,
    seats: input.seats.map((seat) => ({ ticketTypeId: seat.ticketTypeId, name: seat.name, email: seat.email.toLowerCase(), answers: seat.answers })),
    promoCode: input.promoCode?.toUpperCase() || null,
    accessCode: input.accessCode?.toUpperCase() || null,
    waitlistOffer: input.waitlistOffer ?? null,
  };
  return createHash("sha256").update(JSON.stringify(canonical, sortedKeys)).digest("hex");
}

// A JSON.stringify replacer that writes every object's keys in sorted order.
function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A read before the write transaction: in a rush for the last seats most buyers are told
 * "sold out" here without queueing for the write lock. The transaction stays the judge.
 */
async function refuseWhenSoldOut(ctx: TicketingContext, input: z.infer<typeof checkoutInput>) {
  if (input.waitlistOffer) return;
  const counts = countByType(input.seats.map((s) => ({ ticket_type_id: s.ticketTypeId })));
  const rows = await ctx.db.selectFrom("ticket_types").select(["id", "quantity", "sold", "held"]).where("id", "in", [...counts.keys()]).execute();
  for (const row of rows) if (row.sold + row.held + (counts.get(row.id) ?? 0) > row.quantity) throw soldOut(row.id);
}

/** Creates the provider's hosted checkout for a pending order; an order the provider refuses is ended at once. */
async function startProviderCheckout(ctx: TicketingContext, request: FastifyRequest, orderId: string, holdEnds: Date, buyer: { userId: string | null; email: string }): Promise<string | null> {
  const { db } = ctx;
  const order = await db.selectFrom("orders").innerJoin("events", "events.id", "orders.event_id").select(["orders.currency", "orders.commission", "events.organization_id", "events.title"]).where("orders.id", "=", orderId).executeTakeFirstOrThrow();
  const org = await db.selectFrom("organizations").select(["payout_account_id", "payout_ready"]).where("id", "=", order.organization_id).executeTakeFirstOrThrow();
  const items = await db.selectFrom("order_items").innerJoin("ticket_types", "ticket_types.id", "order_items.ticket_type_id").select(["ticket_types.name", "order_items.unit_amount", "order_items.discount"]).where("order_id", "=", orderId).execute();
  const full = await db.selectFrom("orders").select(["tax", "vat_inclusive", "vat_rate_bp"]).where("id", "=", orderId).executeTakeFirstOrThrow();
  const lines = new Map<string, { name: string; unitAmount: number; quantity: number }>();
  for (const item of items) {
    const unit = item.unit_amount - item.discount;
    const line = lines.get(`${item.name}:${unit}`) ?? { name: `${item.name} — ${order.title}`, unitAmount: unit, quantity: 0 };
    line.quantity += 1;
    lines.set(`${item.name}:${unit}`, line);
  }
  const checkoutLines = [...lines.values()].filter((l) => l.unitAmount > 0);
  if (!full.vat_inclusive && full.tax > 0) checkoutLines.push({ name: `VAT ${full.vat_rate_bp / 100} %`, unitAmount: full.tax, quantity: 1 });
  const base = await publicBase(ctx, request.server.listenUrl());
  const page = await orderPagePath(db, { id: orderId, user_id: buyer.userId });
  try {
    const checkout = await ctx.provider!.createCheckout({
      orderId, currency: order.currency, lines: checkoutLines,
      successUrl: `${base}${withQuery(page, "paid=1")}`, cancelUrl: `${base}${withQuery(page, "cancelled=1")}`,
      expiresAt: new Date(Math.max(holdEnds.getTime(), Date.now() + PROVIDER_MIN_CHECKOUT_MS)),
      customerEmail: buyer.email,
      // Guests have no account to save cards under.
      customerId: buyer.userId ? await customerFor(ctx, buyer.userId) : undefined,
      payee: org.payout_account_id && org.payout_ready ? { accountId: org.payout_account_id, applicationFee: order.commission } : undefined,
      idempotencyKey: `checkout:${orderId}`,
    });
    await db.updateTable("orders").set({ checkout_id: checkout.id, updated_at: nowIso() }).where("id", "=", orderId).execute();
    return checkout.url;
  } catch (error) {
    const offers = await db.transaction().execute((trx) => endPendingOrder(trx, ctx, orderId, "cancelled"));
    await sendOfferMails(ctx, offers ?? [], base);
    throw error;
  }
}

const withQuery = (path: string, query: string) => `${path}${path.includes("?") ? "&" : "?"}${query}`;

/** The hosted payment page of a pending order, when it is still open. */
export async function openCheckoutUrl(ctx: TicketingContext, orderId: string): Promise<string | null> {
  const order = await ctx.db.selectFrom("orders").select(["status", "checkout_id"]).where("id", "=", orderId).executeTakeFirstOrThrow();
  if (order.status !== "pending" || !order.checkout_id || !ctx.provider) return null;
  const checkout = await ctx.provider.retrieveCheckout(order.checkout_id).catch(() => null);
  return checkout?.state === "open" ? checkout.url : null;
}
