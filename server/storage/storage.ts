/**
 * Where finished recordings live: a folder on this machine (the default) or an
 * S3-compatible store. The recorder writes into a local work folder; `upload` copies a
 * file into the store and verifies it there (size) before the caller removes its copy.
 */
import type { Readable } from "node:stream";

export type StoredObject = { key: string; size: number };

export type ReadOptions = { start?: number; end?: number };

export interface Storage {
  readonly kind: "local" | "s3";
  /** Copies `file` to `key` and checks the stored size matches; throws otherwise. */
  upload(key: string, file: string, options?: { contentType?: string }): Promise<StoredObject>;
  /** Size of `key`, or null when it does not exist. */
  stat(key: string): Promise<StoredObject | null>;
  /** A byte range (inclusive `end`) or the whole object. */
  read(key: string, range?: ReadOptions): Promise<Readable>;
  /** Objects under `prefix`. */
  list(prefix: string): Promise<StoredObject[]>;
  /** Removes every object under `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * A URL the browser may fetch `key` from directly for `ttlSeconds` (S3: presigned GET),
   * or null when the server must serve it (local: signed routes).
   */
  presignedUrl(key: string, ttlSeconds: number): Promise<string | null>;
  /** "ok" or what is failing, for /readyz. */
  check(): Promise<string>;
}

/** Runs `task` up to `attempts` times, doubling `delayMs` between tries. */
export async function withRetries<T>(attempts: number, delayMs: number, task: (attempt: number) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      lastError = error;
      if (attempt < attempts) await new Promise((r) => setTimeout(r, delayMs * 2 ** (attempt - 1)));
    }
  }
  throw lastError;
}
