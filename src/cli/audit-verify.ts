import { verifyAuditChain } from '../audit/audit-log.js';
import type { ServiceContext } from '../services/service-context.js';

/** Prints the verification and returns the exit code (0 verified, 1 broken). */
export async function verifyAuditTrail(ctx: ServiceContext): Promise<number> {
  const v = await verifyAuditChain(ctx.db);
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  if (!v.ok) process.stderr.write(`audit trail broken at event ${v.firstBroken!.seq}: ${v.firstBroken!.reason}\n`);
  return v.ok ? 0 : 1;
}
