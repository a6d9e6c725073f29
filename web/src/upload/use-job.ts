import { useEffect, useState } from 'preact/hooks';
import { type Schemas, api, must } from '../api/client.js';

export type Job = Schemas['Job'];
export const TERMINAL_JOB_STATES: ReadonlyArray<Job['state']> = ['succeeded', 'failed', 'cancelled'];

/**
 * Follows a job (GET /jobs/{jobId}) until it ends: every second at first, then every 3 s, so a job that waits
 * long in the queue does not cost a request a second for the whole wait.
 */
export function useJob(jobId: string | null): { job: Job | null; error: unknown } {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!jobId) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let polls = 0;
    const poll = async () => {
      try {
        const j = await must(api.GET('/jobs/{jobId}', { params: { path: { jobId } } }));
        if (!live) return;
        setJob(j);
        setError(null);
        if (TERMINAL_JOB_STATES.includes(j.state)) return;
      } catch (e) {
        if (!live) return;
        setError(e);
      }
      polls += 1;
      timer = setTimeout(poll, polls < 10 ? 1000 : 3000);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [jobId]);
  return { job, error };
}
