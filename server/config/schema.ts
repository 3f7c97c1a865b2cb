import { z } from "zod";

/** "off", or a whole number and a unit: "90s", "30m", "6h", "7d". */
const durationOrOff = z.string().regex(/^(off|[1-9][0-9]*[smhd])$/, 'use "off" or a duration such as "30m", "6h" or "1d"');

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
      /**
       * More host names requests may be addressed to, comma-separated, besides public_url's host,
       * localhost and IP addresses; any other Host is answered 421 (DNS rebinding).
       */
      allowed_hosts: z.string().default(""),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** Bearer token Prometheus sends for /metrics on the app port; empty answers only local, unproxied requests there. */
      token: z.string().default(""),
      /** Extra address ("host:port") that serves only /metrics, without a token, for a private scrape network; empty for none. */
      listen: z
        .string()
        .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'use "host:port", e.g. "0.0.0.0:9464"')
        .or(z.literal(""))
        .default(""),
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
      /**
       * When a commit reaches the disk. "full": an order answered 201 survives a power loss.
       * "normal": faster, but the last commits before a power loss (not a crash) can vanish.
       */
      synchronous: z.enum(["full", "normal"]).default("full"),
      /** Check the file at start with PRAGMA quick_check ("off" skips it, for very large files). */
      startup_check: z.enum(["quick", "off"]).default("quick"),
      /** How often the running server checks the file again, e.g. "24h", "30m"; "off" for never. */
      check_every: durationOrOff.default("24h"),
      /** Below this much free space (MiB) where the database lives, new orders are refused. */
      min_free_mb: z.number().int().min(0).default(200),
    })
    .prefault({}),
  backup: z
    .strictObject({
      /** Back up the database and keys into <data dir>/backups/ this often, e.g. "6h"; "off" for never. */
      every: durationOrOff.default("off"),
      /** Scheduled backups to keep (the oldest go first); backups made with `plenary backup` are never removed. */
      keep: z.number().int().min(1).default(14),
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
      /**
       * Writes (chat messages, chat reactions, reports, questions, upvotes, poll votes) one
       * person may make per second, summed over all their sockets; beyond it they get
       * `rate_limited` with `retryAfterMs`. Default 5.
       */
      user_writes_per_second: z.number().positive().default(5),
      /** Writes one person may make in a burst above that rate. Default 40. */
      user_write_burst: z.number().int().positive().default(40),
      /** Open sockets one signed-in user may have (tabs, devices); one more is closed with 4430. Default 20. */
      max_sockets_per_user: z.number().int().min(1).default(20),
      /**
       * Open sockets from one network address (signed in or not; behind a proxy, with
       * `http.trust_proxy`, the client's address); one more is closed with 4430. Default 200.
       */
      max_sockets_per_address: z.number().int().min(1).default(200),
    })
    .prefault({}),
  accounts: z
    .strictObject({
      /** A session not used for this many days ends; each use pushes the end back. */
      session_days: z.number().int().min(1).max(365).default(30),
      /** How long an e-mail verification link stays valid, in hours. */
      verify_link_hours: z.number().int().min(1).default(48),
      /** How long a password reset link stays valid, in minutes. */
      reset_link_minutes: z.number().int().min(5).default(60),
      /** Failed log-ins one account may have in 15 minutes before it is paused. */
      max_failed_logins: z.number().int().min(1).default(5),
      /** Log-in, sign-up and reset requests one IP address may make in 15 minutes. */
      max_requests_per_ip: z.number().int().min(1).default(50),
    })
    .prefault({}),
  mail: z
    .strictObject({
      /** Sender of every e-mail. */
      from: z.string().min(3).default("Plenary <no-reply@localhost>"),
      /** SMTP server; empty keeps mail in the outbox that admins read in the web app. */
      smtp_host: z.string().default(""),
      smtp_port: z.number().int().min(1).max(65_535).default(587),
      /** true for implicit TLS (port 465); false upgrades with STARTTLS when the server offers it. */
      smtp_secure: z.boolean().default(false),
      /** Refuse to send without TLS (STARTTLS) on a non-secure port. */
      smtp_require_tls: z.boolean().default(false),
      /** Login for the SMTP server; empty sends without authentication. */
      smtp_user: z.string().default(""),
      smtp_password: z.string().default(""),
    })
    .prefault({}),
  oauth: z
    .strictObject({
      /** Each provider is offered on the log-in page when its client id is set. */
      github_client_id: z.string().default(""),
      github_client_secret: z.string().default(""),
      google_client_id: z.string().default(""),
      google_client_secret: z.string().default(""),
      facebook_client_id: z.string().default(""),
      facebook_client_secret: z.string().default(""),
      linkedin_client_id: z.string().default(""),
      linkedin_client_secret: z.string().default(""),
      /** An OpenID Connect provider (an organization's own SSO): its issuer URL. */
      oidc_issuer: z.union([z.url({ protocol: /^https?$/ }), z.literal("")]).default(""),
      oidc_client_id: z.string().default(""),
      oidc_client_secret: z.string().default(""),
      /** The button label for the OpenID Connect provider. */
      oidc_name: z.string().min(1).default("Single sign-on"),
    })
    .prefault({}),
  jobs: z
    .strictObject({
      /** How often the runner looks for due jobs when it has not been woken, in milliseconds. */
      poll_interval_ms: z.number().int().min(10).default(1_000),
      /** How long a claimed job is leased; a runner that dies mid-job loses it after this. */
      lease_ms: z.number().int().min(100).default(60_000),
      /** Jobs one server runs at the same time. */
      concurrency: z.number().int().min(1).max(64).default(4),
      /** Attempts before a job is marked dead, unless its kind says otherwise. */
      max_attempts: z.number().int().min(1).default(5),
      /** Delay before the first retry; each further retry doubles it, with jitter. */
      retry_base_ms: z.number().int().min(0).default(10_000),
      /** Longest delay between two attempts. */
      retry_max_ms: z.number().int().min(0).default(3_600_000),
    })
    .prefault({}),
  stripe: z
    .strictObject({
      /** Secret API key (sk_live_… or sk_test_…); empty turns paid tickets off. */
      secret_key: z.string().default(""),
      /** Publishable key (pk_…) the browser uses to save cards. */
      publishable_key: z.string().default(""),
      /** Signing secret of the webhook endpoint (whsec_…); paid orders complete only from verified webhooks. */
      webhook_secret: z.string().default(""),
      /** Oldest webhook signature accepted, in seconds; older ones are refused as replays. */
      webhook_tolerance_seconds: z.number().int().min(1).max(3_600).default(300),
      /** Stripe's API address; changed only for a proxy or a local stand-in in tests. */
      api_host: z.string().min(1).default("api.stripe.com"),
      api_port: z.number().int().min(1).max(65_535).default(443),
      api_protocol: z.enum(["https", "http"]).default("https"),
      /** Retries of a failed API call (each with the same idempotency key). */
      max_network_retries: z.number().int().min(0).max(10).default(2),
    })
    .prefault({}),
  checkout: z
    .strictObject({
      /** Orders one IP address may place per minute (that many at once, then refilled evenly); kept in the database across restarts. */
      max_per_ip_per_minute: z.number().int().min(1).default(30),
      /** Orders one buyer (account, or guest e-mail address) may place per minute. */
      max_per_buyer_per_minute: z.number().int().min(1).default(10),
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
  sfu: z
    .strictObject({
      /** mediasoup-worker binary; empty uses $MEDIASOUP_WORKER_BIN, else mediasoup's own. */
      worker_bin: z.string().default(""),
      /** mediasoup workers to run; 0 means one per CPU core. */
      workers: z.number().int().min(0).max(256).default(0),
      /** mediasoup worker log level: debug, warn, error or none. */
      log_level: z.enum(["debug", "warn", "error", "none"]).default("warn"),
      /** Address the media ports listen on. */
      listen_ip: z.string().min(1).default("0.0.0.0"),
      /** Address or hostname put in ICE candidates; empty: the listen address, or the first external IPv4 for 0.0.0.0. */
      announced_address: z.string().default(""),
      /** Worker i listens on rtc_port + i, UDP and TCP (TCP is the fallback ICE path). 0 picks free ports. */
      rtc_port: z.number().int().min(0).max(65_000).default(40_000),
      /** Consumers one router serves before a room spreads viewers to another worker. */
      consumer_budget: z.number().int().min(1).default(500),
      /** How long a peer whose connection dropped keeps its place, in milliseconds. */
      reconnect_grace_ms: z.number().int().min(0).default(15_000),
      /** TURN/STUN URLs handed to clients, comma-separated; empty for none. */
      turn_urls: z.string().default(""),
      /** coturn's static-auth-secret, for time-limited TURN credentials; empty hands out URLs only. */
      turn_secret: z.string().default(""),
      /** How long TURN credentials stay valid, in seconds. */
      turn_credential_ttl_seconds: z.number().int().min(60).default(86_400),
    })
    .prefault({}),
  rooms: z
    .strictObject({
      /** Most people in a session's room (hosts not counted) when the session sets none; 0 for no limit. */
      default_max_peers: z.number().int().min(0).default(0),
      /** Most people on stage at once (hosts not counted) when the session sets none; 0 for no limit. */
      default_max_publishers: z.number().int().min(0).default(0),
    })
    .prefault({}),
  chat: z
    .strictObject({
      /**
       * Users whose block lists the chat keeps in memory (least recently used first out; an
       * evicted user's blocks reload from the database). Default 10,000.
       */
      block_cache_users: z.number().int().min(1).max(10_000_000).default(10_000),
    })
    .prefault({}),
  recording: z
    .strictObject({
      /** Record sessions; when true, the server refuses to start without ffmpeg. */
      enabled: z.boolean().default(true),
      /** ffmpeg binary; empty: `ffmpeg` on PATH, else the optional ffmpeg-static package. */
      ffmpeg_path: z.string().default(""),
      /** Free disk space needed to start a recording, and below which one stops, in MiB. */
      min_free_disk_mb: z.number().int().min(0).default(1_024),
      /** Below this much free disk space (MiB) while recording, the room's hosts are warned. */
      warn_free_disk_mb: z.number().int().min(0).default(2_048),
      /** Length of one HLS segment, in seconds. */
      segment_seconds: z.number().int().min(1).max(30).default(4),
      /** Encrypt HLS segments with AES-128; keys go only to viewers allowed to watch. */
      encrypt: z.boolean().default(true),
      /** How long a playback link stays valid, in seconds. */
      playback_ttl_seconds: z.number().int().min(30).default(600),
    })
    .prefault({}),
  streaming: z
    .strictObject({
      /** Program size and rate for RTMP(S) push and live HLS (encoded once, libx264 veryfast). */
      width: z.number().int().min(160).max(3_840).default(1_280),
      height: z.number().int().min(120).max(2_160).default(720),
      fps: z.number().int().min(5).max(60).default(25),
      video_kbps: z.number().int().min(100).max(20_000).default(2_500),
      /** Live HLS segment length, in seconds (viewers are about three segments behind). */
      segment_seconds: z.number().int().min(1).max(10).default(1),
      /** First delay before a failed RTMP destination or live encoder is started again, in ms (doubles up to 30 s). */
      retry_backoff_ms: z.number().int().min(50).default(1_000),
      /** Live encoder deaths in a row (each within 30 s of its start) before the stream is given up as failed. */
      encoder_max_failures: z.number().int().min(1).max(50).default(5),
      /** How long a live HLS watch link stays valid, in seconds (the player fetches a new one). */
      watch_ttl_seconds: z.number().int().min(30).default(3_600),
      /**
       * Allow RTMP(S) destinations on internal addresses (loopback, private, link-local,
       * unique-local, CGNAT, multicast). Off: an event owner could make the server probe its
       * own network. Default false.
       */
      allow_private_destinations: z.boolean().default(false),
      /** Comma-separated ingest hosts allowed even when internal (a relay beside the server), e.g. "relay.lan,10.0.0.5". Default "". */
      allowed_destination_hosts: z.string().default(""),
    })
    .prefault({}),
  storage: z
    .strictObject({
      /** "local" keeps recordings in a folder; "s3" puts them in an S3-compatible store. */
      backend: z.enum(["local", "s3"]).default("local"),
      /** Folder for the local backend; relative paths are inside data.dir. */
      local_dir: z.string().min(1).default("recordings"),
      /** S3 endpoint URL; empty for AWS S3 itself. */
      endpoint: z.string().default(""),
      bucket: z.string().default(""),
      /** Put before every object key, e.g. "plenary/". */
      prefix: z.string().default(""),
      region: z.string().min(1).default("us-east-1"),
      /** Path-style URLs (most self-hosted stores need them). */
      path_style: z.boolean().default(true),
      access_key_id: z.string().default(""),
      secret_access_key: z.string().default(""),
      /** Multipart upload part size, in MiB (S3's minimum is 5). */
      upload_part_size_mb: z.number().int().min(5).max(5_000).default(8),
      /** Attempts of one file's upload before the recording is marked failed. */
      upload_attempts: z.number().int().min(1).max(20).default(3),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
