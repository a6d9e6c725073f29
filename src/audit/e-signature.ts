import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { DbOrTrx, Trx } from '../db/connect.js';
import type { SignaturesTable } from '../db/schema.js';
import { canonicalJson } from '../domain/audit/canonical-json.js';
import { sha256hex } from './audit-log.js';

// §11.50 / §11.70: a signature shows printed name, UTC time and meaning, and is bound to the exact content it
// signed (SHA-256 of the record's canonical form) and the record version. A MAC under a key kept outside the
// database (P11-SIG-02) makes a signature row edited or copied to another record fail verification.
export const SIGNATURE_MEANINGS = ['authored', 'reviewed', 'approved', 'adjudicated'] as const;
export type SignatureMeaning = (typeof SIGNATURE_MEANINGS)[number];

export interface SignatureRequest {
  trialId: string | null;
  entityType: string;
  entityId: string;
  recordVersion: number;
  /** the record as it stands when signed; hashed canonically */
  content: unknown;
  meaning: SignatureMeaning;
  signer: { userId: string; printedName: string };
}

export interface Signature {
  id: string;
  trialId: string | null;
  entityType: string;
  entityId: string;
  recordVersion: number;
  signerId: string;
  signerName: string;
  meaning: SignatureMeaning;
  signedAt: string;
  contentSha256: string;
}

export const contentSha256 = (content: unknown): string => sha256hex(canonicalJson(content));

function signatureMac(key: Buffer, s: Signature): string {
  return createHmac('sha256', key).update(canonicalJson(s)).digest('hex');
}

export async function recordSignature(trx: Trx, key: Buffer, req: SignatureRequest, now: Date): Promise<Signature> {
  const sig: Signature = {
    id: randomUUID(),
    trialId: req.trialId,
    entityType: req.entityType,
    entityId: req.entityId,
    recordVersion: req.recordVersion,
    signerId: req.signer.userId,
    signerName: req.signer.printedName,
    meaning: req.meaning,
    signedAt: now.toISOString(),
    contentSha256: contentSha256(req.content),
  };
  await trx.insertInto('signatures').values(toRow(sig, signatureMac(key, sig))).execute();
  return sig;
}

export interface SignatureCheck {
  signature: Signature;
  /** the MAC matches: the row is as the platform wrote it, for this record */
  authentic: boolean;
  /** the record's current content still hashes to what was signed */
  matchesRecord: boolean;
  /** §11.50 manifestation, e.g. "Jane Roe, 2026-11-22T10:00:00.000Z (UTC), authored" */
  manifestation: string;
}

export function checkSignature(key: Buffer, row: SignaturesTable, currentContent: unknown): SignatureCheck {
  const signature = rowToSignature(row);
  const expected = Buffer.from(signatureMac(key, signature), 'hex');
  const stored = Buffer.from(row.mac, 'hex');
  const authentic = stored.length === expected.length && timingSafeEqual(stored, expected);
  return {
    signature,
    authentic,
    matchesRecord: authentic && contentSha256(currentContent) === signature.contentSha256,
    manifestation: `${signature.signerName}, ${signature.signedAt} (UTC), ${signature.meaning}`,
  };
}

export async function findSignatures(db: DbOrTrx, entityType: string, entityId: string): Promise<SignaturesTable[]> {
  return db
    .selectFrom('signatures')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .orderBy('signed_at')
    .execute();
}

function toRow(s: Signature, mac: string): SignaturesTable {
  return {
    id: s.id,
    trial_id: s.trialId,
    entity_type: s.entityType,
    entity_id: s.entityId,
    record_version: s.recordVersion,
    signer_id: s.signerId,
    signer_name: s.signerName,
    meaning: s.meaning,
    signed_at: s.signedAt,
    content_sha256: s.contentSha256,
    mac,
  };
}

function rowToSignature(r: SignaturesTable): Signature {
  return {
    id: r.id,
    trialId: r.trial_id,
    entityType: r.entity_type,
    entityId: r.entity_id,
    recordVersion: Number(r.record_version),
    signerId: r.signer_id,
    signerName: r.signer_name,
    meaning: r.meaning as SignatureMeaning,
    signedAt: r.signed_at,
    contentSha256: r.content_sha256,
  };
}
