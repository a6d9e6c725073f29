import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

// Piscina entry: re-hashes a stored blob (P11-VAL-02: stored images still match their recorded SHA-256).
export interface IntegrityTask {
  path: string;
  expectedSha256: string;
}
export interface IntegrityResult {
  sha256: string;
  bytes: number;
  matches: boolean;
}

export default async function verifyBlob(task: IntegrityTask): Promise<IntegrityResult> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(task.path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  const sha256 = hash.digest('hex');
  return { sha256, bytes, matches: sha256 === task.expectedSha256 };
}
