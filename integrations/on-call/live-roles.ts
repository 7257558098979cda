import type { Catalog, OnCallSource, Person, Team } from '../../domain/catalog';
import type { IncidentInput, IncidentPlan, PersonRef, RoleSourceRecord } from '../../domain/incident';
import { applyOnCall, backupsFromOnCall, type OnCallLevels } from '../../domain/live-roles';
import { planIncident } from '../../domain/plan';
import type { LiveRoles, OnCallAnswer, OnCallDirectory, PeopleByEmail, ServiceCatalog, ServiceOwner } from '../ports';
import type { PagerDutyQuery } from './pagerduty';
import type { OpsgenieQuery } from './opsgenie';

export interface LiveRoleSources {
  pagerduty?: OnCallDirectory<PagerDutyQuery>;
  opsgenie?: OnCallDirectory<OpsgenieQuery>;
  backstage?: ServiceCatalog;
  /** Slack, for on-call people the catalog does not list. */
  peopleByEmail?: PeopleByEmail;
  now?: () => Date;
}

/**
 * Resolves roles from live sources: Backstage names the owner team of the credential's entity, the
 * owner team's on-call tool names who decides and who backs up. Every look-up is recorded; a source
 * that fails leaves the catalog's roles in place and flags the plan (ownership-gap finding).
 */
export class LiveRoleResolver implements LiveRoles {
  private readonly byEmail: Map<string, Person>;

  constructor(
    private readonly catalog: Catalog,
    private readonly sources: LiveRoleSources,
  ) {
    this.byEmail = new Map(catalog.people.filter((p) => p.email).map((p) => [p.email!.toLowerCase(), p]));
  }

  async refine(initial: IncidentPlan, input: IncidentInput): Promise<IncidentPlan> {
    let plan = initial;
    const records: RoleSourceRecord[] = [];
    let gap = false;
    const findings: string[] = [];
    const secret = input.secretId ? this.catalog.secrets.find((s) => s.id === input.secretId) : undefined;

    let serviceOwner: ServiceOwner | undefined;
    if (secret?.backstageEntity && this.sources.backstage) {
      const outcome = await this.fromBackstage(secret.backstageEntity, plan, input);
      records.push(outcome.record);
      findings.push(...outcome.findings);
      gap ||= outcome.gap;
      plan = outcome.plan;
      serviceOwner = outcome.owner;
    }

    const team = this.team(plan.secret.ownerTeam);
    const query = onCallQuery(team?.onCall, serviceOwner?.pagerDutyServiceId);
    if (team && query) {
      const outcome = await this.fromOnCall(team.id, query);
      records.push(outcome.record);
      findings.push(...outcome.findings);
      gap ||= outcome.gap;
      if (outcome.levels) plan = applyOnCall(plan, outcome.levels);
    }
    if (records.length === 0) return initial;
    return {
      ...plan,
      findings: [...plan.findings, ...findings],
      roleSources: records,
      ...(gap ? { roleSourceGap: true } : {}),
      ...(query ? { liveOnCall: true } : {}),
    };
  }

  async backupsNow(plan: IncidentPlan): Promise<{ backups: PersonRef[]; record: RoleSourceRecord }> {
    const team = this.team(plan.secret.ownerTeam);
    const planned = plan.roleSources?.find((r) => r.source !== 'backstage');
    const query = onCallQuery(team?.onCall, pagerDutyServiceOf(plan));
    if (!team || !query || !planned) {
      return {
        backups: plan.backupApprovers,
        record: {
          ...this.stamp('pagerduty', plan.secret.ownerTeam, 'none'),
          outcome: 'unreachable',
          error: 'no live on-call source',
          fallback: 'catalog backup approvers',
        },
      };
    }
    const outcome = await this.fromOnCall(team.id, query);
    const fresh = outcome.levels ? backupsFromOnCall(plan, outcome.levels) : [];
    return {
      backups: fresh.length ? fresh : plan.backupApprovers,
      record: fresh.length
        ? outcome.record
        : {
            ...outcome.record,
            fallback: outcome.record.fallback ?? 'catalog backup approvers: nobody else is on call',
          },
    };
  }

  private async fromBackstage(entityRef: string, plan: IncidentPlan, input: IncidentInput) {
    const base = this.stamp('backstage', plan.secret.ownerTeam, `GET /api/catalog/entities/by-query (${entityRef})`);
    try {
      const owner = await this.sources.backstage!.ownerOf(entityRef);
      const team = this.catalog.teams.find((t) => t.backstageGroup === owner.ownerGroup);
      const record: RoleSourceRecord = {
        ...base,
        request: owner.request,
        outcome: 'answered',
        ownerGroup: owner.ownerGroup,
        ownerTeam: team?.id,
      };
      if (team) {
        const next =
          team.id === plan.secret.ownerTeam ? plan : planIncident(this.catalog, input, { ownerTeam: team.id });
        return { plan: next, record, findings: [] as string[], gap: false, owner };
      }
      // The owner group is no catalog team: its members decide, the default owner team backs up.
      const { people, unknown } = await this.people(owner.memberEmails);
      const findings = [
        `ownership gap: Backstage owner ${owner.ownerGroup} of ${entityRef} is no catalog team (set backstageGroup on a team)`,
      ];
      const next = people.length ? applyOnCall(plan, { levels: [{ level: 1, people }] }) : plan;
      return {
        plan: next,
        record: { ...record, levels: [{ level: 1, people: people.map((p) => p.id) }], unknown },
        findings,
        gap: true,
        owner,
      };
    } catch (error) {
      return {
        plan,
        record: {
          ...base,
          outcome: 'unreachable' as const,
          error: describe(error),
          fallback: `catalog ownerTeam ${plan.secret.ownerTeam}`,
        },
        findings: [
          `ownership gap: Backstage did not answer for ${entityRef} (${describe(error)}); the catalog's owner team stands`,
        ],
        gap: true,
        owner: undefined,
      };
    }
  }

  private async fromOnCall(teamId: string, query: OnCallQuery) {
    const base = this.stamp(query.source, teamId, 'not sent');
    const source = query.source === 'pagerduty' ? this.sources.pagerduty : this.sources.opsgenie;
    try {
      if (!source) throw new Error(`${query.source} is not configured (set its API token)`);
      const answer: OnCallAnswer = await (source as OnCallDirectory<unknown>).onCall(query.query);
      const levels: OnCallLevels = { levels: [] };
      const unknown: string[] = [];
      for (const level of answer.levels) {
        const resolved = await this.people(level.emails);
        unknown.push(...resolved.unknown);
        levels.levels.push({ level: level.level, people: resolved.people });
      }
      const record: RoleSourceRecord = {
        ...base,
        request: answer.request,
        outcome: 'answered',
        levels: levels.levels.map((l) => ({ level: l.level, people: l.people.map((p) => p.id) })),
        ...(unknown.length ? { unknown } : {}),
      };
      const findings = unknown.length
        ? [
            `ownership gap: ${query.source} names ${unknown.join(', ')} for team ${teamId}, matched to no catalog person or Slack user`,
          ]
        : [];
      const nobody = !levels.levels.some((l) => l.level === 1 && l.people.length);
      if (nobody)
        findings.push(
          `ownership gap: nobody known is on call at level 1 for team ${teamId}; the catalog's decision makers stand`,
        );
      return {
        levels,
        record: nobody ? { ...record, fallback: 'catalog decision makers' } : record,
        findings,
        gap: unknown.length > 0 || nobody,
      };
    } catch (error) {
      return {
        levels: undefined,
        record: {
          ...base,
          outcome: 'unreachable' as const,
          error: describe(error),
          fallback: `catalog roles of team ${teamId}`,
        },
        findings: [
          `ownership gap: ${query.source} on-call for team ${teamId} unavailable (${describe(error)}); fell back to the catalog`,
        ],
        gap: true,
      };
    }
  }

  /** Catalog persons by email first, then Slack users; the rest are unknown (by email, never dropped silently). */
  private async people(emails: string[]): Promise<{ people: PersonRef[]; unknown: string[] }> {
    const people: PersonRef[] = [];
    const unknown: string[] = [];
    for (const email of emails) {
      const known = this.byEmail.get(email.toLowerCase());
      if (known) {
        people.push({ id: known.id, name: known.name, slackUserId: known.slackUserId });
        continue;
      }
      const viaSlack = await this.sources.peopleByEmail?.byEmail(email).catch(() => undefined);
      if (viaSlack) people.push(viaSlack);
      else unknown.push(email);
    }
    return { people, unknown };
  }

  private team(id: string): Team | undefined {
    return this.catalog.teams.find((team) => team.id === id);
  }

  private stamp(source: RoleSourceRecord['source'], team: string, request: string) {
    return { source, team, request, at: (this.sources.now?.() ?? new Date()).toISOString() };
  }
}

type OnCallQuery = { source: 'pagerduty'; query: PagerDutyQuery } | { source: 'opsgenie'; query: OpsgenieQuery };

function onCallQuery(
  config: OnCallSource | undefined,
  pagerDutyServiceId: string | undefined,
): OnCallQuery | undefined {
  if (config?.source === 'pagerduty') {
    return {
      source: 'pagerduty',
      query: { escalationPolicyIds: config.escalationPolicyIds, scheduleIds: config.scheduleIds },
    };
  }
  if (config?.source === 'opsgenie') {
    return { source: 'opsgenie', query: { scheduleId: config.scheduleId, backupScheduleId: config.backupScheduleId } };
  }
  if (pagerDutyServiceId) return { source: 'pagerduty', query: { serviceId: pagerDutyServiceId } };
  return undefined;
}

/** The PagerDuty service Backstage linked at planning, to ask the same on-call again at escalation. */
function pagerDutyServiceOf(plan: IncidentPlan): string | undefined {
  const record = plan.roleSources?.find((r) => r.source === 'pagerduty' && r.request.includes('/services/'));
  return record ? /\/services\/([^ ?]+)/.exec(record.request)?.[1] : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
