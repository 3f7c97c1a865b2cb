/**
 * Stripe's /v1 HTTP API as the stand-in answers it: Bearer (or Basic) key check,
 * `Stripe-Account` for Connect, `Idempotency-Key` replay, routes, and Stripe's error bodies.
 */
import { createHash } from "node:crypto";
import Stripe from "stripe";
import { createCheckoutSession, expireCheckoutSession, lineItems, retrieveCheckoutSession } from "./checkout.ts";
import { createAccount, createAccountLink, createCustomer, createSetupIntent, detachPaymentMethod, listPaymentMethods } from "./customers.ts";
import { expandList, type Params, parseParams, requiredString } from "./params.ts";
import { createRefund, type RefundStatus } from "./refunds.ts";
import { list, type StandinContext, StripeApiError, type StripeObject, stripeId } from "./store.ts";

export type ApiRequest = { method: string; path: string; query: string; body: string; headers: Record<string, string | string[] | undefined> };
export type ApiResponse = { status: number; body: unknown; headers: Record<string, string> };

type Handler = (ctx: StandinContext, account: string | null, params: Params, ids: string[]) => unknown;
type Route = { method: "GET" | "POST"; pattern: RegExp; handler: Handler };

const ID = "([A-Za-z0-9_]+)";
const retrieve = (kind: string): Handler => (ctx, account, params, [id]) => ctx.store.expand(ctx.store.get(id, account, kind), expandList(params));

export type ApiState = {
  /** The secret key requests must carry. */
  apiKey: string;
  /** Status a new refund starts in (Stripe's card refunds are usually succeeded at once). */
  refundStatus: RefundStatus;
  /** Errors to answer the next requests with, before they are handled (and never saved for idempotency). */
  injectedFailures: { status: number; type: string; message: string }[];
  /** Every request seen, for tests that check what Plenary sent. */
  requests: { method: string; path: string; params: Params; account: string | null; idempotencyKey: string | null; stripeVersion: string | null }[];
};

function routes(state: ApiState): Route[] {
  return [
    { method: "POST", pattern: /^\/v1\/checkout\/sessions$/, handler: (ctx, account, params) => createCheckoutSession(ctx, account, params) },
    {
      method: "GET",
      pattern: /^\/v1\/checkout\/sessions$/,
      handler: (ctx, account, params) => {
        const filters = ["payment_intent", "customer", "client_reference_id"].filter((f) => typeof params[f] === "string");
        const found = ctx.store.all("checkout.session", account).filter((s) => filters.every((f) => s[f] === params[f]));
        return list("/v1/checkout/sessions", found);
      },
    },
    { method: "GET", pattern: new RegExp(`^/v1/checkout/sessions/${ID}$`), handler: (ctx, account, params, [id]) => retrieveCheckoutSession(ctx, account, id, expandList(params)) },
    {
      method: "GET",
      pattern: new RegExp(`^/v1/checkout/sessions/${ID}/line_items$`),
      handler: (ctx, account, _params, [id]) => (ctx.store.get(id, account, "checkout.session"), lineItems(ctx, id)),
    },
    { method: "POST", pattern: new RegExp(`^/v1/checkout/sessions/${ID}/expire$`), handler: (ctx, account, _params, [id]) => expireCheckoutSession(ctx, account, id) },
    { method: "GET", pattern: new RegExp(`^/v1/payment_intents/${ID}$`), handler: retrieve("payment_intent") },
    { method: "GET", pattern: new RegExp(`^/v1/charges/${ID}$`), handler: retrieve("charge") },
    { method: "GET", pattern: new RegExp(`^/v1/balance_transactions/${ID}$`), handler: retrieve("balance_transaction") },
    { method: "POST", pattern: /^\/v1\/refunds$/, handler: (ctx, account, params) => createRefund(ctx, account, params, state.refundStatus) },
    { method: "GET", pattern: new RegExp(`^/v1/refunds/${ID}$`), handler: retrieve("refund") },
    { method: "GET", pattern: new RegExp(`^/v1/disputes/${ID}$`), handler: retrieve("dispute") },
    { method: "GET", pattern: new RegExp(`^/v1/payouts/${ID}$`), handler: retrieve("payout") },
    { method: "POST", pattern: /^\/v1\/customers$/, handler: (ctx, account, params) => createCustomer(ctx, account, params) },
    { method: "GET", pattern: new RegExp(`^/v1/customers/${ID}$`), handler: retrieve("customer") },
    { method: "GET", pattern: new RegExp(`^/v1/customers/${ID}/payment_methods$`), handler: (ctx, account, params, [id]) => listPaymentMethods(ctx, account, id, params) },
    { method: "POST", pattern: /^\/v1\/setup_intents$/, handler: (ctx, account, params) => createSetupIntent(ctx, account, params) },
    { method: "GET", pattern: new RegExp(`^/v1/setup_intents/${ID}$`), handler: retrieve("setup_intent") },
    { method: "GET", pattern: /^\/v1\/payment_methods$/, handler: (ctx, account, params) => listPaymentMethods(ctx, account, requiredString(params, "customer"), params) },
    { method: "GET", pattern: new RegExp(`^/v1/payment_methods/${ID}$`), handler: retrieve("payment_method") },
    { method: "POST", pattern: new RegExp(`^/v1/payment_methods/${ID}/detach$`), handler: (ctx, account, _params, [id]) => detachPaymentMethod(ctx, account, id) },
    { method: "POST", pattern: /^\/v1\/accounts$/, handler: (ctx, _account, params) => createAccount(ctx, params) },
    { method: "GET", pattern: new RegExp(`^/v1/accounts/${ID}$`), handler: (ctx, _account, params, [id]) => ctx.store.expand(ctx.store.get(id, null, "account"), expandList(params)) },
    { method: "POST", pattern: /^\/v1\/account_links$/, handler: (ctx, _account, params) => createAccountLink(ctx, params) },
    { method: "GET", pattern: new RegExp(`^/v1/application_fees/${ID}$`), handler: (ctx, _account, params, [id]) => ctx.store.expand(ctx.store.get(id, null, "application_fee"), expandList(params)) },
    { method: "GET", pattern: new RegExp(`^/v1/events/${ID}$`), handler: retrieve("event") },
  ];
}

type SavedResponse = { method: string; path: string; fingerprint: string; status: number; body: unknown };

export class StandinApi {
  readonly #ctx: StandinContext;
  readonly #state: ApiState;
  readonly #routes: Route[];
  // Responses saved by idempotency key (scoped by account), as Stripe keeps them for 24 hours.
  readonly #saved = new Map<string, SavedResponse>();

  constructor(ctx: StandinContext, state: ApiState) {
    this.#ctx = ctx;
    this.#state = state;
    this.#routes = routes(state);
  }

  handle(request: ApiRequest): ApiResponse {
    const requestId = stripeId("req");
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const headers: Record<string, string> = { "request-id": requestId, "stripe-version": header("stripe-version") ?? Stripe.API_VERSION };
    const answer = (status: number, body: unknown): ApiResponse => ({ status, body, headers });
    try {
      this.#authenticate(header("authorization"));
      const account = header("stripe-account") ?? null;
      if (account) {
        headers["stripe-account"] = account;
        if (this.#ctx.store.find(account)?.object !== "account") {
          throw new StripeApiError(403, "invalid_request_error", `The provided key does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`, {
            code: "account_invalid",
          });
        }
      }
      const params = parseParams(request.method === "GET" ? request.query : request.body);
      const key = request.method === "POST" ? (header("idempotency-key") ?? null) : null;
      this.#state.requests.push({ method: request.method, path: request.path, params, account, idempotencyKey: key, stripeVersion: header("stripe-version") ?? null });
      const injected = this.#state.injectedFailures.shift();
      if (injected) return answer(injected.status, { error: { type: injected.type, message: injected.message } });

      const fingerprint = createHash("sha256").update(stableJson(params)).digest("hex");
      const scope = `${account ?? "platform"}:${key}`;
      const saved = key ? this.#saved.get(scope) : undefined;
      if (key) headers["idempotency-key"] = key;
      if (saved) {
        if (saved.method !== request.method || saved.path !== request.path) {
          throw new StripeApiError(400, "idempotency_error", `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${saved.method} ${saved.path}' vs '${request.method} ${request.path}'). Try using a key other than '${key}' if you meant to execute a different request.`);
        }
        if (saved.fingerprint !== fingerprint) {
          throw new StripeApiError(400, "idempotency_error", `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`);
        }
        headers["idempotent-replayed"] = "true";
        return answer(saved.status, saved.body);
      }
      const route = this.#routes.find((r) => r.method === request.method && r.pattern.test(request.path));
      if (!route) {
        throw new StripeApiError(404, "invalid_request_error", `Unrecognized request URL (${request.method}: ${request.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`);
      }
      const ids = route.pattern.exec(request.path)!.slice(1);
      let response: ApiResponse;
      try {
        const result = route.handler(this.#ctx, account, params, ids) as StripeObject;
        // Retrieve routes expand themselves; a create or an action takes expand[] here.
        const expanded = request.method === "POST" && expandList(params).length > 0 ? this.#ctx.store.expand(result, expandList(params)) : result;
        response = answer(200, structuredClone(expanded));
      } catch (error) {
        if (!(error instanceof StripeApiError)) throw error;
        response = answer(error.status, error.body);
      }
      // Stripe saves the result of every request that reached the endpoint, errors included,
      // so a retry with the same key gets the same answer.
      if (key) this.#saved.set(scope, { method: request.method, path: request.path, fingerprint, status: response.status, body: response.body });
      return response;
    } catch (error) {
      if (error instanceof StripeApiError) return answer(error.status, error.body);
      return answer(500, { error: { type: "api_error", message: `The stand-in failed: ${(error as Error).message}` } });
    }
  }

  #authenticate(authorization: string | undefined) {
    if (!authorization) {
      throw new StripeApiError(401, "invalid_request_error", "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");
    }
    const [scheme, credential = ""] = authorization.split(" ");
    const key = scheme === "Bearer" ? credential : scheme === "Basic" ? Buffer.from(credential, "base64").toString().split(":")[0] : "";
    if (key !== this.#state.apiKey) {
      throw new StripeApiError(401, "invalid_request_error", `Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`);
    }
  }
}

/** JSON with object keys sorted, so the same parameters in another order fingerprint the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
