import type { CloseCode } from "./close-codes.ts";
import type { ServerFrame } from "./protocol.ts";

/** Who is on the other end of a connection; null until accounts authenticate sockets. */
export type ConnectionUser = { id: string; role: "user" | "admin" };

/**
 * What domain code sees of a client connection. It hides the WebSocket library, so the
 * transport can be swapped (uWebSockets.js) and handlers tested without a network.
 */
export interface RealtimeConnection {
  readonly id: string;
  readonly user: ConnectionUser | null;
  /** Serializes and sends one frame; dropped silently when the connection is closing. */
  send(frame: ServerFrame): void;
  /** Sends text that is already serialized, so a broadcast serializes once for everyone. */
  sendText(text: string): void;
  close(code: CloseCode): void;
}
