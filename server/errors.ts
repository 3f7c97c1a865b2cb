/**
 * One base error for everything a client may be told about. The message is safe to show;
 * anything that is not an AppError is a bug, answered with a 500 and a correlation id.
 */
import type { z } from "zod";

export type FieldProblem = { path: string; message: string };

export type ErrorCode =
  | "validation_failed"
  | "invalid_json"
  | "not_found"
  | "unauthorized"
  | "forbidden"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  | "unknown_type"
  | "internal"
  | (string & {});

export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: FieldProblem[] | undefined;

  constructor(code: ErrorCode, status: number, message: string, fields?: FieldProblem[]) {
    super(message);
    this.code = code;
    this.status = status;
    this.fields = fields;
  }

  static validation(error: z.ZodError, message = "Some fields are not valid"): AppError {
    return new AppError("validation_failed", 400, message, fieldProblems(error));
  }
  static badRequest(code: ErrorCode, message: string): AppError {
    return new AppError(code, 400, message);
  }
  static unauthorized(message = "You need to log in"): AppError {
    return new AppError("unauthorized", 401, message);
  }
  static forbidden(code: ErrorCode, message: string): AppError {
    return new AppError(code, 403, message);
  }
  static notFound(message = "Not found"): AppError {
    return new AppError("not_found", 404, message);
  }
  static conflict(code: ErrorCode, message: string): AppError {
    return new AppError(code, 409, message);
  }
  static rateLimited(message = "Too many requests; slow down"): AppError {
    return new AppError("rate_limited", 429, message);
  }

  toJSON() {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) };
  }
}

/** A 429 that says when to come back; the HTTP layer sends it as Retry-After. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super("rate_limited", 429, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}
