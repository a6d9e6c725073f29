// `corelab serve` as a child process of a test, so that what is measured is the server alone (its memory, its
// system calls), started on the test platform's database and data folder and resolved once it listens.
import { type ChildProcess, spawn } from 'node:child_process';

export interface ServerProcess {
  /** the spawned process: the server, or the command wrapping it (strace) */
  readonly child: ChildProcess;
  readonly port: number;
}

/** `wrapper`: a command and its arguments run in front of the server (e.g. strace), which must pass stdout through. */
export async function startServerProcess(env: Record<string, string | undefined>, wrapper: string[] = []): Promise<ServerProcess> {
  const serve = [process.execPath, '--import', 'tsx', 'src/cli.ts', 'serve'];
  const [command, ...args] = [...wrapper, ...serve];
  const child = spawn(command, args, { env: { ...process.env, ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stderr!.on('data', (d) => (logs += String(d)));
  const port = await new Promise<number>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${logs}`)));
    child.stdout!.on('data', (d) => {
      logs += String(d);
      const m = /"event":"listening","port":(\d+)/.exec(logs);
      if (m) resolve(Number(m[1]));
    });
  });
  return { child, port };
}
