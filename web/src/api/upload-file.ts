import { getSession } from '../session/session-store.js';
import { mediaTypeOf } from '../upload/media-type.js';
import { sessionExpired } from './client.js';
import { ApiError, isProblem } from './problem.js';
import type { paths } from './schema';

// POST /trials/{trialId}/uploads/{uploadId}/files for one file, through XMLHttpRequest: fetch has no upload progress,
// and a progress bar per file is what tells a site coordinator a 500-slice series is moving. Same contract operation
// (addUploadFiles), same bearer token, same problem+json errors as the typed client.

type FilesOp = paths['/trials/{trialId}/uploads/{uploadId}/files']['post'];
export type UploadView = FilesOp['responses'][201]['content']['application/json'];

export function sendUploadFile(
  trialId: string,
  uploadId: string,
  file: File,
  onProgress: (sentBytes: number) => void,
  signal?: AbortSignal,
): Promise<UploadView> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/trials/${encodeURIComponent(trialId)}/uploads/${encodeURIComponent(uploadId)}/files`);
    const token = getSession().token;
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', mediaTypeOf(file));
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.onabort = () => reject(new DOMException('upload cancelled', 'AbortError'));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: handled below */
      }
      if (xhr.status === 201) return resolve(body as UploadView);
      if (xhr.status === 401) void sessionExpired(new Response(xhr.responseText, { status: 401 }));
      reject(new ApiError(xhr.status, isProblem(body) ? body : null));
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
