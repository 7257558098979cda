import express, { type Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../../integrations/database/database';
import { SqlDeliveryLog, type CampaignMember } from '../../../integrations/intake/delivery-log';
import type { OwnershipDirectory } from '../../../integrations/ports';
import type { IncidentService } from '../../../application/incident-service';
import { authenticatePerson } from '../authenticate';
import { sendError } from '../http-errors';

export interface Campaign {
  source: string;
  /** The intake's grouping key: the scanned repository, the GitHub owner, the AWS account... */
  campaign: string;
  firstAlertAt: string;
  lastAlertAt: string;
  alerts: number;
  incidents: number;
  openIncidents: number;
  /** Up to 100 open incident ids of the burst. */
  openIncidentIds: string[];
}

const QuerySchema = z.object({
  sinceHours: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  gapMinutes: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(15),
});

/**
 * GET /api/campaigns: bursts of alerts that share a source and a campaign key (one scan, one
 * repository owner, one AWS account), where consecutive alerts are less than `gapMinutes` apart.
 * Only bursts with at least one incident still open are listed, largest first, so a mass leak
 * (hundreds of packages per wave) shows up as one line to work from instead of hundreds.
 */
export function campaignsRouter(deps: {
  database: Database;
  service: Pick<IncidentService, 'listOpen'>;
  directory: OwnershipDirectory;
}): Router {
  const router = express.Router();
  // Same callers as the incident API: catalog people with a bearer token.
  router.use(authenticatePerson(deps.directory));
  const log = new SqlDeliveryLog(deps.database);
  router.get('/', async (req, res) => {
    const query = QuerySchema.safeParse(req.query);
    if (!query.success) {
      const issue = query.error.issues[0];
      const field = issue?.path.join('.') || '(query)';
      sendError(res, 400, 'INVALID_INPUT', `${field}: ${issue?.message}`, { [field]: issue?.message ?? 'invalid' });
      return;
    }
    const since = new Date(Date.now() - query.data.sinceHours * 3_600_000);
    const [members, open] = await Promise.all([log.campaignMembers(since), deps.service.listOpen(20_000)]);
    const openIds = new Set(open.map((execution) => execution.workflowId));
    const campaigns = groupBursts(members, query.data.gapMinutes * 60_000, openIds);
    res.json({ campaigns });
  });
  return router;
}

/** Splits each source + campaign key's alerts into bursts separated by quiet gaps. Pure. */
export function groupBursts(members: CampaignMember[], gapMs: number, openWorkflowIds: Set<string>): Campaign[] {
  const byKey = new Map<string, CampaignMember[]>();
  for (const member of members) {
    const key = `${member.source}\n${member.campaign}`;
    const group = byKey.get(key);
    if (group) group.push(member);
    else byKey.set(key, [member]);
  }
  const bursts: CampaignMember[][] = [];
  for (const group of byKey.values()) {
    const sorted = [...group].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    let current: CampaignMember[] = [];
    for (const member of sorted) {
      const last = current[current.length - 1];
      if (last && Date.parse(member.receivedAt) - Date.parse(last.receivedAt) > gapMs) {
        bursts.push(current);
        current = [];
      }
      current.push(member);
    }
    if (current.length > 0) bursts.push(current);
  }
  return bursts
    .map((burst) => summarise(burst, openWorkflowIds))
    .filter((campaign) => campaign.openIncidents > 0)
    .sort((a, b) => b.openIncidents - a.openIncidents);
}

function summarise(burst: CampaignMember[], openWorkflowIds: Set<string>): Campaign {
  const first = burst[0] as CampaignMember;
  const last = burst[burst.length - 1] as CampaignMember;
  const incidents = new Map(burst.map((member) => [member.incidentId, member.workflowId]));
  const open = [...incidents]
    .filter(([, workflowId]) => openWorkflowIds.has(workflowId))
    .map(([incidentId]) => incidentId);
  return {
    source: first.source,
    campaign: first.campaign,
    firstAlertAt: first.receivedAt,
    lastAlertAt: last.receivedAt,
    alerts: burst.length,
    incidents: incidents.size,
    openIncidents: open.length,
    openIncidentIds: open.slice(0, 100),
  };
}
