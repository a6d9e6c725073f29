// The files of one visit upload and where each one is: waiting, being sent (bytes so far), sent, or failed with the
// server's reason. Pure state transitions (a reducer), so the screen only draws them.

export const FILE_STATES = ['pending', 'sending', 'sent', 'failed'] as const;
export type FileState = (typeof FILE_STATES)[number];

export interface QueuedFile {
  /** stable key: the path inside the dropped folder (or the file name) with its size */
  key: string;
  file: File;
  /** path relative to the dropped folder, or the file name */
  relPath: string;
  state: FileState;
  sentBytes: number;
  error: string | null;
}

export type QueueAction =
  | { type: 'add'; files: Array<{ file: File; relPath: string }> }
  | { type: 'remove'; key: string }
  | { type: 'sending'; key: string }
  | { type: 'progress'; key: string; sentBytes: number }
  | { type: 'sent'; key: string }
  | { type: 'failed'; key: string; error: string }
  | { type: 'retry'; key: string };

const keyOf = (relPath: string, size: number) => `${relPath}\u0000${size}`;

export function uploadQueue(queue: QueuedFile[], a: QueueAction): QueuedFile[] {
  const update = (key: string, f: (q: QueuedFile) => QueuedFile) => queue.map((q) => (q.key === key ? f(q) : q));
  switch (a.type) {
    case 'add': {
      // The same file dropped twice is sent once.
      const seen = new Set(queue.map((q) => q.key));
      const added: QueuedFile[] = [];
      for (const { file, relPath } of a.files) {
        const key = keyOf(relPath, file.size);
        if (seen.has(key)) continue;
        seen.add(key);
        added.push({ key, file, relPath, state: 'pending', sentBytes: 0, error: null });
      }
      // In path order, numbers by value (IM2 before IM10): the order a site coordinator sees in a file browser.
      added.sort((x, y) => x.relPath.localeCompare(y.relPath, undefined, { numeric: true }));
      return [...queue, ...added];
    }
    case 'remove':
      // A file on its way or already on the server stays listed: removing it here would not remove it there.
      return queue.filter((q) => q.key !== a.key || q.state === 'sending' || q.state === 'sent');
    case 'sending':
      return update(a.key, (q) => ({ ...q, state: 'sending', sentBytes: 0, error: null }));
    case 'progress':
      return update(a.key, (q) => (q.state === 'sending' ? { ...q, sentBytes: Math.min(a.sentBytes, q.file.size) } : q));
    case 'sent':
      return update(a.key, (q) => ({ ...q, state: 'sent', sentBytes: q.file.size, error: null }));
    case 'failed':
      return update(a.key, (q) => ({ ...q, state: 'failed', error: a.error }));
    case 'retry':
      return update(a.key, (q) => (q.state === 'failed' ? { ...q, state: 'pending', sentBytes: 0, error: null } : q));
  }
}

export interface QueueSummary {
  total: number;
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  bytes: number;
  sentBytes: number;
}

export function summarize(queue: QueuedFile[]): QueueSummary {
  const s: QueueSummary = { total: queue.length, pending: 0, sending: 0, sent: 0, failed: 0, bytes: 0, sentBytes: 0 };
  for (const q of queue) {
    s[q.state] += 1;
    s.bytes += q.file.size;
    s.sentBytes += q.sentBytes;
  }
  return s;
}

/** Completing is allowed once something is on the server and nothing is still waiting, moving or failed. */
export const mayComplete = (s: QueueSummary): boolean => s.sent > 0 && s.pending === 0 && s.sending === 0 && s.failed === 0;
