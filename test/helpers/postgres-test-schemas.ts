// Vitest global setup for runs on PostgreSQL (DATABASE_URL). Each test platform works in a schema of its own
// (test-platform.ts); the run drops them all once, at its end, rather than each file as it finishes: Kysely's
// migrator introspects every schema of the database (has_schema_privilege over pg_namespace), and a schema that a
// neighbouring file drops in the middle of that scan fails it ("schema ... does not exist").
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export default function setup(): (() => Promise<void>) | undefined {
  const url = process.env.DATABASE_URL;
  if (!url?.startsWith('postgres')) return undefined;
  // the forks inherit this environment: a prefix per run, so concurrent runs never drop each other's schemas
  const prefix = `t${randomBytes(4).toString('hex')}_`;
  process.env.CORELAB_TEST_SCHEMA_PREFIX = prefix;
  return async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [prefix]);
      for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
    } finally {
      await client.end();
    }
  };
}
