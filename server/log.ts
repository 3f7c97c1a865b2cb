import { pino, type Logger } from "pino";

export type { Logger };

/** Paths whose values never reach a log line. */
const REDACT = [
  "password",
  "*.password",
  "token",
  "*.token",
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "*.secret",
  "*.apiKey",
  "*.smtp_password",
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: "<redacted>" }, base: { service: "plenary" } },
    destination ?? process.stdout,
  );
}
