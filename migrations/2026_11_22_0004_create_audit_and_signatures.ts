import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Part 11 audit trail (P11-AT-01..03): append-only table, hash-chained rows; triggers refuse UPDATE and DELETE
// (and TRUNCATE on PostgreSQL). SQLite's INSERT OR REPLACE deletes the old row without firing DELETE triggers
// unless recursive triggers are on, so a BEFORE INSERT guard refuses any insert that collides with an existing seq.
// Signatures (§11.70) are append-only in the same way.
const APPEND_ONLY = ['audit_events', 'signatures'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('seq', 'integer', (c) => c.primaryKey()) // assigned under the chain-head lock, gap-free
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('occurred_at', 'text', (c) => c.notNull()) // server UTC, milliseconds
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('trial_id', 'text')
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .addColumn('reason', 'text')
    .addColumn('request_id', 'text')
    .addColumn('client_ip', 'text')
    .addColumn('session_id', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_trial_time').on('audit_events').columns(['trial_id', 'occurred_at']).execute();
  await db.schema.createIndex('audit_entity').on('audit_events').columns(['entity_type', 'entity_id']).execute();

  // One row: the chain head. Appenders lock it (FOR UPDATE on PostgreSQL; SQLite has one writer).
  await db.schema
    .createTable('audit_chain_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.insertInto('audit_chain_head').values({ id: 1, seq: 0, hash: '0'.repeat(64) }).execute();

  await db.schema
    .createTable('signatures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text')
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('record_version', 'integer', (c) => c.notNull())
    .addColumn('signer_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('signer_name', 'text', (c) => c.notNull())
    .addColumn('meaning', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'text', (c) => c.notNull())
    .addColumn('content_sha256', 'text', (c) => c.notNull())
    .addColumn('mac', 'text', (c) => c.notNull()) // HMAC with a key kept outside the database (P11-SIG-02)
    .execute();
  await db.schema.createIndex('signatures_entity').on('signatures').columns(['entity_type', 'entity_id']).execute();

  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (isPostgres) {
    await sql`CREATE OR REPLACE FUNCTION corelab_refuse_change() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END; $$ LANGUAGE plpgsql`.execute(db);
    for (const t of APPEND_ONLY) {
      await sql`CREATE TRIGGER ${sql.id(t + '_no_update_delete')} BEFORE UPDATE OR DELETE ON ${sql.table(t)}
        FOR EACH ROW EXECUTE FUNCTION corelab_refuse_change()`.execute(db);
      await sql`CREATE TRIGGER ${sql.id(t + '_no_truncate')} BEFORE TRUNCATE ON ${sql.table(t)}
        FOR EACH STATEMENT EXECUTE FUNCTION corelab_refuse_change()`.execute(db);
    }
  } else {
    const key: Record<(typeof APPEND_ONLY)[number], string> = { audit_events: 'seq', signatures: 'id' };
    for (const t of APPEND_ONLY) {
      await sql.raw(`CREATE TRIGGER ${t}_no_update BEFORE UPDATE ON ${t}
        BEGIN SELECT RAISE(ABORT, '${t} is append-only: UPDATE refused'); END`).execute(db);
      await sql.raw(`CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t}
        BEGIN SELECT RAISE(ABORT, '${t} is append-only: DELETE refused'); END`).execute(db);
      await sql.raw(`CREATE TRIGGER ${t}_no_replace BEFORE INSERT ON ${t}
        WHEN EXISTS (SELECT 1 FROM ${t} WHERE ${key[t]} = NEW.${key[t]})
        BEGIN SELECT RAISE(ABORT, '${t} is append-only: REPLACE refused'); END`).execute(db);
    }
  }
}

export async function down(): Promise<void> {
  // The audit trail is never dropped by a migration.
  throw new Error('audit trail migrations are irreversible');
}
