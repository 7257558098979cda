import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Auditor } from '../../../domain/catalog';
import { sendError } from '../http-errors';

/** Catalog auditors; a function lets a reloaded catalog take effect without restarting. */
export type AuditorSource = readonly Auditor[] | (() => readonly Auditor[]);

export const SESSION_COOKIE = 'tourniquet_audit';
/** A portal session lasts a working day; the catalog is checked again on every request. */
const SESSION_SECONDS = 8 * 60 * 60;
const READ_METHODS = new Set(['GET', 'HEAD']);

/** The auditor whose token this is (sha256 compared in constant time), or undefined. */
export function auditorByToken(auditors: AuditorSource, token: string | undefined): Auditor | undefined {
  if (!token) return undefined;
  const digest = createHash('sha256').update(token).digest();
  const list = typeof auditors === 'function' ? auditors() : auditors;
  return list.find((auditor) => timingSafeEqual(Buffer.from(auditor.apiTokenSha256, 'hex'), digest));
}

/** The token a request carries: `Authorization: Bearer`, else the portal's session cookie. */
export function presentedToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const bearer = header && /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  return bearer || cookieValue(req.get('cookie'), SESSION_COOKIE);
}

/**
 * Auditor tokens are read-only everywhere: any request other than GET/HEAD that carries one, as a
 * bearer or as the portal cookie, is refused with 403 before any route runs. Mount it app-wide,
 * ahead of the operator API, so an auditor can never decide, approve or open an incident.
 * `allow` lists exact paths exempted (the portal's login form, which only sets the cookie).
 */
export function rejectAuditorWrites(auditors: AuditorSource, allow: readonly string[] = []): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (READ_METHODS.has(req.method) || allow.includes(req.path)) return next();
    const auditor = auditorByToken(auditors, presentedToken(req));
    if (!auditor) return next();
    sendError(
      res,
      403,
      'AUDITOR_READ_ONLY',
      `auditor tokens are read-only: auditor "${auditor.id}" may only use GET. ` +
        `${req.method} ${req.originalUrl} needs the token of a catalog person allowed to act.`,
    );
  };
}

/** The product's one error shape (kept exported here for the audit routes). */
export { sendError };

export function setSessionCookie(req: Request, res: Response, token: string): void {
  const secure = req.secure ? '; Secure' : '';
  res.setHeader(
    'Set-Cookie',
    `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/audit; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${secure}`,
  );
}

export function clearSessionCookie(res: Response): void {
  res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/audit; HttpOnly; SameSite=Strict; Max-Age=0`);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('=')) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
