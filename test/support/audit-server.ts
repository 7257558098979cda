import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Auditor } from '../../domain/catalog';
import type { Database } from '../../integrations/database/database';
import { ClosureBundleArchive } from '../../integrations/evidence/bundle-archive';
import { generateEvidenceSigner, type EvidenceSigner } from '../../integrations/evidence/bundle-signing';
import { SqlEvidenceStore } from '../../integrations/evidence/sql-evidence-store';
import type { OwnershipDirectory } from '../../integrations/ports';
import { apiRouter } from '../../entrypoints/http/api-routes';
import { auditRouter, rejectAuditorWrites } from '../../entrypoints/http/audit';
import type { IncidentService } from '../../application/incident-service';
import { openEvidenceTestDatabase } from './evidence-database';

export const AUDITOR_TOKEN = 'auditor-token-0123456789';
export const AUDITORS: Auditor[] = [
  { id: 'ada', name: 'Ada <Auditor>', apiTokenSha256: createHash('sha256').update(AUDITOR_TOKEN).digest('hex') },
];

export interface AuditServer {
  baseUrl: string;
  database: Database;
  archive: ClosureBundleArchive;
  store: SqlEvidenceStore;
  signer: EvidenceSigner;
  /** Calls that reached the incident service: must stay empty for auditor requests. */
  serviceCalls: string[];
  apiRouter: express.Router;
  stop(): Promise<void>;
}

/**
 * The HTTP surface auditors meet, mounted as the product mounts it: the auditor write guard
 * app-wide, the operator API at /api (over a trap service that records any call) and the audit
 * router at /audit, over a real PostgreSQL database and evidence store, on a loopback port.
 */
export async function startAuditServer(): Promise<AuditServer> {
  const { database } = await openEvidenceTestDatabase();
  const store = new SqlEvidenceStore(database);
  const signer = generateEvidenceSigner('audit-test-key');
  const archive = new ClosureBundleArchive(database, store, signer);
  const serviceCalls: string[] = [];
  const trap = new Proxy(
    {},
    {
      get: (_target, name) => async () => {
        serviceCalls.push(String(name));
        return {};
      },
    },
  ) as IncidentService;
  const directory = { personByApiToken: () => undefined } as unknown as OwnershipDirectory;
  const api = apiRouter({ directory, incidents: trap, evidence: store });
  const app = express();
  app.use(rejectAuditorWrites(AUDITORS, ['/audit/login']));
  app.use('/api', api);
  app.use('/audit', auditRouter({ database, evidence: store, auditors: AUDITORS, signer }));
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    database,
    archive,
    store,
    signer,
    serviceCalls,
    apiRouter: api,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
}
