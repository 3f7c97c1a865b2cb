/**
 * The PostgreSQL dialect: chosen when `[database] url` names a postgres:// server. Everything
 * else talks to kysely; what differs in SQL lives in ./dialect.ts, not in domain code.
 */
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { DB } from "./schema.ts";

export type PostgresOptions = {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** A statement running longer is cancelled by the server, in milliseconds. Default 30000. */
  statementTimeoutMs?: number;
};

// pg returns int8 (count, sum over integers) and numeric as strings, to keep precision beyond
// 2^53. Plenary's integers are money in minor units and counts, far below that: read them as
// numbers once here instead of casting in forty queries.
const INT8_OID = 20;
const NUMERIC_OID = 1700;
pg.types.setTypeParser(INT8_OID, (text) => Number(text));
pg.types.setTypeParser(NUMERIC_OID, (text) => Number(text));

export function openPostgres(options: PostgresOptions): Kysely<DB> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    // A pool that cannot reach the server should fail a request, not hang it.
    connectionTimeoutMillis: 10_000,
  });
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/** The URL with its password replaced, for logs and `config check`. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "<redacted>";
    return parsed.toString();
  } catch {
    return "<not a valid URL>";
  }
}
