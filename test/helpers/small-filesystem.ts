// Small real file systems for the disk-full tests (FLT-03): a tmpfs of a given size mounted on a temp folder (we
// run as root, locally and in CI), and a ballast file that leaves an exact number of bytes free. Nothing is
// simulated: the kernel answers ENOSPC when the ballast and the platform's writes exceed the mount's size.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, statfsSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why a tmpfs cannot be mounted here, or null when it can (tried on a throwaway folder). */
export function tmpfsUnavailable(): string | null {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  const probe = mkdtempSync(path.join(os.tmpdir(), 'corelab-mount-probe-'));
  try {
    run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
    run('umount', [probe]);
    return null;
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim();
    return `cannot mount a tmpfs (${stderr || 'mount failed'}); run as root or with CAP_SYS_ADMIN`;
  } finally {
    rmdirSync(probe);
  }
}

export function mountTmpfs(dir: string, sizeMb: number): void {
  run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
}

export function unmount(dir: string): void {
  try {
    run('umount', [dir]);
  } catch {
    run('umount', ['-l', dir]); // a file still open (a closing SQLite handle): detach now, freed when closed
  }
}

export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/**
 * Writes a ballast file into `dir` until only `leaveBytes` stay free (0: until the file system refuses a write).
 * Returns its path; deleting it frees the space.
 */
export function fillUp(dir: string, leaveBytes: number): string {
  const file = path.join(dir, `ballast-${process.pid}-${Date.now()}`);
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  try {
    let todo = freeBytes(dir) - leaveBytes;
    while (leaveBytes === 0 || todo > 0) {
      const n = leaveBytes === 0 ? chunk.length : Math.min(chunk.length, todo);
      writeSync(fd, chunk, 0, n);
      todo -= n;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC' || leaveBytes !== 0) throw e;
  } finally {
    closeSync(fd);
  }
  return file;
}

export function removeBallast(file: string): void {
  rmSync(file, { force: true });
}
