import type { Kysely } from 'kysely';

// Blinded independent central review (BICR): reader assignments per subject, one read per timepoint and reader
// with versioned content (read_versions: draft -> signed -> superseded; a signed version is never changed, a
// correction adds a version), and adjudications. Timestamps are ISO text like every other table.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reader_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('reader_no', 'integer', (c) => c.notNull()) // 1 or 2: the same two readers follow the subject
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('reader_assignments_subject_no', ['subject_id', 'reader_no'])
    .addUniqueConstraint('reader_assignments_subject_user', ['subject_id', 'user_id']) // never both roles (BL-05)
    .execute();
  await db.schema.createIndex('reader_assignments_user').on('reader_assignments').columns(['trial_id', 'user_id']).execute();

  await db.schema
    .createTable('reads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('timepoint_id', 'text', (c) => c.notNull().references('timepoints.id'))
    .addColumn('reader_no', 'integer', (c) => c.notNull())
    .addColumn('reader_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('state', 'text', (c) => c.notNull()) // waiting | open | draft | signed
    .addColumn('current_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'text')
    .addUniqueConstraint('reads_timepoint_reader', ['timepoint_id', 'reader_no'])
    .execute();
  await db.schema.createIndex('reads_reader').on('reads').columns(['reader_id', 'state']).execute();
  await db.schema.createIndex('reads_subject').on('reads').column('subject_id').execute();

  await db.schema
    .createTable('read_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('read_id', 'text', (c) => c.notNull().references('reads.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull()) // draft | signed | superseded
    .addColumn('content_json', 'text', (c) => c.notNull()) // what the reader entered (lesions, AI decisions, overrides)
    .addColumn('evaluation_json', 'text') // the response engine's output and the effective responses, as signed
    .addColumn('reason', 'text') // why a signed read was corrected (P11-AT-02)
    .addColumn('signature_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'text')
    .addUniqueConstraint('read_versions_read_version', ['read_id', 'version'])
    .execute();

  await db.schema
    .createTable('adjudications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('through_timepoint_id', 'text', (c) => c.notNull().references('timepoints.id'))
    .addColumn('scope', 'text', (c) => c.notNull()) // timepoint | subject (charter)
    .addColumn('state', 'text', (c) => c.notNull()) // open | completed | superseded
    .addColumn('triggers_json', 'text', (c) => c.notNull()) // which charter triggers fired, and what differs
    .addColumn('compared_json', 'text', (c) => c.notNull()) // the signed read versions compared
    .addColumn('assignee_id', 'text', (c) => c.references('users.id'))
    .addColumn('chosen_reader_no', 'integer')
    .addColumn('rationale', 'text')
    .addColumn('cause', 'text') // coded cause of the discordance
    .addColumn('signature_id', 'text')
    .addColumn('superseded_reason', 'text')
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema.createIndex('adjudications_subject').on('adjudications').column('subject_id').execute();
  await db.schema.createIndex('adjudications_assignee').on('adjudications').columns(['assignee_id', 'state']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['adjudications', 'read_versions', 'reads', 'reader_assignments']) await db.schema.dropTable(t).execute();
}
