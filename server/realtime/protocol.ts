/**
 * The realtime wire protocol. Client frames are JSON objects `{ t, id?, ...payload }`;
 * a frame with an id is a request and gets exactly one reply, `ok` or `error`, with the
 * same id. Server pushes carry no id.
 */
import { z } from "zod";
import type { FieldProblem } from "../errors.ts";

/** What every client frame must have before its type-specific payload is looked at. */
export const envelopeSchema = z.looseObject({
  t: z.string().min(1).max(64),
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
});

export type OkReply = { t: "ok"; id: number; data: unknown };
export type ErrorReply = {
  t: "error";
  id: number | null;
  code: string;
  message: string;
  fields?: FieldProblem[];
  requestId?: string;
  /** With `rate_limited`: how long to wait before sending again, in milliseconds. */
  retryAfterMs?: number;
};
export type Push = { t: string; [key: string]: unknown };
export type ServerFrame = OkReply | ErrorReply | Push;

/** Sent once on connect: the client learns its id and the heartbeat it must keep. */
export type HelloPush = {
  t: "sys.hello";
  connectionId: string;
  heartbeatMs: number;
  serverTime: number;
};
