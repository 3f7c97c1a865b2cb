/** Close codes the server uses, named so both ends agree on what they mean. */
export type CloseCode = { readonly code: number; readonly reason: string };

export const GoingAway = { code: 1001, reason: "Server shutting down" } as const;
export const MessageTooBig = { code: 1009, reason: "Frame too big" } as const;
export const TooSlow = { code: 1013, reason: "Client not reading fast enough" } as const;
export const ProtocolViolation = { code: 4400, reason: "Protocol violation" } as const;
export const Unauthorized = { code: 4401, reason: "Unauthorized" } as const;
export const Banned = { code: 4403, reason: "Banned" } as const;
export const HeartbeatTimeout = { code: 4408, reason: "Heartbeat timeout" } as const;
export const RateLimited = { code: 4429, reason: "Rate limited" } as const;
/** The user, or the network address, has as many open sockets as the server allows. */
export const TooManyConnections = { code: 4430, reason: "Too many connections" } as const;
