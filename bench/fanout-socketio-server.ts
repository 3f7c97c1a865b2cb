/**
 * The socket.io baseline of bench/fanout.ts, as its own process: clients join a room,
 * and a `chat` event is broadcast to it with io.to(room).emit, which encodes the packet
 * once for the whole room, like Plenary's fan-out.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { serveMeasurements } from "./fanout-ipc.ts";

const http = createServer();
const io = new Server(http, { transports: ["websocket"], perMessageDeflate: false, pingInterval: 600_000, pingTimeout: 600_000 });
io.on("connection", (socket) => {
  socket.on("join", (topic: string, ack?: () => void) => {
    void socket.join(topic);
    ack?.();
  });
  socket.on("chat", (message: { topic: string; n: number; sentAt: number; text: string }) => {
    io.to(message.topic).emit("chat.message", { n: message.n, sentAt: message.sentAt, text: message.text });
  });
});
http.listen({ host: "127.0.0.1", port: 0, backlog: 4_096 }, () => {
  serveMeasurements((http.address() as AddressInfo).port, () => null);
});
