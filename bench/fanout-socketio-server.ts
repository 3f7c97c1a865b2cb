/**
 * The socket.io baseline of bench/fanout.ts, as its own process: clients join a room, and a
 * `chat` event is broadcast to it with io.to(room).emit, which encodes the packet once for
 * the whole room. The broadcast carries a message of the same shape as Plenary's
 * `chat.message` (server/chat/wire.ts), so both sides put the same bytes on the wire; nothing
 * is stored and nobody's access is checked, which is the difference the ratio prices.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import type { ChatMessage } from "../server/chat/wire.ts";
import { serveMeasurements } from "./fanout-ipc.ts";

const http = createServer();
// Pings as Plenary's defaults (every 25 s, 10 s to answer).
const io = new Server(http, { transports: ["websocket"], perMessageDeflate: false, pingInterval: 25_000, pingTimeout: 10_000 });
let lastId = 0;
io.on("connection", (socket) => {
  const author = { id: crypto.randomUUID(), name: `Attendee ${socket.id.slice(0, 6)}` };
  socket.on("join", (channel: string, ack?: () => void) => {
    void socket.join(channel);
    ack?.();
  });
  socket.on("chat", (input: { channel: string; text: string }, ack?: (reply: unknown) => void) => {
    const message: ChatMessage = {
      id: ++lastId, channel: input.channel, author, text: input.text, replyTo: null, mentions: [], reactions: {},
      createdAt: new Date().toISOString(), deleted: false,
    };
    io.to(input.channel).emit("chat.message", { message });
    ack?.({ message });
  });
});
http.listen({ host: "127.0.0.1", port: 0, backlog: 4_096 }, () => {
  serveMeasurements((http.address() as AddressInfo).port);
});
