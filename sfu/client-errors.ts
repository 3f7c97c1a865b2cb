/**
 * Which errors from a media request are the client's mistake. mediasoup rejects input it
 * cannot use (RTP parameters, a DTLS role, capabilities) with TypeError, UnsupportedError or
 * InvalidStateError, thrown from its own library code (its validators, or its channel when
 * the worker refuses). The same names thrown from our code are bugs: they must reach the log
 * as internal errors, not the client as "invalid media".
 */
import { sep } from "node:path";
import { AppError } from "../server/errors.ts";

const CLIENT_ERROR_NAMES = new Set(["TypeError", "UnsupportedError", "InvalidStateError"]);
const MEDIASOUP_LIB = `${sep}mediasoup${sep}node${sep}lib${sep}`;

/** An AppError for the client when mediasoup refused its input, else the error unchanged. */
export function asClientError(error: unknown): unknown {
  if (error instanceof AppError || !(error instanceof Error)) return error;
  if (!CLIENT_ERROR_NAMES.has(error.name) || !thrownByMediasoup(error)) return error;
  return AppError.badRequest("invalid_media", error.message);
}

/** True when the innermost stack frame is in mediasoup's library. */
function thrownByMediasoup(error: Error): boolean {
  const frame = error.stack?.split("\n").find((line) => line.trimStart().startsWith("at "));
  return frame?.includes(MEDIASOUP_LIB) ?? false;
}
