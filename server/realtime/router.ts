/**
 * The table of client message types. Each type states its payload schema, who may send it
 * and what it does; the hub validates a frame against it before any handler runs.
 */
import type { z } from "zod";
import type { RealtimeConnection } from "./connection.ts";

/**
 * Who may send a message, as a summary the permission matrix test checks against the
 * policy. The policy (server/accounts/policy.ts) decides, by `action`.
 */
export type Access = "anyone" | "user" | "admin";

export type MessageContext = {
  connection: RealtimeConnection;
  /** Correlates log lines of one message. */
  requestId: string;
};

export type MessageDefinition<S extends z.ZodType = z.ZodType> = {
  /** The payload (the frame without `t` and `id`). */
  schema: S;
  /** The action the permission model knows this message by; the hub asks the policy about it. */
  action: string;
  /** Optional summary of who may send it; the matrix test checks it agrees with the policy. */
  access?: Access;
  /**
   * Whether it writes something others see (a chat message, a vote): such messages also
   * count against the sender's per-person limit over all their sockets
   * (`realtime.user_writes_per_second`), not only the socket's own.
   */
  write?: boolean;
  /** Returns the reply's `data`; throws AppError for a typed error. */
  handle(payload: z.infer<S>, context: MessageContext): unknown | Promise<unknown>;
};

export class MessageRouter {
  // Definitions by message type.
  readonly #definitions = new Map<string, MessageDefinition>();

  on<S extends z.ZodType>(type: string, definition: MessageDefinition<S>): this {
    if (this.#definitions.has(type)) throw new Error(`message type ${type} is defined twice`);
    this.#definitions.set(type, definition as unknown as MessageDefinition);
    return this;
  }

  get(type: string): MessageDefinition | undefined {
    return this.#definitions.get(type);
  }

  /** Every defined type with its action and access, for the permission matrix test. */
  list(): { type: string; action: string; access: Access | undefined }[] {
    return [...this.#definitions].map(([type, d]) => ({ type, action: d.action, access: d.access }));
  }
}
