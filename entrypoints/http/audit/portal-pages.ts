import type { ClosurePage, StoredVerification } from '../../../integrations/evidence/bundle-archive';
import type { ClosureBundle } from '../../../integrations/evidence/closure-bundle';
import {
  actionsSection,
  controlsSection,
  decisionsSection,
  summarySection,
  timelineSection,
  verificationBanner,
} from './bundle-sections';
import type { DrillReport } from '../../../domain/drill-report';
import { html, page } from './html';

/** The auditor portal's pages. Links carry no token: the portal authenticates with its cookie. */

export function loginPage(problem?: string): string {
  return page(
    'Sign in',
    html`<h1>Auditor sign-in</h1>
  ${problem ? html`<p class="status bad" role="alert">${problem}</p>` : ''}
  <form method="post" action="/audit/login">
    <label>Auditor token <input type="password" name="token" autocomplete="off" required></label>
    <button type="submit">Sign in</button>
  </form>
  <p>Auditor access is read-only. Your token comes from the catalog's <code>auditors</code> list.</p>`,
  );
}

export function listPage(result: ClosurePage, query: Record<string, string>, auditorName: string): string {
  const value = (name: string) => query[name] ?? '';
  const pageLink = (offset: number | null, label: string) =>
    offset === null
      ? ''
      : html`<a href="/audit/?${new URLSearchParams({ ...query, offset: String(offset) }).toString()}">${label}</a>`;
  const previous = result.offset > 0 ? Math.max(0, result.offset - result.limit) : null;
  return page(
    'Closed incidents',
    html`<h1>Closed incidents</h1>
  <form class="filters" method="get" action="/audit/">
    <label>Closed from <input type="date" name="closedFrom" value="${value('closedFrom')}"></label>
    <label>to <input type="date" name="closedTo" value="${value('closedTo')}"></label>
    <label>Owner team <input name="ownerTeam" value="${value('ownerTeam')}"></label>
    <label>Provider <input name="provider" value="${value('provider')}"></label>
    <label>Outcome <input name="outcome" value="${value('outcome')}"></label>
    <button type="submit">Filter</button>
  </form>
  <p>${result.total} incident(s); showing ${result.items.length === 0 ? 0 : result.offset + 1}–${result.offset + result.items.length}.</p>
  <table data-testid="incidents"><thead><tr><th>Incident</th><th>Closed</th><th>Owner team</th><th>Provider</th><th>Outcome</th><th>Records</th></tr></thead>
  <tbody>${result.items.map((item) => html`<tr><td><a href="/audit/incidents/${encodeURIComponent(item.incidentId)}">${item.incidentId}</a></td><td>${item.closedAt}</td><td>${item.ownerTeam}</td><td>${item.provider}</td><td>${item.outcome}</td><td>${item.recordCount}</td></tr>`)}</tbody></table>
  <p class="actions">${pageLink(previous, '← Newer')}${pageLink(result.nextOffset, 'Older →')}</p>`,
    auditorName,
  );
}

export function incidentPage(bundle: ClosureBundle, verification: StoredVerification, auditorName: string): string {
  const id = encodeURIComponent(bundle.incidentId);
  return page(
    bundle.incidentId,
    html`<h1>Incident ${bundle.incidentId}</h1>
  ${verificationBanner(verification)}
  <p class="actions"><a href="/audit/api/incidents/${id}/bundle" download>Download signed bundle (JSON)</a>
  <a href="/audit/api/incidents/${id}/report">Printable report</a>
  <a href="/audit/api/public-key" download>Public key (PEM)</a></p>
  ${summarySection(bundle)}${timelineSection(bundle)}${decisionsSection(bundle)}${actionsSection(bundle)}${controlsSection(bundle)}`,
    auditorName,
  );
}

/** The human-readable report: everything in the bundle, one printable page, no portal chrome. */
export function reportPage(bundle: ClosureBundle, verification: StoredVerification): string {
  return page(
    `Closure report ${bundle.incidentId}`,
    html`<h1>Closure report — ${bundle.incidentId}</h1>
  ${verificationBanner(verification)}
  ${summarySection(bundle)}${decisionsSection(bundle)}${actionsSection(bundle)}${controlsSection(bundle)}${timelineSection(bundle)}
  <p>Verify offline: <code>tourniquet evidence verify ${bundle.incidentId}.closure-bundle.json --public-key evidence-public-key.pem</code></p>`,
  );
}

export function problemPage(title: string, problems: string[], auditorName?: string): string {
  return page(
    title,
    html`<h1>${title}</h1><ul class="status bad">${problems.map((problem) => html`<li>${problem}</li>`)}</ul><p><a href="/audit/">Back to the list</a></p>`,
    auditorName,
  );
}

/** A team's drill report: each drill's times to acknowledge, decide, contain and verify, and the medians. */
export function drillsPage(team: string, report: DrillReport | undefined, auditorName: string): string {
  const ms = (value: number | undefined) => (value === undefined ? '—' : `${(value / 1000).toFixed(1)} s`);
  const rows = (report?.drills ?? []).map(
    (run) =>
      html`<tr><td>${run.incidentId}</td><td>${run.trigger}</td><td>${run.openedAt}</td><td>${ms(run.msToAcknowledge)}</td><td>${ms(run.msToDecide)}</td><td>${ms(run.msToContain)}</td><td>${ms(run.msToVerify)}</td><td>${run.answeredBy.join(', ')}</td></tr>`,
  );
  const medians = report?.medians ?? {};
  return page(
    'Drills',
    html`<h1>Drills</h1>
  <form class="filters" method="get" action="/audit/drills">
    <label>Team <input name="team" value="${team}" required></label>
    <button type="submit">Show</button>
  </form>
  ${
    report
      ? html`<p>${report.drills.length} drill(s) of team ${team}. Medians: acknowledge ${ms(medians.msToAcknowledge)}, decide ${ms(medians.msToDecide)}, contain ${ms(medians.msToContain)}, verify ${ms(medians.msToVerify)}.</p>
  <table data-testid="drills"><thead><tr><th>Drill incident</th><th>Trigger</th><th>Opened</th><th>Acknowledge</th><th>Decide</th><th>Contain</th><th>Verify</th><th>Answered by</th></tr></thead>
  <tbody>${rows}</tbody></table>`
      : html`<p>Name a team to see its drills. Drills touch nothing real; they are excluded from production figures.</p>`
  }`,
    auditorName,
  );
}
