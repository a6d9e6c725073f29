import type { Kysely } from 'kysely';

// SDTM data cuts (TU/TR/RS): one row per requested export with its parameters, the durable job that builds it, and
// once built its manifest (files, sizes, SHA-256) and conformance findings. The files live under
// DATA_DIR/exports/<id>/; a failed export keeps its findings and is never downloadable.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('exports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('cutoff', 'text', (c) => c.notNull()) // ISO date: scans on or before it are in the cut
    .addColumn('params_json', 'text', (c) => c.notNull()) // formats, assessments
    .addColumn('state', 'text', (c) => c.notNull()) // queued | running | passed | failed
    .addColumn('job_id', 'text', (c) => c.references('jobs.id'))
    .addColumn('manifest_json', 'text')
    .addColumn('findings_json', 'text')
    .addColumn('error', 'text')
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema.createIndex('exports_trial').on('exports').columns(['trial_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('exports').execute();
}
