import { api } from '../api/client.js';
import { ApiError, isProblem } from '../api/problem.js';
import { type Export, MANIFEST_FILE, type Verification, verifyDownload } from './export-model.js';

// A file of a data cut, downloaded through the contract's operation (downloadExportFile), hashed here with
// crypto.subtle and checked against the manifest before it is handed to the user: a file whose bytes differ
// from the manifest is reported and not saved.

export async function downloadVerified(trialId: string, exp: Export, name: string): Promise<Verification> {
  let result: Awaited<ReturnType<typeof fetchFile>>;
  try {
    result = await fetchFile(trialId, exp.id, name);
  } catch {
    throw new ApiError(0, null);
  }
  const { data, error, response } = result;
  if (!response.ok || !data) throw new ApiError(response.status, isProblem(error) ? error : null);
  const header = response.headers.get('x-content-sha256');
  let verification: Verification;
  if (name === MANIFEST_FILE) {
    if (!exp.manifest) throw new Error('this cut has no manifest');
    verification = await verifyDownload(data, { kind: 'manifest', manifest: exp.manifest, header });
  } else {
    const entry = exp.manifest?.files.find((f) => f.name === name);
    if (!entry) throw new Error(`${name} is not in this cut's manifest`);
    verification = await verifyDownload(data, { kind: 'file', entry, header });
  }
  if (verification.verified) save(name, data, response.headers.get('content-type') ?? 'application/octet-stream');
  return verification;
}

const fetchFile = (trialId: string, exportId: string, name: string) =>
  api.GET('/trials/{trialId}/exports/{exportId}/files/{name}', { params: { path: { trialId, exportId, name } }, parseAs: 'arrayBuffer' });

/** Hands bytes already in memory to the browser's download (a blob URL; nothing is fetched twice). */
function save(name: string, bytes: ArrayBuffer, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken the bytes once the click is handled; the URL is released a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
