/**
 * Reading Stripe's form-encoded parameters (`line_items[0][price_data][unit_amount]=2500`),
 * which `qs` turns into nested objects of strings. Each reader names the parameter in
 * Stripe's bracket notation when it is missing or wrong, as Stripe's errors do.
 */
import qs from "qs";
import { StripeApiError } from "./store.ts";

export type Params = Record<string, unknown>;

/** Parses a form body or query string; `expand[0]=a` and `expand[]=a` both become arrays. */
export function parseParams(text: string): Params {
  return qs.parse(text, { depth: 10, arrayLimit: 100, parameterLimit: 2_000, allowDots: false }) as Params;
}

/** `a.b.0.c` → `a[b][0][c]`, the name Stripe uses in `param`. */
export function bracketName(path: string): string {
  const [head, ...rest] = path.split(".");
  return head + rest.map((p) => `[${p}]`).join("");
}

function at(params: Params, path: string): unknown {
  let current: unknown = params;
  for (const segment of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

export function optionalString(params: Params, path: string): string | undefined {
  const value = at(params, path);
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw StripeApiError.invalidParam(bracketName(path), `Invalid string: ${JSON.stringify(value)}`);
  return value;
}

export function requiredString(params: Params, path: string): string {
  const value = optionalString(params, path);
  if (value === undefined) throw StripeApiError.missingParam(bracketName(path));
  return value;
}

export function optionalInteger(params: Params, path: string): number | undefined {
  const value = optionalString(params, path);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw StripeApiError.invalidParam(bracketName(path), `Invalid integer: ${value}`);
  return Number(value);
}

export function requiredInteger(params: Params, path: string): number {
  const value = optionalInteger(params, path);
  if (value === undefined) throw StripeApiError.missingParam(bracketName(path));
  return value;
}

export function optionalBoolean(params: Params, path: string): boolean | undefined {
  const value = optionalString(params, path);
  if (value === undefined) return undefined;
  if (value !== "true" && value !== "false") throw StripeApiError.invalidParam(bracketName(path), `Invalid boolean: ${value}`);
  return value === "true";
}

export function oneOf<T extends string>(params: Params, path: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(params, path);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw StripeApiError.invalidParam(bracketName(path), `Invalid ${bracketName(path)}: must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/** An indexed array (`line_items[0]…`), which qs may give as an array or as an object keyed "0", "1"… */
export function arrayOf(params: Params, path: string): Params[] {
  const value = at(params, path);
  if (value === undefined) return [];
  if (Array.isArray(value)) return value as Params[];
  if (typeof value === "object" && value !== null) return Object.values(value) as Params[];
  throw StripeApiError.invalidParam(bracketName(path), `Invalid array: ${bracketName(path)}`);
}

/** Metadata: string keys and values, at most 50 keys, as Stripe limits it. */
export function metadata(params: Params, path = "metadata"): Record<string, string> {
  const value = at(params, path);
  if (value === undefined || value === "") return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw StripeApiError.invalidParam(path, "Invalid metadata: must be a hash");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) throw StripeApiError.invalidParam(path, "Invalid metadata: at most 50 keys");
  return Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
}

/** The `expand[]` list of a request. */
export function expandList(params: Params): string[] {
  const value = params.expand;
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : Object.values(value as object)).map(String);
}
