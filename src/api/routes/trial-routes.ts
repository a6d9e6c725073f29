import { DomainError } from '../../domain/errors.js';
import {
  addMember, approveProtocol, createSite, createTimepoint, createTrial, enrollSubject, getSubjectRow, getTrial,
  listMembers, listSites, listSubjects, listTimepoints, listTrialSignatures, listTrialsFor, revokeMember, sponsorSiteOf,
} from '../../services/trials.js';
import type { RequestScope } from '../app-env.js';
import { type RouteRegistry, defineRoute } from '../define-route.js';

export function trialRoutes(reg: RouteRegistry): void {
  const { ctx } = reg;
  defineRoute(reg, 'get', '/trials', async (s, c) => c.json(await listTrialsFor(ctx, s.session!.user.id, s.session!.user.isAdmin)));
  defineRoute(reg, 'post', '/trials', async (s, c) => c.json(await createTrial(ctx, s.actor, s.body), 201));
  defineRoute(reg, 'get', '/trials/{trialId}', async (s, c) => c.json({ ...(await getTrial(ctx, s.params.trialId)), roles: s.trialRoles }));
  defineRoute(reg, 'post', '/trials/{trialId}/protocol/approve', async (s, c) =>
    c.json(await approveProtocol(ctx, s.actor, s.params.trialId, s.body.password)),
  );
  defineRoute(reg, 'get', '/trials/{trialId}/signatures', async (s, c) => c.json(await listTrialSignatures(ctx, s.params.trialId)));

  defineRoute(reg, 'get', '/trials/{trialId}/members', async (s, c) => c.json(await listMembers(ctx, s.params.trialId)));
  defineRoute(reg, 'post', '/trials/{trialId}/members', async (s, c) =>
    c.json(await addMember(ctx, s.actor, { trialId: s.params.trialId, ...s.body }), 201),
  );
  defineRoute(reg, 'post', '/trials/{trialId}/members/{membershipId}/revoke', async (s, c) =>
    c.json(await revokeMember(ctx, s.actor, s.params.trialId, s.params.membershipId, s.body.reason)),
  );

  defineRoute(reg, 'get', '/trials/{trialId}/sites', async (s, c) => {
    const sites = await listSites(ctx, s.params.trialId);
    const bound = await sponsorSite(s);
    return c.json(bound ? sites.filter((x) => x.id === bound) : sites);
  });
  defineRoute(reg, 'post', '/trials/{trialId}/sites', async (s, c) => c.json(await createSite(ctx, s.actor, s.params.trialId, s.body), 201));

  defineRoute(reg, 'get', '/trials/{trialId}/subjects', async (s, c) =>
    c.json(await listSubjects(ctx, s.params.trialId, await sponsorSite(s))),
  );
  defineRoute(reg, 'post', '/trials/{trialId}/subjects', async (s, c) => {
    const bound = await sponsorSite(s);
    // P11-DEV-01: a site-bound sponsor enrols at its own site only.
    if (bound && s.body.siteId !== bound) throw new DomainError('FORBIDDEN', 'you may enrol subjects at your own site only');
    return c.json(await enrollSubject(ctx, s.actor, s.params.trialId, s.body), 201);
  });
  defineRoute(reg, 'get', '/trials/{trialId}/subjects/{subjectId}/timepoints', async (s, c) => {
    await assertSubjectVisible(s);
    return c.json(await listTimepoints(ctx, s.params.trialId, s.params.subjectId));
  });
  defineRoute(reg, 'post', '/trials/{trialId}/subjects/{subjectId}/timepoints', async (s, c) => {
    await assertSubjectVisible(s);
    return c.json(await createTimepoint(ctx, s.actor, s.params.trialId, s.params.subjectId, s.body), 201);
  });

  const sponsorSite = (s: RequestScope) => sponsorSiteOf(ctx.db, s.actor.role, s.params.trialId, s.session!.user.id);

  async function assertSubjectVisible(s: RequestScope): Promise<void> {
    const subject = await getSubjectRow(ctx.db, s.params.trialId, s.params.subjectId);
    const bound = await sponsorSite(s);
    if (bound && subject.site_id !== bound) throw new DomainError('NOT_FOUND', `subject ${s.params.subjectId} not found in this trial`);
  }
}
