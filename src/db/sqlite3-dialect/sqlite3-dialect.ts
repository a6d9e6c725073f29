import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { Sqlite3Driver, type Sqlite3DriverConfig } from './sqlite3-driver.js';

/** Kysely dialect for npm `sqlite3`: Kysely's SQLite compiler, adapter and introspector over an async driver. */
export class Sqlite3Dialect implements Dialect {
  readonly #config: Sqlite3DriverConfig;
  constructor(config: Sqlite3DriverConfig) {
    this.#config = config;
  }
  createDriver(): Driver {
    return new Sqlite3Driver(this.#config);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
