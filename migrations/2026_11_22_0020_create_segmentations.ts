import type { Kysely } from 'kysely';

// AI segmentation results: the prompt, the mask (RLE on the series grid, with provenance), the automatic
// measurement, and the model that produced it (id, version, sha256) with the execution provider used.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('segmentations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('series_id', 'text', (c) => c.notNull().references('series.id'))
    .addColumn('requested_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // prompt | propagation
    .addColumn('prompt_json', 'text', (c) => c.notNull())
    .addColumn('source_segmentation_id', 'text') // propagation: the earlier lesion it follows
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull()) // queued | done | failed | cancelled
    .addColumn('outcome', 'text') // segmented | nothing-found | found | not-found
    .addColumn('model_id', 'text')
    .addColumn('model_version', 'text')
    .addColumn('model_sha256', 'text')
    .addColumn('execution_provider', 'text')
    .addColumn('mask_json', 'text') // StoredMask (RLE per slice + provenance)
    .addColumn('measurement_json', 'text') // long axis, short axis, volume, endpoints in patient coordinates
    .addColumn('confidence', 'real')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('segmentations_series').on('segmentations').column('series_id').execute();
  await db.schema.createIndex('segmentations_job').on('segmentations').column('job_id').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('segmentations').execute();
}
