import type { Kysely } from 'kysely';

// A file's preparation made as it arrived (src/services/ingest/arrival-preparation.ts), committed with the file's
// row: de-identified UIDs, digests and technical parameters only. The ingest job reuses it, then clears it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('upload_files').addColumn('prepared_json', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('upload_files').dropColumn('prepared_json').execute();
}
