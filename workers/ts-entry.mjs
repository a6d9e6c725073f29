// Piscina runs this plain-ESM file in every worker thread. It installs tsx's loader in the thread (execArgv
// --import does not reach ESM workers on Node 20) and dispatches to the TypeScript entry named by the task.
import { register } from 'tsx/esm/api';

register();
const modules = new Map();

/**
 * A task's stop flag, when its pool cancels cooperatively (src/jobs/worker-pools.ts, cooperativeCancel): a handler
 * calls throwIfStopped between steps; it throws an AbortError once the caller has cancelled.
 */
class TaskStop {
  #flag;
  constructor(flag) {
    this.#flag = flag;
  }
  get requested() {
    return this.#flag !== undefined && Atomics.load(this.#flag, 0) === 1;
  }
  throwIfStopped() {
    if (this.requested) throw new DOMException('the task was cancelled', 'AbortError');
  }
}

export default async function dispatch({ entry, name, task, stop }) {
  let mod = modules.get(entry);
  if (!mod) {
    mod = await import(new URL(`./${entry}.ts`, import.meta.url).href);
    modules.set(entry, mod);
  }
  // a server warming its pool at start: the thread has now loaded (and compiled) the entry, nothing else to do
  if (name === 'warm') return true;
  const handler = mod[name ?? 'default'];
  if (typeof handler !== 'function') throw new Error(`workers/${entry}.ts has no handler ${name ?? 'default'}`);
  return handler(task, new TaskStop(stop));
}
