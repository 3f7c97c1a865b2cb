import type { IncomingMessage } from "node:http";
import type { CloseCode } from "./close-codes.ts";
import type { ServerFrame } from "./protocol.ts";

/** Who is on the other end of a connection, as the upgrade request proved; null when anonymous. */
export type ConnectionUser = {
  id: string;
  role: "user" | "admin";
  /** The session whose cookie opened the socket; revoking it closes the socket. */
  sessionId: string | null;
};

/**
 * What the hub asks the accounts side: who an upgrade request is (or that it is refused),
 * and whether that user may send a message with a given action.
 */
export interface RealtimeGate {
  /** Resolves the user of an upgrade (null: anonymous); throws UpgradeRefused to refuse it. */
  admit(request: IncomingMessage): Promise<ConnectionUser | null>;
  authorize(user: ConnectionUser | null, action: string): boolean;
}

/** Thrown by a gate to answer an upgrade with an HTTP error instead of a socket. */
export class UpgradeRefused extends Error {
  override name = "UpgradeRefused";
  readonly status: 401 | 403;
  constructor(status: 401 | 403, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * What domain code sees of a client connection. It hides the WebSocket library, so the
 * transport can be swapped (uWebSockets.js) and handlers tested without a network.
 */
export interface RealtimeConnection {
  readonly id: string;
  readonly user: ConnectionUser | null;
  /** The client's network address (behind a trusted proxy, the first X-Forwarded-For hop); "" for the server's own. */
  readonly address: string;
  /** Serializes and sends one frame; dropped silently when the connection is closing. */
  send(frame: ServerFrame): void;
  /** Sends text that is already serialized, so a broadcast serializes once for everyone. */
  sendText(text: string): void;
  close(code: CloseCode): void;
  /**
   * Marks the connection as acting for a user it was not opened as (a room join token named
   * them on an anonymous socket), so that cutting that user off (a ban) closes it too.
   */
  actFor(userId: string): void;
  /** Resolves once the connection has closed, whoever closed it (domain code cleans up then). */
  readonly closed: Promise<void>;
  /** Bytes sent but not yet written to the network; the fan-out sheds load for slow readers by it. */
  readonly bufferedBytes: number;
}
