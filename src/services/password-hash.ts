import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// scrypt in PHC-like form `$scrypt$ln=17,r=8,p=1$<salt b64>$<hash b64>` (SEC-09). N=2^17 needs ~128 MiB, above
// Node's default 32 MiB maxmem, and ~0.4 s of CPU: at most two hashes run at once so parallel logins cannot
// exhaust memory.
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((r) => waiting.push(r));
  running += 1;
  try {
    return await fn();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

function scryptAsync(password: string, salt: Buffer, ln: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** ln;
  return withSlot(
    () =>
      new Promise((resolve, reject) =>
        scrypt(password, salt, 32, { N, r, p, maxmem: 128 * N * r * 2 }, (err, key) => (err ? reject(err) : resolve(key))),
      ),
  );
}

export async function hashPassword(password: string, ln: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, ln, 8, 1);
  return `$scrypt$ln=${ln},r=8,p=1$${salt.toString('base64')}$${key.toString('base64')}`;
}

export interface PasswordCheck {
  ok: boolean;
  /** stored with weaker parameters than configured: rehash on successful login */
  needsRehash: boolean;
}

export async function verifyPassword(password: string, stored: string, configuredLn: number): Promise<PasswordCheck> {
  const m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
  if (!m) return { ok: false, needsRehash: false };
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const expected = Buffer.from(m[5], 'base64');
  const key = await scryptAsync(password, Buffer.from(m[4], 'base64'), ln, r, p);
  const ok = key.length === expected.length && timingSafeEqual(key, expected);
  return { ok, needsRehash: ok && ln < configuredLn };
}

/** A hash of a random password: verified against for unknown usernames so timing does not reveal them (SEC-08). */
export async function makeDummyHash(ln: number): Promise<string> {
  return hashPassword(randomBytes(18).toString('base64'), ln);
}
