// Row types of every table, snake_case as stored. One mapper per table turns rows into domain objects.
// Timestamps are ISO-8601 UTC strings with milliseconds on both dialects (lexically ordered).
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  password_hash: string;
  is_admin: number;
  status: 'active' | 'disabled';
  failed_logins: number;
  locked_until: string | null;
  password_changed_at: string;
  identity_verified_by: string | null;
  identity_verified_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_sha256: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  client_ip: string | null;
}

export interface TrialsTable {
  id: string;
  code: string;
  title: string;
  sponsor_name: string;
  protocol_name: string;
  protocol_json: string;
  protocol_sha256: string;
  protocol_version: number;
  protocol_approved_at: string | null;
  protocol_approved_by: string | null;
  status: string;
  created_at: string;
  updated_at: string;
}

export interface MembershipsTable {
  id: string;
  trial_id: string;
  user_id: string;
  role: string;
  site_id: string | null;
  status: 'active' | 'revoked';
  created_at: string;
  revoked_at: string | null;
}

export interface SitesTable {
  id: string;
  trial_id: string;
  code: string;
  name: string;
  created_at: string;
}

export interface SubjectsTable {
  id: string;
  trial_id: string;
  site_id: string;
  subject_code: string;
  status: string;
  created_at: string;
}

export interface TimepointsTable {
  id: string;
  trial_id: string;
  subject_id: string;
  visit_code: string;
  visit_num: number;
  label: string;
  scheduled_on: string | null;
  acquired_on: string | null;
  state: string;
  created_at: string;
  updated_at: string;
}

export interface JobsTable {
  id: string;
  trial_id: string | null;
  type: string;
  payload_json: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  lease_expires_at: string | null;
  run_after: string;
  progress: number;
  result_json: string | null;
  error: string | null;
  cancel_requested: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface AuditEventsTable {
  seq: number;
  id: string;
  occurred_at: string;
  actor_id: string | null;
  actor_name: string;
  actor_role: string;
  action: string;
  entity_type: string;
  entity_id: string;
  trial_id: string | null;
  before_json: string | null;
  after_json: string | null;
  reason: string | null;
  request_id: string | null;
  client_ip: string | null;
  session_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditChainHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface SignaturesTable {
  id: string;
  trial_id: string | null;
  entity_type: string;
  entity_id: string;
  record_version: number;
  signer_id: string;
  signer_name: string;
  meaning: string;
  signed_at: string;
  content_sha256: string;
  mac: string;
}

export interface UploadsTable {
  id: string;
  trial_id: string;
  subject_id: string | null;
  timepoint_id: string | null;
  channel: 'upload' | 'stow-rs';
  state: 'open' | 'processing' | 'completed' | 'failed';
  file_count: number;
  bytes: number;
  job_id: string | null;
  outcome_json: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface UploadFilesTable {
  id: string;
  upload_id: string;
  ordinal: number;
  content_type: string;
  bytes: number;
  sha256: string;
  /** the preparation made as the file arrived (arrival-preparation.ts), until the ingest job has used it */
  prepared_json: string | null;
  created_at: string;
}

export interface StudiesTable {
  id: string;
  trial_id: string;
  subject_id: string;
  study_uid: string;
  study_date: string | null;
  created_at: string;
}

export interface SeriesTable {
  id: string;
  trial_id: string;
  study_id: string;
  timepoint_id: string;
  series_uid: string;
  modality: string | null;
  frame_of_reference_uid: string | null;
  instance_count: number;
  acquisition_json: string | null;
  volume_json: string | null;
  findings_json: string | null;
  created_at: string;
  updated_at: string;
}

export interface InstancesTable {
  id: string;
  trial_id: string;
  series_id: string;
  sop_instance_uid: string;
  sop_class_uid: string;
  instance_number: number | null;
  transfer_syntax_uid: string;
  rows: number;
  columns: number;
  frames: number;
  geometry_json: string | null;
  blob_sha256: string;
  bytes: number;
  quarantine_reason: string | null;
  upload_id: string;
  created_at: string;
}

export interface DeidLedgerTable {
  id: string;
  trial_id: string;
  instance_id: string;
  source_uid_digest: string;
  new_uids_json: string;
  sha256_before: string;
  sha256_after: string;
  profile_version: string;
  options_json: string;
  actions_json: string;
  created_at: string;
}

export interface QcResultsTable {
  id: string;
  trial_id: string;
  timepoint_id: string;
  outcome: 'pass' | 'pass_with_findings' | 'fail';
  findings_json: string;
  evaluated_at: string;
  override_by: string | null;
  override_reason: string | null;
  override_at: string | null;
}

export interface QueriesTable {
  id: string;
  trial_id: string;
  timepoint_id: string;
  state: 'open' | 'answered' | 'resolved';
  title: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface QueryMessagesTable {
  id: string;
  query_id: string;
  author_id: string | null;
  author_role: string;
  body: string;
  created_at: string;
}

export interface SegmentationsTable {
  id: string;
  trial_id: string;
  series_id: string;
  requested_by: string;
  kind: 'prompt' | 'propagation';
  prompt_json: string;
  source_segmentation_id: string | null;
  job_id: string;
  state: 'queued' | 'done' | 'failed' | 'cancelled';
  outcome: string | null;
  model_id: string | null;
  model_version: string | null;
  model_sha256: string | null;
  execution_provider: string | null;
  requested_execution_provider: string | null;
  execution_provider_fallback_reason: string | null;
  /** 1 when the lesion reached the model's VOI edge (it may be larger than segmented) */
  reaches_voi_edge: number | null;
  mask_json: string | null;
  measurement_json: string | null;
  confidence: number | null;
  /** propagation: where the lesion was looked for, the shift and match score found, and the reason of the outcome */
  details_json: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

// ---- blinded independent central review (migrations/2026_11_22_0100_create_reading.ts) ----------------------

export interface ReaderAssignmentsTable {
  id: string;
  trial_id: string;
  subject_id: string;
  reader_no: number;
  user_id: string;
  created_at: string;
}

export interface ReadsTable {
  id: string;
  trial_id: string;
  subject_id: string;
  timepoint_id: string;
  reader_no: number;
  reader_id: string;
  state: 'waiting' | 'open' | 'draft' | 'signed';
  current_version: number;
  due_on: string;
  created_at: string;
  updated_at: string;
  signed_at: string | null;
}

export interface ReadVersionsTable {
  id: string;
  read_id: string;
  version: number;
  state: 'draft' | 'signed' | 'superseded';
  content_json: string;
  evaluation_json: string | null;
  reason: string | null;
  signature_id: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  signed_at: string | null;
}

export interface AdjudicationsTable {
  id: string;
  trial_id: string;
  subject_id: string;
  through_timepoint_id: string;
  scope: 'timepoint' | 'subject';
  state: 'open' | 'completed' | 'superseded';
  triggers_json: string;
  compared_json: string;
  assignee_id: string | null;
  chosen_reader_no: number | null;
  rationale: string | null;
  cause: string | null;
  signature_id: string | null;
  superseded_reason: string | null;
  due_on: string;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

// ---- SDTM data cuts (migrations/2026_11_22_0030_create_exports.ts) ------------------------------------------

export interface ExportsTable {
  id: string;
  trial_id: string;
  cutoff: string;
  params_json: string;
  state: 'queued' | 'running' | 'passed' | 'failed';
  job_id: string | null;
  manifest_json: string | null;
  findings_json: string | null;
  error: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  trials: TrialsTable;
  memberships: MembershipsTable;
  sites: SitesTable;
  subjects: SubjectsTable;
  timepoints: TimepointsTable;
  jobs: JobsTable;
  audit_events: AuditEventsTable;
  audit_chain_head: AuditChainHeadTable;
  signatures: SignaturesTable;
  uploads: UploadsTable;
  upload_files: UploadFilesTable;
  studies: StudiesTable;
  series: SeriesTable;
  instances: InstancesTable;
  deid_ledger: DeidLedgerTable;
  qc_results: QcResultsTable;
  queries: QueriesTable;
  query_messages: QueryMessagesTable;
  segmentations: SegmentationsTable;
  reader_assignments: ReaderAssignmentsTable;
  reads: ReadsTable;
  read_versions: ReadVersionsTable;
  adjudications: AdjudicationsTable;
  exports: ExportsTable;
}
export type { Generated };
