import type { Kysely } from 'kysely';

// What the first segmentations table left out: the provider asked for and why it was not used (CUDA falling back to
// CPU is recorded with each result, not only logged), whether the lesion reached the model's VOI edge, and the
// propagation's search outcome (where the lesion was looked for, the shift found, the match score, the reason).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('segmentations').addColumn('requested_execution_provider', 'text').execute();
  await db.schema.alterTable('segmentations').addColumn('execution_provider_fallback_reason', 'text').execute();
  await db.schema.alterTable('segmentations').addColumn('reaches_voi_edge', 'integer').execute();
  await db.schema.alterTable('segmentations').addColumn('details_json', 'text').execute();
  await db.schema.createIndex('segmentations_source').on('segmentations').column('source_segmentation_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('segmentations_source').execute();
  for (const c of ['details_json', 'reaches_voi_edge', 'execution_provider_fallback_reason', 'requested_execution_provider']) {
    await db.schema.alterTable('segmentations').dropColumn(c).execute();
  }
}
