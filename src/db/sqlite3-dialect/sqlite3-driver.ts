import type sqlite3 from 'sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

// Kysely ships a SQLite dialect for better-sqlite3 (synchronous). The stack uses npm `sqlite3` (asynchronous,
// non-blocking), so this driver mirrors Kysely's sqlite-driver shape on top of it: one connection guarded by a
// mutex (SQLite has a single writer; serialising here gives the "single-writer claim" the job queue relies on).
export interface Sqlite3DriverConfig {
  database: () => Promise<sqlite3.Database>;
  onCreateConnection?: (connection: DatabaseConnection) => Promise<void>;
}

export class Sqlite3Driver implements Driver {
  readonly #config: Sqlite3DriverConfig;
  readonly #mutex = new ConnectionMutex();
  #db?: sqlite3.Database;
  #connection?: Sqlite3Connection;

  constructor(config: Sqlite3DriverConfig) {
    this.#config = config;
  }

  async init(): Promise<void> {
    this.#db = await this.#config.database();
    this.#connection = new Sqlite3Connection(this.#db);
    await this.#config.onCreateConnection?.(this.#connection);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    return this.#connection!;
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on SQLITE_BUSY upgrading.
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    } catch (e) {
      // SQLite rolls the transaction back by itself after SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY or SQLITE_NOMEM.
      // Then there is nothing to roll back, and the caller's error (a full disk, say), not this one, must surface.
      if (/no transaction is active/.test(String((e as Error).message))) return;
      throw e;
    }
  }

  async savepoint(c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    void compile;
    await c.executeQuery(CompiledQuery.raw(`savepoint "${name.replace(/"/g, '')}"`));
  }

  async rollbackToSavepoint(c: DatabaseConnection, name: string): Promise<void> {
    await c.executeQuery(CompiledQuery.raw(`rollback to "${name.replace(/"/g, '')}"`));
  }

  async releaseSavepoint(c: DatabaseConnection, name: string): Promise<void> {
    await c.executeQuery(CompiledQuery.raw(`release "${name.replace(/"/g, '')}"`));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    const db = this.#db;
    if (!db) return;
    await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
    this.#db = undefined;
  }
}

const READER_SQL = /^\s*(select|with|pragma|explain|values)\b/i;
const RETURNING_SQL = /\breturning\b/i;

class Sqlite3Connection implements DatabaseConnection {
  readonly #db: sqlite3.Database;
  constructor(db: sqlite3.Database) {
    this.#db = db;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters } = compiledQuery;
    const params = parameters.map(toSqliteParam);
    if (READER_SQL.test(sql) || RETURNING_SQL.test(sql)) {
      return new Promise((resolve, reject) => {
        this.#db.all(sql, params, (err, rows) => (err ? reject(err) : resolve({ rows: rows as R[] })));
      });
    }
    return new Promise((resolve, reject) => {
      this.#db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) return reject(err);
        resolve({ numAffectedRows: BigInt(this.changes ?? 0), insertId: BigInt(this.lastID ?? 0), rows: [] });
      });
    });
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // sqlite3's `each` cannot be paused; results are small here, so stream the materialised rows.
    const result = await this.executeQuery<R>(compiledQuery);
    for (const row of result.rows) yield { rows: [row] };
  }
}

function toSqliteParam(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

class ConnectionMutex {
  #promise?: Promise<void>;
  #resolve?: () => void;

  async lock(): Promise<void> {
    while (this.#promise) await this.#promise;
    this.#promise = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  unlock(): void {
    const resolve = this.#resolve;
    this.#promise = undefined;
    this.#resolve = undefined;
    resolve?.();
  }
}
