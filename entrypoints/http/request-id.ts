import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** The header a caller (or a proxy in front of us) may set; we answer with the same header. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What we accept from a caller: short, printable, no spaces. Anything else is replaced by a fresh
 * id rather than echoed, so a header can never smuggle text into logs or responses.
 */
const ACCEPTED = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

const context = new AsyncLocalStorage<{ requestId: string }>();

/**
 * Gives every HTTP request an id: the caller's `X-Request-Id` when it is well formed, otherwise a
 * new UUID. The id is returned in the `X-Request-Id` response header, kept in `res.locals.requestId`
 * (read it with {@link requestIdOf}) and bound for the rest of the request, so every log line written
 * while serving it carries `requestId` (see {@link currentRequestId}). Mount it first.
 */
export function requestId() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const offered = req.get(REQUEST_ID_HEADER);
    const id = offered && ACCEPTED.test(offered) ? offered : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    context.run({ requestId: id }, next);
  };
}

/** The id of the request being answered (for error bodies); undefined outside the middleware. */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

/** The id of the HTTP request whose handling is running now, if any (pino's mixin reads it). */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}
