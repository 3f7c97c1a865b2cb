import { z } from "zod";

/**
 * Every setting Plenary reads, with its default. config.example.toml documents the same
 * keys; `config.test.ts` checks that the two agree, so a new key cannot go undocumented.
 */
export const configSchema = z.strictObject({
  http: z
    .strictObject({
      /** Address to listen on. Default 127.0.0.1: put a TLS proxy in front, or set 0.0.0.0. */
      host: z.string().min(1).default("127.0.0.1"),
      /** TCP port; 0 picks a free one (tests). */
      port: z.number().int().min(0).max(65_535).default(8080),
      /** The URL people use to reach this server; set at first run when empty. */
      public_url: z
        .url({ protocol: /^https?$/ })
        .or(z.literal("").transform(() => undefined))
        .optional(),
      /** Trust X-Forwarded-* headers from a reverse proxy (Caddy, nginx) in front. */
      trust_proxy: z.boolean().default(false),
      /** Largest accepted request body in bytes. */
      body_limit_bytes: z.number().int().positive().default(1_048_576),
    })
    .prefault({}),
  data: z
    .strictObject({
      /** Folder for the database, recordings and uploads. */
      dir: z.string().min(1).default("./data"),
    })
    .prefault({}),
  database: z
    .strictObject({
      /** SQLite file; relative paths are inside data.dir. */
      path: z.string().min(1).default("plenary.sqlite"),
      /** How long a writer waits for a lock before failing, in milliseconds. */
      busy_timeout_ms: z.number().int().min(0).default(5_000),
    })
    .prefault({}),
  realtime: z
    .strictObject({
      /** Largest WebSocket frame a client may send, in bytes; larger closes with 1009. */
      max_frame_bytes: z.number().int().min(256).default(65_536),
      /** Interval between server pings, in milliseconds. */
      heartbeat_interval_ms: z.number().int().min(100).default(25_000),
      /** A connection that has not answered a ping within this time is closed (4408). */
      heartbeat_timeout_ms: z.number().int().min(100).default(10_000),
      /** Sustained messages per second one connection may send. */
      rate_limit_per_second: z.number().positive().default(30),
      /** Messages a connection may send in a burst above the sustained rate. */
      rate_limit_burst: z.number().int().positive().default(60),
      /** Largest number of frames queued for a slow client before its connection is dropped. */
      max_buffered_bytes: z.number().int().positive().default(4_194_304),
    })
    .prefault({}),
  log: z
    .strictObject({
      /** fatal, error, warn, info, debug or trace. */
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    })
    .prefault({}),
  shutdown: z
    .strictObject({
      /** How long in-flight requests get to finish after SIGTERM before the process exits. */
      grace_ms: z.number().int().min(0).default(10_000),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
