import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { serve } from '@hono/node-server';
import { Command } from 'commander';
import type { Actor } from './audit/audit-log.js';
import { verifyAuditTrail } from './cli/audit-verify.js';
import { responseEvaluate } from './commands/response-evaluate.js';
import { loadConfig } from './config.js';
import { DomainError, isDomainError } from './domain/errors.js';
import { ensureFirstAdmin, openPlatform, PLATFORM_VERSION } from './main.js';
import { createUser, disableUser, findUserByUsername, resetPassword } from './services/accounts.js';
import { addMember, createTrial, findTrialByCode } from './services/trials.js';
import { exportNow } from './services/exports/export-now.js';
import { formatSummary, runDemo } from './demo/run-demo.js';

// `corelab`: the operator's command line. Every change it makes is audited under the operating-system user.
const cliActor = (): Actor => ({ userId: null, name: `cli:${os.userInfo().username}`, role: 'operator' });

async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line.trim();
    }
    throw new DomainError('VALIDATION_FAILED', 'expected a password on standard input');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  out._writeToOutput = (s: string) => out.output.write(s.startsWith(prompt) ? s : '');
  const answer = await new Promise<string>((resolve) => rl.question(prompt, resolve));
  rl.close();
  process.stdout.write('\n');
  return answer;
}

async function withPlatform<T>(fn: (p: Awaited<ReturnType<typeof openPlatform>>) => Promise<T>): Promise<T> {
  const p = await openPlatform(loadConfig());
  try {
    return await fn(p);
  } finally {
    await p.close();
  }
}

const print = (v: unknown): void => {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
};

const program = new Command('corelab').version(PLATFORM_VERSION).description('Corelab imaging core lab platform');

program
  .command('serve')
  .description('run migrations, then serve the API and run jobs (PORT, DATA_DIR, DATABASE_URL)')
  .action(async () => {
    const config = loadConfig();
    const platform = await openPlatform(config, { runJobs: true });
    const admin = await ensureFirstAdmin(platform.ctx, process.env);
    if (admin === 'missing') {
      if (process.stdin.isTTY) {
        console.log('No administrator exists yet. Create the first one:');
        const username = await new Promise<string>((r) => {
          const rl = createInterface({ input: process.stdin, output: process.stdout });
          rl.question('username: ', (a) => (rl.close(), r(a.trim())));
        });
        const password = await readSecret('password: ');
        await createUser(platform.ctx, cliActor(), { username, displayName: username, password, isAdmin: true });
      } else {
        console.log('No administrator exists: set CORELAB_ADMIN_USERNAME and CORELAB_ADMIN_PASSWORD, or run `npx corelab user create --admin`.');
      }
    }
    await platform.warm();
    const server = serve({ fetch: platform.app.fetch, port: config.port }, (info) =>
      console.log(JSON.stringify({ level: 'info', event: 'listening', port: info.port, dataDir: config.dataDir, database: platform.database.dialect, workers: config.pool.workers })),
    );
    const shutdown = async () => {
      server.close();
      await platform.close();
      process.exit(0);
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(() => withPlatform(async () => console.log('migrations applied')));

program
  .command('jobs')
  .description('job queue')
  .command('run')
  .description('run the job runner without the HTTP API (extra worker processes on PostgreSQL)')
  .action(async () => {
    const platform = await openPlatform(loadConfig(), { runJobs: true });
    const stop = async () => {
      await platform.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

const user = program.command('user').description('user accounts');
user
  .command('create')
  .requiredOption('--username <name>')
  .option('--name <printed name>', 'printed name used on signatures')
  .option('--email <email>')
  .option('--admin', 'global administrator', false)
  .description('create a user; the password is read from standard input (or prompted)')
  .action((o) =>
    withPlatform(async (p) => {
      const password = await readSecret('password: ');
      print(await createUser(p.ctx, cliActor(), { username: o.username, displayName: o.name ?? o.username, email: o.email, password, isAdmin: o.admin }));
    }),
  );
user
  .command('disable <username>')
  .requiredOption('--reason <text>')
  .action((username, o) =>
    withPlatform(async (p) => {
      const u = await findUserByUsername(p.ctx, username);
      if (!u) throw new DomainError('NOT_FOUND', `no user ${username}`);
      print(await disableUser(p.ctx, cliActor(), u.id, o.reason));
    }),
  );
user
  .command('reset-password <username>')
  .requiredOption('--reason <text>')
  .description('set a new password read from standard input (or prompted); revokes the user\'s sessions')
  .action((username, o) =>
    withPlatform(async (p) => {
      const u = await findUserByUsername(p.ctx, username);
      if (!u) throw new DomainError('NOT_FOUND', `no user ${username}`);
      await resetPassword(p.ctx, cliActor(), u.id, await readSecret('new password: '), o.reason);
      console.log('password reset');
    }),
  );

program
  .command('trial')
  .description('trials')
  .command('create')
  .requiredOption('--code <code>', 'protocol number, e.g. ONC-2026-001')
  .requiredOption('--title <title>')
  .requiredOption('--sponsor <name>')
  .option('--protocol <name>', 'charter in protocols/', 'bicr-recist-1.1')
  .action((o) =>
    withPlatform(async (p) => print(await createTrial(p.ctx, cliActor(), { code: o.code, title: o.title, sponsorName: o.sponsor, protocol: o.protocol }))),
  );

program
  .command('member')
  .description('trial memberships')
  .command('add')
  .requiredOption('--user <username>')
  .requiredOption('--trial <code>')
  .requiredOption('--role <role>', 'sponsor | qc | reader | adjudicator | biostatistician')
  .action((o) =>
    withPlatform(async (p) => {
      const u = await findUserByUsername(p.ctx, o.user);
      if (!u) throw new DomainError('NOT_FOUND', `no user ${o.user}`);
      const t = await findTrialByCode(p.ctx, o.trial);
      if (!t) throw new DomainError('NOT_FOUND', `no trial ${o.trial}`);
      print(await addMember(p.ctx, cliActor(), { trialId: t.id, userId: u.id, role: o.role }));
    }),
  );

program
  .command('audit')
  .description('audit trail')
  .command('verify')
  .description('recompute the hash chain; exit 1 and name the first broken event if it does not verify')
  .action(() =>
    withPlatform(async (p) => {
      process.exitCode = await verifyAuditTrail(p.ctx);
    }),
  );

program
  .command('response')
  .description('response criteria engine')
  .command('evaluate [file]')
  .description('evaluate one subject (JSON from FILE or - for stdin) under RECIST 1.1 / iRECIST; prints the evaluation as JSON')
  .action(async (file?: string) => {
    const text = !file || file === '-' ? await readStdin() : await readFile(file, 'utf8').catch(() => {
      throw new DomainError('VALIDATION_FAILED', `cannot read ${file}`);
    });
    const out = responseEvaluate(text);
    if (out.stdout) process.stdout.write(out.stdout.endsWith('\n') ? out.stdout : `${out.stdout}\n`);
    if (out.stderr) process.stderr.write(out.stderr.endsWith('\n') ? out.stderr : `${out.stderr}\n`);
    process.exitCode = out.exitCode;
  });

program
  .command('export')
  .description('SDTM data cut (TU/TR/RS XPT, define.xml, CSV, workbook, manifest) of a trial, built in the worker pool and copied to DIR; exit 1 with the findings when it fails its conformance check')
  .requiredOption('--trial <code>', 'trial code (protocol number)')
  .requiredOption('--cutoff <YYYY-MM-DD>', 'data cut-off: scans dated after it are left out')
  .requiredOption('--out <dir>', 'folder to copy the files into')
  .action((o) =>
    withPlatform(async (p) => {
      const t = await findTrialByCode(p.ctx, o.trial);
      if (!t) throw new DomainError('NOT_FOUND', `no trial ${o.trial}`);
      const r = await exportNow(p.ctx, p.pools, cliActor(), { trialId: t.id, request: { cutoff: o.cutoff }, outDir: o.out, platformVersion: PLATFORM_VERSION });
      if (r.export.state !== 'passed') {
        process.stderr.write(`export ${r.export.id} failed its conformance check (${r.errors.length} errors)${r.export.error ? `: ${r.export.error}` : ''}\n`);
        for (const f of r.errors) process.stderr.write(`${JSON.stringify(f)}\n`);
        process.exitCode = 1;
        return;
      }
      for (const f of r.copied) console.log(`${f.sha256}  ${f.name}`);
      console.log(`export ${r.export.id} passed; ${r.copied.length} files in ${o.out}`);
    }),
  );

program
  .command('demo')
  .description('end-to-end demo on a fresh data folder inside DIR: synthetic CT uploaded through the API, scripted readers and adjudicator, an SDTM export and read reports in DIR')
  .requiredOption('--out <dir>', 'output folder (its data/ subfolder holds the demo platform)')
  .option('--subjects <n>', 'number of subjects', '10')
  .action(async (o) => {
    const subjects = Number(o.subjects);
    if (!Number.isInteger(subjects) || subjects < 1 || subjects > 200) throw new DomainError('VALIDATION_FAILED', '--subjects must be an integer from 1 to 200');
    const summary = await runDemo({ outDir: o.out, subjects, log: (line) => process.stderr.write(`[demo] ${line}\n`) });
    process.stdout.write(formatSummary(summary, path.resolve(o.out)));
  });

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

program.parseAsync(process.argv).catch((e) => {
  if (isDomainError(e)) {
    process.stderr.write(`${JSON.stringify({ type: e.code, title: e.code, status: 2, detail: e.detail })}\n`);
    process.exit(2);
  }
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
