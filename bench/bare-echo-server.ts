/** The baseline for bench/ws-echo.ts: a bare `ws` server that sends every text frame back. */
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
wss.on("listening", () => {
  const address = wss.address();
  process.stdout.write(`${typeof address === "object" && address ? address.port : address}\n`);
});
process.on("SIGTERM", () => wss.close(() => process.exit(0)));
