import { describe, expect, it } from "vitest";
import type { PromoCodeRow } from "./promo-codes.ts";
import { priceOrder } from "./pricing.ts";
import type { TicketTypeRow } from "./ticket-types.ts";

const type = (id: string, price: number) => ({ id, price, name: id }) as TicketTypeRow;
const types = new Map([["pass", type("pass", 2_500)], ["workshop", type("workshop", 999)], ["free", type("free", 0)]]);
const promo = (kind: "percent" | "amount", value: number, ticketTypeIds: string[] | null = null) =>
  ({ id: "p", kind, value, ticket_type_ids: ticketTypeIds ? JSON.stringify(ticketTypeIds) : null }) as PromoCodeRow;
const seats = (...ids: string[]) => ids.map((ticketTypeId) => ({ ticketTypeId }));
const noVat = { rateBp: 0, inclusive: true };

describe("priceOrder", () => {
  it("sums seats and takes a promo code off each seat it applies to", () => {
    expect(priceOrder(seats("pass", "pass", "workshop"), types, null, noVat).price).toEqual({ subtotal: 5_999, discount: 0, tax: 0, total: 5_999 });
    const percent = priceOrder(seats("pass", "workshop"), types, promo("percent", 1_000, ["pass"]), noVat);
    expect(percent.seats.map((s) => s.discount)).toEqual([250, 0]);
    expect(percent.price.total).toBe(3_249);
    // A fixed amount never takes a seat below zero.
    expect(priceOrder(seats("workshop", "free"), types, promo("amount", 1_500), noVat).price).toMatchObject({ discount: 999, total: 0 });
  });

  it("counts VAT inside prices or adds it on top", () => {
    expect(priceOrder(seats("pass"), types, null, { rateBp: 2_000, inclusive: true }).price).toEqual({ subtotal: 2_500, discount: 0, tax: 417, total: 2_500 });
    expect(priceOrder(seats("pass"), types, null, { rateBp: 2_000, inclusive: false }).price).toEqual({ subtotal: 2_500, discount: 0, tax: 500, total: 3_000 });
  });
});
