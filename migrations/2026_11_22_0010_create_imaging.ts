import type { Kysely } from 'kysely';

// Imaging: uploads (staged files), the de-identified index (study, series, instance), the de-identification
// ledger (qc/admin only), image QC results and sponsor queries. Only de-identified values are stored.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('subject_id', 'text', (c) => c.references('subjects.id'))
    .addColumn('timepoint_id', 'text', (c) => c.references('timepoints.id'))
    .addColumn('channel', 'text', (c) => c.notNull()) // upload | stow-rs
    .addColumn('state', 'text', (c) => c.notNull()) // open | processing | completed | failed
    .addColumn('file_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('job_id', 'text')
    .addColumn('outcome_json', 'text') // per-file outcome: ingested | duplicate | quarantined | refused (+reason)
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('upload_files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('upload_id', 'text', (c) => c.notNull().references('uploads.id'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull()) // application/dicom | application/zip
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull()) // of the bytes as received (the staged file is removed after ingest)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('upload_files_ordinal', ['upload_id', 'ordinal'])
    .execute();

  await db.schema
    .createTable('studies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('study_uid', 'text', (c) => c.notNull()) // de-identified UID
    .addColumn('study_date', 'text') // shifted per subject when the charter retains modified dates
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('studies_trial_uid', ['trial_id', 'study_uid'])
    .execute();

  await db.schema
    .createTable('series')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
    .addColumn('timepoint_id', 'text', (c) => c.notNull().references('timepoints.id'))
    .addColumn('series_uid', 'text', (c) => c.notNull())
    .addColumn('modality', 'text')
    .addColumn('frame_of_reference_uid', 'text')
    .addColumn('instance_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('acquisition_json', 'text') // kVp, kernel, slice thickness, contrast... (for QC)
    .addColumn('volume_json', 'text') // assembled geometry and ordered instance ids
    .addColumn('findings_json', 'text') // volume problems (missing slices, tilt...)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('series_trial_uid', ['trial_id', 'series_uid'])
    .execute();

  await db.schema
    .createTable('instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('series_id', 'text', (c) => c.notNull().references('series.id'))
    .addColumn('sop_instance_uid', 'text', (c) => c.notNull())
    .addColumn('sop_class_uid', 'text', (c) => c.notNull())
    .addColumn('instance_number', 'integer')
    .addColumn('transfer_syntax_uid', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('columns', 'integer', (c) => c.notNull())
    .addColumn('frames', 'integer', (c) => c.notNull())
    .addColumn('geometry_json', 'text') // position, orientation, spacing, thickness, rescale per frame
    .addColumn('blob_sha256', 'text', (c) => c.notNull()) // de-identified Part 10 in the blob store
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('quarantine_reason', 'text') // burned-in annotation, secondary capture...: never shown to readers
    .addColumn('upload_id', 'text', (c) => c.notNull().references('uploads.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('instances_trial_uid', ['trial_id', 'sop_instance_uid'])
    .execute();
  await db.schema.createIndex('instances_series').on('instances').column('series_id').execute();

  await db.schema
    .createTable('deid_ledger')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id'))
    .addColumn('source_uid_digest', 'text', (c) => c.notNull()) // sha256 of the source SOP Instance UID
    .addColumn('new_uids_json', 'text', (c) => c.notNull())
    .addColumn('sha256_before', 'text', (c) => c.notNull())
    .addColumn('sha256_after', 'text', (c) => c.notNull())
    .addColumn('profile_version', 'text', (c) => c.notNull())
    .addColumn('options_json', 'text', (c) => c.notNull())
    .addColumn('actions_json', 'text', (c) => c.notNull()) // tag + action only, never values
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('qc_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('timepoint_id', 'text', (c) => c.notNull().references('timepoints.id'))
    .addColumn('outcome', 'text', (c) => c.notNull()) // pass | pass_with_findings | fail
    .addColumn('findings_json', 'text', (c) => c.notNull())
    .addColumn('evaluated_at', 'text', (c) => c.notNull())
    .addColumn('override_by', 'text')
    .addColumn('override_reason', 'text')
    .addColumn('override_at', 'text')
    .execute();

  await db.schema
    .createTable('queries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('timepoint_id', 'text', (c) => c.notNull().references('timepoints.id'))
    .addColumn('state', 'text', (c) => c.notNull()) // open | answered | resolved
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('query_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('query_id', 'text', (c) => c.notNull().references('queries.id'))
    .addColumn('author_id', 'text')
    .addColumn('author_role', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['query_messages', 'queries', 'qc_results', 'deid_ledger', 'instances', 'series', 'studies', 'upload_files', 'uploads']) {
    await db.schema.dropTable(t).execute();
  }
}
