/**
 * Event search, the one place that knows how each database indexes text.
 * - SQLite: an external-content FTS5 table kept in step by triggers, ranked by bm25 with
 *   column weights title 10, tags 6, summary 4, description 1.
 * - PostgreSQL: a generated `tsvector` column with a GIN index, ranked by ts_rank with the
 *   same columns in weight classes A (title), B (tags), C (summary), D (description) and
 *   weights in the same proportion. Both remove diacritics and match each word as a prefix.
 * Ranking differs in detail: bm25 scales by document length and term rarity across the
 * table, ts_rank counts weighted occurrences only; both put title matches first.
 */
import { type Kysely, type RawBuilder, sql } from "kysely";
import { dialectOf } from "./dialect.ts";

/** Creates the search index over events (migration 0004). */
export async function createEventSearch(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === "postgres") {
    // unaccent is a trusted extension (PostgreSQL 13+): a database owner may create it. It is
    // not marked immutable, so a generated column needs this wrapper naming its dictionary.
    await sql`create extension if not exists unaccent`.execute(db);
    await sql`create function plenary_unaccent(text) returns text language sql immutable parallel safe strict
      as $$ select public.unaccent('public.unaccent'::regdictionary, $1) $$`.execute(db);
    await sql`alter table events add column search tsvector generated always as (
      setweight(to_tsvector('simple', plenary_unaccent(title)), 'A') ||
      setweight(to_tsvector('simple', plenary_unaccent(tags)), 'B') ||
      setweight(to_tsvector('simple', plenary_unaccent(summary)), 'C') ||
      setweight(to_tsvector('simple', plenary_unaccent(description)), 'D')) stored`.execute(db);
    await sql`create index events_search on events using gin (search)`.execute(db);
    return;
  }
  await sql`create virtual table events_fts using fts5(title, summary, description, tags, content='events', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`create trigger events_fts_insert after insert on events begin
    insert into events_fts(rowid, title, summary, description, tags) values (new.rowid, new.title, new.summary, new.description, new.tags);
  end`.execute(db);
  await sql`create trigger events_fts_delete after delete on events begin
    insert into events_fts(events_fts, rowid, title, summary, description, tags) values ('delete', old.rowid, old.title, old.summary, old.description, old.tags);
  end`.execute(db);
  await sql`create trigger events_fts_update after update of title, summary, description, tags on events begin
    insert into events_fts(events_fts, rowid, title, summary, description, tags) values ('delete', old.rowid, old.title, old.summary, old.description, old.tags);
    insert into events_fts(rowid, title, summary, description, tags) values (new.rowid, new.title, new.summary, new.description, new.tags);
  end`.execute(db);
}

/** The words of what a visitor typed that search can use (letters and digits, at most 12). */
export function searchWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 12);
}

/** An FTS5 query: each word a quoted prefix term, all required, so no input is a syntax error. */
export function fts5Match(words: string[]): string {
  return words.map((w) => `"${w}"*`).join(" ");
}

export type EventSearch = {
  /** True for events that contain every word (as a prefix). */
  matches: RawBuilder<boolean>;
  /** Lower is a better match. */
  rank: RawBuilder<number>;
};

/** Conditions over `events` for words from `searchWords` (at least one). */
export function eventSearch(db: Kysely<any>, words: string[]): EventSearch {
  if (dialectOf(db) === "postgres") {
    // Words are letters and digits only, so they cannot break the tsquery syntax.
    const query = sql`to_tsquery('simple', plenary_unaccent(${words.map((w) => `${w}:*`).join(" & ")}))`;
    return {
      matches: sql<boolean>`events.search @@ ${query}`,
      // Weights in D, C, B, A order: description 1, summary 4, tags 6, title 10 (as bm25's).
      rank: sql<number>`-ts_rank('{0.1, 0.4, 0.6, 1.0}', events.search, ${query})`,
    };
  }
  const match = fts5Match(words);
  return {
    matches: sql<boolean>`events.rowid in (select rowid from events_fts where events_fts match ${match})`,
    rank: sql<number>`(select bm25(events_fts, 10.0, 4.0, 1.0, 6.0) from events_fts where events_fts match ${match} and events_fts.rowid = events.rowid)`,
  };
}
