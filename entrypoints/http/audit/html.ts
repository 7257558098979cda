/**
 * Server-rendered HTML where every interpolated value is escaped unless it is already SafeHtml:
 * evidence carries free text (closure notes, provider summaries) that must never become markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Tagged template: `html\`<p>${untrusted}</p>\`` escapes; arrays are joined; null/false render nothing. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return escapeHtml(value.toString());
  return escapeHtml(JSON.stringify(value) ?? '');
}

const STYLE = `
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1rem 2rem; color: #1d1d1f; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
  th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
  th { background: #f5f5f7; }
  .status { padding: .6rem .9rem; border-radius: 6px; font-weight: 600; }
  .ok { background: #e3f6e8; color: #105c2a; } .bad { background: #fde7e7; color: #8a1111; }
  nav a, .actions a { margin-right: 1rem; } form.filters label { margin-right: .8rem; }
  code { font-size: 12px; word-break: break-all; }
`;

/** The page frame; no scripts anywhere, so the CSP can forbid them outright. */
export function page(title: string, body: SafeHtml, auditorName?: string): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · Tourniquet audit</title>
<style>${new SafeHtml(STYLE)}</style></head>
<body><header><nav><a href="/audit/">Closed incidents</a> <a href="/audit/drills">Drills</a>${auditorName ? html`<span>Signed in as ${auditorName}</span> <a href="/audit/logout">Sign out</a>` : ''}</nav></header>
<main>${body}</main></body></html>`.value;
}

/** Headers for every HTML answer: no scripts, no framing, no caching of evidence in shared caches. */
export const HTML_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};
