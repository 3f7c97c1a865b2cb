/**
 * The stand-in's memory: every Stripe object it has made, by id, each owned by the platform
 * (account null) or by a connected account (made with a `Stripe-Account` header), which is
 * what decides who may read it, as on Stripe.
 */
import { randomBytes } from "node:crypto";
import type { SettlementSettings } from "./settlement.ts";

export type StripeObject = { id: string; object: string; [field: string]: unknown };

/** An error that becomes Stripe's error body: `{ error: { type, code, message, param } }`. */
export class StripeApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | undefined;
  readonly param: string | undefined;

  constructor(status: number, type: string, message: string, extra: { code?: string; param?: string } = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = extra.code;
    this.param = extra.param;
  }

  static missingParam(param: string): StripeApiError {
    return new StripeApiError(400, "invalid_request_error", `Missing required param: ${param}.`, { code: "parameter_missing", param });
  }
  static invalidParam(param: string, message: string): StripeApiError {
    return new StripeApiError(400, "invalid_request_error", message, { code: "parameter_invalid", param });
  }
  /** A missing object: 404 when the URL names it, 400 when a parameter does (as Stripe answers). */
  static noSuch(kind: string, id: string, param = "id"): StripeApiError {
    return new StripeApiError(param === "id" ? 404 : 400, "invalid_request_error", `No such ${kind}: '${id}'`, { code: "resource_missing", param });
  }

  get body() {
    return { error: { type: this.type, message: this.message, ...(this.code ? { code: this.code } : {}), ...(this.param ? { param: this.param } : {}) } };
  }
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** An id shaped like Stripe's (`cs_test_a1B2…`, `pi_3Nx…`): prefix, underscore, 24 alphanumerics. */
export function stripeId(prefix: string): string {
  const bytes = randomBytes(24);
  let tail = "";
  for (const byte of bytes) tail += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return `${prefix}_${tail}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Stripe's list envelope. */
export function list(url: string, data: StripeObject[]) {
  return { object: "list", data, has_more: false, url };
}

export class StandinStore {
  // Every object by id, with the account that owns it (null: the platform).
  readonly #objects = new Map<string, { account: string | null; value: StripeObject }>();
  // What Stripe keeps about an object but does not show in it (a session's line items and
  // payment_intent_data), by object id.
  readonly #hidden = new Map<string, Record<string, unknown>>();

  /** The hidden fields of an object, created empty on first use. */
  hidden(id: string): Record<string, unknown> {
    let fields = this.#hidden.get(id);
    if (!fields) this.#hidden.set(id, (fields = {}));
    return fields;
  }

  put<T extends StripeObject>(account: string | null, value: T): T {
    this.#objects.set(value.id, { account, value });
    return value;
  }

  /** The object when it exists and the caller's account owns it; else Stripe's 404. */
  get(id: string, account: string | null, kind: string, param = "id"): StripeObject {
    const found = this.#objects.get(id);
    if (!found || found.account !== account || !kindMatches(found.value.object, kind)) throw StripeApiError.noSuch(kind, id, param);
    return found.value;
  }

  /** The object whatever its owner, for the stand-in's own bookkeeping (expand, control API). */
  find(id: string): StripeObject | undefined {
    return this.#objects.get(id)?.value;
  }

  ownerOf(id: string): string | null {
    return this.#objects.get(id)?.account ?? null;
  }

  all(object: string, account: string | null): StripeObject[] {
    return [...this.#objects.values()].filter((o) => o.account === account && o.value.object === object).map((o) => o.value);
  }

  /**
   * Replaces id strings by the objects they name along dotted paths, as Stripe's `expand[]`
   * does (`latest_charge.balance_transaction`). Works on a copy so the stored object keeps ids.
   */
  expand(value: StripeObject, paths: string[]): StripeObject {
    const copy = structuredClone(value);
    for (const path of paths) this.#expandPath(copy, path.split("."));
    return copy;
  }

  #expandPath(target: Record<string, unknown>, segments: string[]) {
    const [head, ...rest] = segments;
    const current = target[head];
    let next: unknown = current;
    if (typeof current === "string") {
      const found = this.find(current);
      if (!found) return;
      next = structuredClone(found);
      target[head] = next;
    }
    if (rest.length > 0 && next && typeof next === "object") this.#expandPath(next as Record<string, unknown>, rest);
  }
}

// "checkout.session" is asked for as such; the error names it the same way Stripe does.
function kindMatches(object: string, kind: string): boolean {
  return object === kind || object === kind.replace(/ /g, "_");
}

/** What the resource handlers share: the store, where the stand-in is, and how it emits events. */
export type StandinContext = {
  store: StandinStore;
  /** http://127.0.0.1:<port>, for hosted page URLs. */
  baseUrl: string;
  /** Records an event about `object` and sends it to the webhook endpoint. */
  emit(type: string, object: StripeObject, account: string | null, previous?: Record<string, unknown>): void;
  /** Stripe's processing fee on a charge of `amount` minor units. */
  processingFee(amount: number): number;
  /** Stripe's dispute fee, taken with the withdrawal; `returnedWhenWon`: given back with the reinstatement. */
  disputeFee: { amount: number; returnedWhenWon: boolean };
  /** Which currency each account settles in, and the fixed rates charges in other currencies are converted at. */
  settlement: SettlementSettings;
};
