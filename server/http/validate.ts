import type { z } from "zod";
import { AppError } from "../errors.ts";

/** Validates a request body (or query) at the boundary; the result is trusted from here on. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw AppError.validation(parsed.error);
  return parsed.data;
}
