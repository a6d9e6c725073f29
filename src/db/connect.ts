import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import type { Database } from './schema.js';
import { Sqlite3Dialect } from './sqlite3-dialect/sqlite3-dialect.js';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
export type DbOrTrx = Db | Trx;
export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseTarget {
  /** postgres://... when set; otherwise SQLite at sqliteFile */
  databaseUrl?: string;
  sqliteFile: string;
  /** PostgreSQL schema to use (tests isolate suites in their own schema) */
  pgSchema?: string;
}

export interface DatabaseHandle {
  db: Db;
  dialect: DialectName;
  close(): Promise<void>;
}

export function openDatabase(target: DatabaseTarget): DatabaseHandle {
  if (target.databaseUrl && /^postgres(ql)?:\/\//.test(target.databaseUrl)) {
    const pool = new pg.Pool({
      connectionString: target.databaseUrl,
      max: 10,
      ...(target.pgSchema ? { options: `-c search_path=${target.pgSchema}` } : {}),
    });
    // An idle connection the server dropped (restart, crash) is reported here; unhandled, the 'error' event would
    // end the process. The pool has already discarded it and opens a new one on the next query.
    pool.on('error', (e) => console.error(JSON.stringify({ level: 'warn', event: 'db.connection_lost', error: e.message })));
    // The pool listens only to idle connections; one checked out (held by a transaction between two queries) would
    // emit its 'error' to nobody. The query in flight, or the next one, fails instead, and the pool discards the
    // connection when it is released.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  mkdirSync(path.dirname(target.sqliteFile), { recursive: true });
  const db = new Kysely<Database>({
    dialect: new Sqlite3Dialect({
      database: () =>
        new Promise((resolve, reject) => {
          const conn = new sqlite3.Database(target.sqliteFile, (err) => (err ? reject(err) : resolve(conn)));
        }),
      onCreateConnection: async (connection) => {
        // WAL for concurrent readers; FULL so an acknowledged commit survives power loss (part11 doc §6);
        // foreign keys are off by default in SQLite.
        for (const pragma of [
          'PRAGMA journal_mode = WAL',
          'PRAGMA synchronous = FULL',
          'PRAGMA foreign_keys = ON',
          'PRAGMA busy_timeout = 10000',
        ]) {
          await connection.executeQuery(CompiledQuery.raw(pragma));
        }
      },
    }),
  });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** The database's own clock is not used: time comes from the server (P11-AT-04) and is passed in. */
export function isPostgres(handle: { dialect: DialectName }): boolean {
  return handle.dialect === 'postgres';
}
