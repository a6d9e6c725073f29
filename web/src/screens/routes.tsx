import type { JSX } from 'preact';
import { type Caller, type OperationId, mayCallAll } from '../api/access.js';
import { AdjudicationScreen } from './adjudication/adjudication-screen.js';
import { AuditScreen } from './audit/audit-trail.js';
import { FinalAssessmentScreen, FinalAssessmentsScreen } from './corelab/final-assessment.js';
import { ReaderAssignmentScreen } from './corelab/reader-assignment.js';
import { QcQueueScreen } from './qc/qc-queue.js';
import { QueriesScreen } from './queries.js';
import { ReadScreen } from './reading/read-screen.js';
import { WorklistScreen } from './reading/worklist.js';
import { LazyScreen } from '../ui/lazy-screen.js';
import { SubjectVisitsScreen } from './sponsor/subject-visits.js';
import { SubjectsScreen } from './sponsor/subjects.js';
import { VisitUploadScreen } from './sponsor/visit-upload.js';

// Every trial screen, where it lives, and the API operations it needs when it opens. A screen is offered (in the
// navigation, and when its URL is opened directly) only to callers whose roles the contract allows for all of them.

export interface TrialScreen {
  pattern: string;
  /** label in the trial navigation; screens reached from another screen have none */
  nav?: string;
  describe?: string;
  needs: OperationId[];
  render: (params: Record<string, string>, caller: Caller) => JSX.Element;
}

export const TRIAL_SCREENS: TrialScreen[] = [
  {
    pattern: '/trials/:trialId/subjects',
    nav: 'Subjects and visits',
    describe: 'Enrolled subjects, their visits with expected, received and QC state; upload a visit.',
    needs: ['listSubjects'],
    render: (p, caller) => <SubjectsScreen trialId={p.trialId} caller={caller} />,
  },
  {
    pattern: '/trials/:trialId/subjects/:subjectId',
    needs: ['getVisitTracking'],
    render: (p, caller) => <SubjectVisitsScreen trialId={p.trialId} subjectId={p.subjectId} caller={caller} />,
  },
  {
    pattern: '/trials/:trialId/subjects/:subjectId/visits/:timepointId/upload',
    needs: ['getVisitTracking', 'createUpload', 'addUploadFiles', 'completeUpload', 'getUpload'],
    render: (p) => <VisitUploadScreen trialId={p.trialId} subjectId={p.subjectId} timepointId={p.timepointId} />,
  },
  {
    pattern: '/trials/:trialId/qc',
    nav: 'QC queue',
    describe: 'Visits with images and their QC findings: release, fail with a reason, raise a query.',
    needs: ['getQcQueue'],
    render: (p, caller) => <QcQueueScreen trialId={p.trialId} caller={caller} />,
  },
  {
    pattern: '/trials/:trialId/queries',
    nav: 'Queries',
    describe: 'QC queries with their messages: answer, follow up, resolve.',
    needs: ['listQueries'],
    render: (p, caller) => <QueriesScreen trialId={p.trialId} caller={caller} />,
  },
  {
    pattern: '/trials/:trialId/audit',
    nav: 'Audit trail',
    describe: 'Every change on this trial, filtered and paged; verification of the hash chain.',
    needs: ['listAuditEvents'],
    render: (p, caller) => <AuditScreen trialId={p.trialId} caller={caller} />,
  },
  // Reading (blinded independent central review). The worklists name an operation only their role may call, so a
  // reader sees the reading worklist and an adjudicator the adjudication worklist (GET /me/tasks is open to all).
  {
    pattern: '/trials/:trialId/reading',
    nav: 'Reading worklist',
    describe: 'Your reads on this trial by due date: baseline and follow-up timepoints, drafts and signed reads.',
    needs: ['listMyTasks', 'saveReadDraft'],
    render: (p) => <WorklistScreen trialId={p.trialId} kind="read" />,
  },
  {
    pattern: '/trials/:trialId/reads/:readId',
    needs: ['getRead'],
    render: (p, caller) => <ReadScreen trialId={p.trialId} readId={p.readId} caller={caller} />,
  },
  {
    pattern: '/trials/:trialId/adjudication',
    nav: 'Adjudication worklist',
    describe: 'Subjects whose two reads disagree, assigned to you: compare and choose the read of record.',
    needs: ['listMyTasks', 'decideAdjudication'],
    render: (p) => <WorklistScreen trialId={p.trialId} kind="adjudication" />,
  },
  {
    pattern: '/trials/:trialId/adjudications/:adjudicationId',
    needs: ['getAdjudication'],
    render: (p, caller) => <AdjudicationScreen trialId={p.trialId} adjudicationId={p.adjudicationId} caller={caller} />,
  },
  {
    pattern: '/trials/:trialId/reader-assignment',
    nav: 'Reader assignment',
    describe: "Name a subject's two readers before its reading starts.",
    needs: ['assignReaders', 'listSubjects', 'listTimepoints', 'listAuditEvents'],
    render: (p, caller) => <ReaderAssignmentScreen trialId={p.trialId} caller={caller} />,
  },
  {
    pattern: '/trials/:trialId/final-assessment',
    nav: 'Final assessments',
    describe: 'Per subject and timepoint, the response of record and its source: concordant reads or adjudication.',
    needs: ['listSubjects', 'getFinalAssessment'],
    render: (p) => <FinalAssessmentsScreen trialId={p.trialId} />,
  },
  {
    pattern: '/trials/:trialId/final-assessment/:subjectId',
    needs: ['getFinalAssessment'],
    render: (p, caller) => <FinalAssessmentScreen trialId={p.trialId} subjectId={p.subjectId} caller={caller} />,
  },
  {
    pattern: '/trials/:trialId/reader-stats',
    nav: 'Reader statistics',
    describe: 'Adjudication rate, agreement (kappa) and AI acceptance per reader; waterfall of best % change per subject.',
    needs: ['getReaderStats', 'listSubjects', 'getFinalAssessment', 'listAuditEvents', 'getRead'],
    render: (p) => <LazyScreen what="reader statistics" load={() => import('./corelab/reader-stats.js').then((m) => m.ReaderStatsScreen)} props={{ trialId: p.trialId }} />,
  },
  // Data cuts (biostatisticians and administrators) and a trial's administration: loaded when first opened, so
  // the other roles do not download them.
  {
    pattern: '/trials/:trialId/exports',
    nav: 'Data exports',
    describe: 'SDTM data cuts with a cut-off: build progress, conformance findings, files verified by SHA-256.',
    needs: ['requestExport', 'listExports'],
    render: (p) => <LazyScreen what="data exports" load={() => import('./exports/exports-list.js').then((m) => m.ExportsScreen)} props={{ trialId: p.trialId }} />,
  },
  {
    pattern: '/trials/:trialId/exports/:exportId',
    needs: ['getExport', 'downloadExportFile', 'getJob'],
    render: (p) => <LazyScreen what="the data cut" load={() => import('./exports/export-detail.js').then((m) => m.ExportDetailScreen)} props={{ trialId: p.trialId, exportId: p.exportId }} />,
  },
  {
    pattern: '/trials/:trialId/setup',
    nav: 'Trial setup',
    describe: 'The charter and its approval by e-signature; the trial\'s sites.',
    needs: ['getTrial', 'approveProtocol', 'listTrialSignatures', 'listSites', 'createSite'],
    render: (p) => <LazyScreen what="trial setup" load={() => import('./admin/trial-setup.js').then((m) => m.TrialSetupScreen)} props={{ trialId: p.trialId }} />,
  },
  {
    pattern: '/trials/:trialId/members',
    nav: 'Members',
    describe: 'Who holds which role on this trial, with sponsors\' site binding: grant and revoke roles.',
    needs: ['listMembers', 'addMember', 'revokeMember', 'listUsers', 'listSites', 'getTrial'],
    render: (p) => <LazyScreen what="members" load={() => import('./admin/members.js').then((m) => m.MembersScreen)} props={{ trialId: p.trialId }} />,
  },
];

export const trialScreensFor = (caller: Caller): TrialScreen[] => TRIAL_SCREENS.filter((s) => s.nav && mayCallAll(s.needs, caller));

/** Screens outside any trial (administration), offered in the top bar to callers who may make their calls. */
export interface GlobalScreen {
  pattern: string;
  nav: string;
  needs: OperationId[];
  render: (params: Record<string, string>) => JSX.Element;
}

export const GLOBAL_SCREENS: GlobalScreen[] = [
  { pattern: '/admin/users', nav: 'Users', needs: ['listUsers', 'createUser', 'verifyIdentity', 'resetPassword', 'disableUser'], render: () => <LazyScreen what="users" load={() => import('./admin/users.js').then((m) => m.UsersScreen)} props={{}} /> },
  { pattern: '/admin/trials', nav: 'Trials', needs: ['listTrials', 'createTrial'], render: () => <LazyScreen what="trials" load={() => import('./admin/trials.js').then((m) => m.TrialsAdminScreen)} props={{}} /> },
];

export const globalScreensFor = (caller: Caller): GlobalScreen[] => GLOBAL_SCREENS.filter((s) => mayCallAll(s.needs, caller));
