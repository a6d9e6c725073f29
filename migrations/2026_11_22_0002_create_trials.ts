import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('trials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique()) // sponsor's protocol number, e.g. ONC-2026-001
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('sponsor_name', 'text', (c) => c.notNull())
    .addColumn('protocol_name', 'text', (c) => c.notNull()) // file in protocols/, e.g. recist-1.1
    .addColumn('protocol_json', 'text', (c) => c.notNull()) // snapshot of the charter as approved (versioned)
    .addColumn('protocol_sha256', 'text', (c) => c.notNull())
    .addColumn('protocol_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('protocol_approved_at', 'text')
    .addColumn('protocol_approved_by', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('setup'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text') // sponsors may be bound to one site (P11-DEV-01)
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addUniqueConstraint('memberships_unique', ['trial_id', 'user_id', 'role'])
    .execute();
  await db.schema.createIndex('memberships_user').on('memberships').column('user_id').execute();

  await db.schema
    .createTable('sites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull()) // hidden from readers (BL-02/BL-04)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sites_trial_code', ['trial_id', 'code'])
    .execute();

  await db.schema
    .createTable('subjects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
    .addColumn('subject_code', 'text', (c) => c.notNull()) // trial-scoped pseudonym; never a patient identifier
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('enrolled'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('subjects_trial_code', ['trial_id', 'subject_code'])
    .execute();

  await db.schema
    .createTable('timepoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('visit_code', 'text', (c) => c.notNull()) // BASELINE, TP1, ...
    .addColumn('visit_num', 'real', (c) => c.notNull()) // SDTM VISITNUM
    .addColumn('label', 'text', (c) => c.notNull()) // SDTM VISIT
    .addColumn('scheduled_on', 'text')
    .addColumn('acquired_on', 'text')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('expected'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('timepoints_subject_visit', ['subject_id', 'visit_code'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['timepoints', 'subjects', 'sites', 'memberships', 'trials']) await db.schema.dropTable(t).execute();
}
