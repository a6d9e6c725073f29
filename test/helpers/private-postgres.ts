// A PostgreSQL server of the test's own (FLT-05): initdb into a temp folder, the postmaster on a free loopback port,
// run as the `postgres` user when we are root (initdb refuses root). The test may SIGKILL its postmaster and start it again;
// no shared server is ever touched.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const ROOT = '/usr/lib/postgresql';

function binDir(): string | null {
  if (!existsSync(ROOT)) return null;
  const versions = readdirSync(ROOT).filter((v) => existsSync(path.join(ROOT, v, 'bin', 'initdb')) && existsSync(path.join(ROOT, v, 'bin', 'postgres')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(ROOT, versions[0], 'bin') : null;
}

function postgresUser(): { uid: number; gid: number } | null {
  try {
    const [uid, gid] = ['-u', '-g'].map((f) => Number(execFileSync('id', [f, 'postgres'], { encoding: 'utf8' }).trim()));
    return { uid, gid };
  } catch {
    return null;
  }
}

const asRoot = () => process.getuid?.() === 0;

/** Why a private PostgreSQL cannot be started here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (!binDir()) return `no PostgreSQL server binaries (initdb, postgres) under ${ROOT}/*/bin; install the postgresql package`;
  if (asRoot() && !postgresUser()) return 'running as root and there is no `postgres` user to run initdb as';
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A process that has exited (gone, or a zombie nobody reaped yet). */
function exited(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface PrivatePostgres {
  url: string;
  port: number;
  postmasterPid(): number;
  /** SIGKILL the postmaster (only it), then wait until its backends have noticed and exited, as they must. */
  killPostmaster(): Promise<void>;
  /** (Re)starts the server on the same port and data; after a kill, PostgreSQL runs crash recovery first. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir()!;
  const user = asRoot() ? postgresUser() : null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'corelab-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const asPostgres = (tool: string, args: string[]): [string, string[]] =>
    user ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
  execFileSync(...asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-instructions']), { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

  // The postmaster runs as our child (through runuser when root), not daemonised by pg_ctl: this machine's init does
  // not reap orphans, and a killed postmaster left a zombie would hold its lock file against the restart.
  let child: ChildProcess | undefined;
  let log = '';
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const start = async () => {
    const [cmd, args] = asPostgres('postgres', ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=40']);
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout!.on('data', (d) => (log += String(d)));
    proc.stderr!.on('data', (d) => (log += String(d)));
    const until = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`PostgreSQL exited (${proc.exitCode}) while starting:\n${log.slice(-2000)}`);
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => {});
      try {
        await c.connect();
        await c.end();
        return;
      } catch {
        await c.end().catch(() => {});
      }
      if (Date.now() > until) throw new Error(`PostgreSQL did not accept connections within 60 s:\n${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const exitOf = (proc: ChildProcess) => (proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => proc.once('exit', () => r())));
  const postmasterPid = () => Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  await start();
  return {
    url,
    port,
    postmasterPid,
    async killPostmaster() {
      const pid = postmasterPid();
      const backends = childrenOf(pid);
      process.kill(pid, 'SIGKILL');
      await exitOf(child!);
      const until = Date.now() + 30_000;
      while (backends.some((b) => !exited(b))) {
        if (Date.now() > until) throw new Error(`PostgreSQL backends ${backends.filter((b) => !exited(b)).join(', ')} outlived their postmaster`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    start,
    async destroy() {
      if (child && child.exitCode === null && child.signalCode === null) {
        process.kill(postmasterPid(), 'SIGQUIT'); // immediate shutdown
        await exitOf(child);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
