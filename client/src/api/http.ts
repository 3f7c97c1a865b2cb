/**
 * Typed client for Plenary's REST API under `/api`: JSON in, JSON out, and
 * every non-2xx answer turned into an {@link ApiError}.
 */

/** One problem with one input, as the server's validation reports it. */
export type FieldError = { path: string; message: string };

/** The body of every non-2xx answer from the server. */
export type ErrorEnvelope = {
  error: { code: string; message: string; fields?: FieldError[]; requestId?: string };
};

/**
 * A request that did not succeed. `code` is the server's machine-readable
 * code (`validation_failed`, `bad_setup_token`, ...) or one of the client's
 * own: `network_error` (no answer; status 0), `bad_response` (an answer that
 * is not Plenary's error format, e.g. a proxy's 502 page).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** Per-input problems; empty unless `code` is a validation failure. */
  readonly fields: FieldError[];
  /** The server's request id, worth quoting in a bug report. */
  readonly requestId: string | undefined;

  constructor(code: string, status: number, message: string, fields: FieldError[] = [], requestId?: string) {
    super(message);
    this.code = code;
    this.status = status;
    this.fields = fields;
    this.requestId = requestId;
  }

  static network(cause: unknown): ApiError {
    const error = new ApiError('network_error', 0, 'Could not reach the Plenary server. Check your connection and try again.');
    error.cause = cause;
    return error;
  }

  static badResponse(status: number): ApiError {
    return new ApiError('bad_response', status, `The server answered with an unexpected response (HTTP ${status}).`);
  }

  /** Messages keyed by input path, for showing next to each input. */
  fieldMessages(): Record<string, string> {
    const byPath: Record<string, string> = {};
    // The first message per input is the one worth reading; later ones repeat the theme.
    for (const field of this.fields) byPath[field.path] ??= field.message;
    return byPath;
  }
}

export type RequestOptions = {
  /** Cancels the request; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Extra headers, e.g. an idempotency key. */
  headers?: Record<string, string>;
};

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function isErrorEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null
    && typeof (error as { code?: unknown }).code === 'string'
    && typeof (error as { message?: unknown }).message === 'string';
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function send<T>(base: string, method: Method, path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (options.signal) init.signal = options.signal;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response: Response;
  try {
    response = await fetch(base + path, init);
  } catch (cause) {
    // An abort is the caller's decision, not a connectivity problem: pass it through.
    if (options.signal?.aborted) throw options.signal.reason;
    throw ApiError.network(cause);
  }

  const parsed = await readJson(response);
  if (response.ok) return parsed as T;
  if (isErrorEnvelope(parsed)) {
    const { code, message, fields, requestId } = parsed.error;
    throw new ApiError(code, response.status, message, fields ?? [], requestId);
  }
  throw ApiError.badResponse(response.status);
}

export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * @param base Where the API is mounted. Default `/api`: the SPA is always
 *   served from the same origin as the API (tests pass an absolute URL).
 */
export function createApiClient(base = '/api') {
  return {
    get: <T>(path: string, options?: RequestOptions) => send<T>(base, 'GET', path, undefined, options),
    post: <T>(path: string, body?: unknown, options?: RequestOptions) => send<T>(base, 'POST', path, body, options),
    put: <T>(path: string, body?: unknown, options?: RequestOptions) => send<T>(base, 'PUT', path, body, options),
    patch: <T>(path: string, body?: unknown, options?: RequestOptions) => send<T>(base, 'PATCH', path, body, options),
    delete: <T>(path: string, options?: RequestOptions) => send<T>(base, 'DELETE', path, undefined, options),
  };
}

/** `api.get<SetupStatus>('/setup/status')` — paths are relative to `/api`. */
export const api = createApiClient();
